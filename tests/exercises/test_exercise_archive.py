"""Archiving a clinic exercise hides it from the library but keeps it retrievable, so templates
(and later programs) that use it keep working and keep showing it."""

import pytest
from django.urls import reverse

from runphys.models import AuditEvent
from tests.factories import make_template

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_archive_and_restore(request, client_name, clinic_exercise):
    client = request.getfixturevalue(client_name)
    response = client.post(reverse("exercises:archive", args=[clinic_exercise.code]))
    assert response.status_code == 302
    clinic_exercise.refresh_from_db()
    assert clinic_exercise.is_archived
    assert "archived" in client.get(response["Location"]).text  # the page still opens, with its notice
    assert clinic_exercise.name not in client.get(reverse("exercises:list")).text
    client.post(reverse("exercises:restore", args=[clinic_exercise.code]))
    clinic_exercise.refresh_from_db()
    assert not clinic_exercise.is_archived
    assert list(AuditEvent.objects.filter(target_id=str(clinic_exercise.code)).values_list("action", flat=True)
                .order_by("at", "id")) == ["exercise_archive", "exercise_restore"]


def test_a_template_that_uses_an_archived_exercise_still_shows_it(alice_client, clinic_exercise, clinic_a):
    template = make_template(clinic_a, [clinic_exercise])
    alice_client.post(reverse("exercises:archive", args=[clinic_exercise.code]))
    page = alice_client.get(template.get_absolute_url())
    assert page.status_code == 200
    assert clinic_exercise.name in page.text and "archived" in page.text
    assert clinic_exercise.name not in [e.name for e in page.context["found"]]  # but the picker does not offer it


def test_archiving_twice_is_a_404_and_changes_nothing(alice_client, clinic_exercise):
    clinic_exercise.archive()
    archived_at = clinic_exercise.archived_at
    assert alice_client.post(reverse("exercises:archive", args=[clinic_exercise.code])).status_code == 404
    clinic_exercise.refresh_from_db()
    assert clinic_exercise.archived_at == archived_at


def test_charlie_gets_404(charlie_client, clinic_exercise):
    assert charlie_client.post(reverse("exercises:archive", args=[clinic_exercise.code])).status_code == 404
    clinic_exercise.refresh_from_db()
    assert not clinic_exercise.is_archived


def test_anonymous_is_sent_to_login(client, clinic_exercise):
    assert client.post(reverse("exercises:archive", args=[clinic_exercise.code])).status_code == 302


def test_archiving_needs_post(alice_client, clinic_exercise):
    assert alice_client.get(reverse("exercises:archive", args=[clinic_exercise.code])).status_code == 405
    assert alice_client.get(reverse("exercises:restore", args=[clinic_exercise.code])).status_code == 405
    clinic_exercise.refresh_from_db()
    assert not clinic_exercise.is_archived
