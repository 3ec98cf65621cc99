"""A clinic's exercise, its pictures and its templates are invisible to another clinic: every URL
of the exercises app that names one answers charlie with 404 (or 405 for a method the URL never
takes), and nothing changes."""

import pytest
from django.urls import reverse

from exercises.models import Exercise, ProgramTemplate
from tests.factories import make_template
from tests.helpers import exercise_form_data, image_bytes, upload
from tests.url_patterns import project_routes

pytestmark = pytest.mark.django_db

CODE_ROUTES = [r for r in project_routes() if r.namespace == "exercises" and "<uuid:code>" in r.route]


def test_the_sweep_covers_every_route_that_names_a_record():
    assert {r.name for r in CODE_ROUTES} == {
        "detail", "edit", "copy", "archive", "restore", "picture",
        "template_detail", "template_edit", "template_copy", "template_archive",
        "template_items", "template_picker", "template_item_add", "template_items_order", "template_item_restore",
        "template_item_edit", "template_item_move", "template_item_remove",
    }


@pytest.mark.parametrize("route", CODE_ROUTES, ids=lambda r: r.name)
def test_charlie_gets_404_on_every_url_of_clinic_a_records(route, clinic_a, clinic_exercise, charlie_client):
    clinic_exercise.start_picture.save("x.png", upload(image_bytes()), save=True)
    if route.name == "restore":
        clinic_exercise.archive()
    template = make_template(clinic_a, [clinic_exercise])
    code = template.code if route.name.startswith("template") else clinic_exercise.code
    if route.name.startswith("template_item_") and route.name != "template_item_add" \
            and route.name != "template_item_restore":
        code = template.items.get().code
    kwargs = {"code": code, **({"position": "start"} if route.name == "picture" else {})}
    url = reverse(f"exercises:{route.name}", kwargs=kwargs)
    statuses = {charlie_client.get(url).status_code,
                charlie_client.post(url, exercise_form_data(name="Taken over")).status_code}
    assert 404 in statuses and statuses <= {404, 405}, (url, statuses)
    clinic_exercise.refresh_from_db()
    assert clinic_exercise.name == "Banded monster walk"
    assert Exercise.objects.filter(clinic__isnull=False).count() == 1
    assert ProgramTemplate.objects.count() == 1
    assert [(i.exercise_id, i.order, i.sets) for i in template.items.all()] == [(clinic_exercise.pk, 0, 3)]
