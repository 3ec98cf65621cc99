"""Program templates: list, view, create and edit a clinic's own, copy a shipped one, archive."""

import re

import pytest
from django.urls import reverse

from exercises.models import Exercise, ProgramTemplate, ProgramTemplateItem
from runphys.models import AuditEvent
from tests.factories import make_exercise, make_template

pytestmark = pytest.mark.django_db

LIST = reverse("exercises:template_list")
CREATE = reverse("exercises:template_create")
HTMX = {"HTTP_HX_REQUEST": "true"}


def names(template: ProgramTemplate) -> list[str]:
    return [i.exercise.name for i in template.items.order_by("order")]


@pytest.fixture
def clinic_template(clinic_a, clinic_exercise) -> ProgramTemplate:
    return make_template(clinic_a, [clinic_exercise])


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_the_list_shows_shipped_and_own_templates(request, client_name, library, clinic_template):
    response = request.getfixturevalue(client_name).get(LIST)
    assert response.status_code == 200
    for name in ("IR in extension — mobility", "ER and anterior-hip flexibility", "Hip control for runners",
                 clinic_template.name):
        assert name in response.text
    assert response.text.index(clinic_template.name) < response.text.index("Hip control for runners")


def test_charlie_does_not_see_clinic_a_templates(library, clinic_template, charlie_client):
    assert clinic_template.name not in charlie_client.get(LIST).text
    assert charlie_client.get(clinic_template.get_absolute_url()).status_code == 404


def test_the_list_query_count_does_not_grow(library, clinic_a, clinic_exercise, alice_client,
                                            django_assert_max_num_queries):
    with django_assert_max_num_queries(3) as few:
        alice_client.get(LIST)
    for n in range(15):
        make_template(clinic_a, [clinic_exercise] * 3, name=f"Template {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Template 14" in alice_client.get(LIST).text


def test_the_detail_shows_items_in_order_with_dosage_and_a_pinned_query_count(
        library, alice_client, django_assert_max_num_queries):
    template = ProgramTemplate.objects.get(slug="hip-control-for-runners")
    with django_assert_max_num_queries(8):
        response = alice_client.get(template.get_absolute_url())
    text = response.text
    positions = [text.index(name) for name in ("Clamshell with a band", "Hip external rotations off the edge",
                                               "Single-leg bridge", "Single-leg rotational hip control")]
    assert positions == sorted(positions)
    assert "3 × 12 · hold 2 s" in text and "yellow band" in text
    assert "Copy to my clinic" in text and reverse("exercises:template_edit", args=[template.code]) not in text


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_a_template_is_named_then_built_from_the_picker(request, client_name, library, clinic_a):
    client = request.getfixturevalue(client_name)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, {"name": "Runner's knee — phase 1", "description": "Phase one."})
    template = ProgramTemplate.objects.get(clinic=clinic_a)
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    page = client.get(template.get_absolute_url(), {"q": "bridge"})
    assert 'id="exercise-picker"' in page.text and [e.slug for e in page.context["found"]] == ["single-leg-bridge"]
    bridge = Exercise.objects.get(slug="single-leg-bridge")
    response = client.post(reverse("exercises:template_item_add", args=[template.code]),
                           {"exercise": str(bridge.code)}, **HTMX)
    assert response.status_code == 200 and 'id="template-items"' in response.text
    item = template.items.get()
    assert (item.exercise, item.order, item.dosage_values()) == (bridge, 1, bridge.dosage_values())
    assert "ORDER" not in page.text and "DELETE" not in page.text
    assert AuditEvent.objects.filter(action="program_template_create", target_id=str(template.code)).exists()
    assert AuditEvent.objects.filter(action="program_template_update", fields=["items"]).exists()


def test_a_template_needs_a_name(library, alice_client):
    response = alice_client.post(CREATE, {"name": ""})
    assert response.status_code == 200 and "This field is required." in response.text
    assert ProgramTemplate.objects.filter(clinic__isnull=False).count() == 0


def test_another_clinics_exercise_cannot_go_into_a_template(alice_client, clinic_b, clinic_a):
    template = make_template(clinic_a, [])
    theirs = make_exercise(clinic_b, name="Clinic B drill")
    response = alice_client.post(reverse("exercises:template_item_add", args=[template.code]),
                                 {"exercise": str(theirs.code)}, **HTMX)
    assert 'data-testid="items-error"' in response.text and not template.items.exists()
    assert theirs.name not in alice_client.get(template.get_absolute_url(), {"q": "drill"}).text


def test_a_template_holds_at_most_thirty_exercises(alice_client, clinic_a, clinic_exercise):
    template = make_template(clinic_a, [clinic_exercise] * ProgramTemplate.MAX_ITEMS)
    response = alice_client.post(reverse("exercises:template_item_add", args=[template.code]),
                                 {"exercise": str(clinic_exercise.code)}, **HTMX)
    assert "at most 30 exercises" in response.text and template.items.count() == 30


@pytest.mark.parametrize(("dosage", "message"), [
    ({"sets": 11}, "Sets must be from 1 to 10."),
    ({"reps": 250}, "Repetitions must be from 1 to 200."),
    ({"hold_seconds": 400}, "The hold must be from 0 to 300 seconds."),
    ({"load": "band"}, "Choose the band colour."),
])
def test_an_item_dose_outside_the_ranges_is_refused_in_place(alice_client, clinic_a, clinic_exercise, dosage,
                                                            message):
    item = make_template(clinic_a, [clinic_exercise]).items.get()
    values = {**item.dosage_values(), "notes": "", "reason": "", **dosage}
    response = alice_client.post(reverse("exercises:template_item_edit", args=[item.code]),
                                 {k: "" if v is None else v for k, v in values.items()}, **HTMX)
    assert response.status_code == 200 and message in response.text
    assert response["HX-Retarget"] == f"#item-{item.code}"
    assert ProgramTemplateItem.objects.get(pk=item.pk).dosage_values() == item.dosage_values()


def test_the_dose_notes_and_reason_are_edited_in_place(alice_client, clinic_a, clinic_exercise):
    item = make_template(clinic_a, [clinic_exercise]).items.get()
    form = alice_client.get(reverse("exercises:template_item_edit", args=[item.code]), **HTMX)
    assert 'data-testid="dose-form"' in form.text and 'data-testid="dose-cancel"' in form.text
    values = {**item.dosage_values(), "sets": 2, "notes": "Left only", "reason": "To steady your knee."}
    response = alice_client.post(reverse("exercises:template_item_edit", args=[item.code]),
                                 {k: "" if v is None else v for k, v in values.items()}, **HTMX)
    assert 'id="template-items"' in response.text and "Why: To steady your knee." in response.text
    item.refresh_from_db()
    assert (item.sets, item.notes, item.reason) == (2, "Left only", "To steady your knee.")
    page = alice_client.get(reverse("exercises:template_item_edit", args=[item.code]))
    assert "<html" in page.text and 'data-testid="dose-cancel"' in page.text


def test_reorder_move_remove_and_undo(library, alice_client, clinic_a, clinic_exercise):
    bridge = Exercise.objects.get(slug="single-leg-bridge")
    stretch = Exercise.objects.get(slug="glute-biased-er-stretch")
    template = make_template(clinic_a, [clinic_exercise, bridge, stretch])
    first, second, third = template.items.order_by("order")
    ProgramTemplateItem.objects.filter(pk=first.pk).update(reason="To steady your knee.", sets=5)
    alice_client.post(reverse("exercises:template_items_order", args=[template.code]),
                      {"item": [str(third.code), str(first.code), str(second.code)]}, **HTMX)
    assert names(template) == [stretch.name, clinic_exercise.name, bridge.name]
    refused = alice_client.post(reverse("exercises:template_items_order", args=[template.code]),
                                {"item": [str(third.code)]}, **HTMX)
    assert 'data-testid="items-error"' in refused.text and len(names(template)) == 3
    alice_client.post(reverse("exercises:template_item_move", args=[second.code]), {"direction": "up"}, **HTMX)
    assert names(template) == [stretch.name, bridge.name, clinic_exercise.name]
    removed = alice_client.post(reverse("exercises:template_item_remove", args=[first.code]), **HTMX)
    assert f"Removed “{clinic_exercise.name}”" in removed.text and names(template) == [stretch.name, bridge.name]
    alice_client.post(reverse("exercises:template_item_restore", args=[template.code]), {"item": str(first.code)},
                      **HTMX)
    assert names(template) == [stretch.name, bridge.name, clinic_exercise.name]
    back = ProgramTemplateItem.objects.get(code=first.code)
    assert (back.reason, back.sets, back.order) == ("To steady your knee.", 5, 3)
    assert list(template.items.order_by("order").values_list("order", flat=True)) == [1, 2, 3]


def test_a_shipped_template_cannot_be_edited_or_archived(library, alice_client):
    shipped = ProgramTemplate.objects.get(slug="hip-control-for-runners")
    assert alice_client.get(reverse("exercises:template_edit", args=[shipped.code])).status_code == 404
    assert alice_client.post(reverse("exercises:template_edit", args=[shipped.code]),
                             {"name": "Mine"}).status_code == 404
    assert alice_client.post(reverse("exercises:template_archive", args=[shipped.code])).status_code == 404
    shipped.refresh_from_db()
    assert shipped.name == "Hip control for runners" and not shipped.is_archived


def test_copying_a_shipped_template_gives_an_editable_clinic_copy(library, bob_client, clinic_a):
    shipped = ProgramTemplate.objects.get(slug="ir-in-extension-mobility")
    response = bob_client.post(reverse("exercises:template_copy", args=[shipped.code]))
    copy = ProgramTemplate.objects.get(clinic=clinic_a)
    assert response["Location"] == copy.get_absolute_url()
    assert [(i.exercise_id, i.dosage_values()) for i in copy.items.all()] == [
        (i.exercise_id, i.dosage_values()) for i in shipped.items.all()]
    assert copy.copied_from == shipped
    assert bob_client.get(reverse("exercises:template_copy", args=[shipped.code])).status_code == 405


def test_archiving_a_clinic_template(alice_client, clinic_template):
    response = alice_client.post(reverse("exercises:template_archive", args=[clinic_template.code]))
    assert response.status_code == 302
    clinic_template.refresh_from_db()
    assert clinic_template.is_archived
    assert "archived" in alice_client.get(response["Location"]).text  # the message, shown once
    assert clinic_template.name not in alice_client.get(LIST).text
    assert alice_client.get(clinic_template.get_absolute_url()).status_code == 200


def test_anonymous_is_sent_to_login(client, clinic_template):
    for url in (LIST, CREATE, clinic_template.get_absolute_url()):
        assert client.get(url).status_code == 302
    assert client.post(CREATE, {"name": "x"}).status_code == 302
    assert ProgramTemplate.objects.count() == 1


def test_wrong_methods_are_refused(alice_client, clinic_template):
    assert alice_client.post(LIST).status_code == 405
    assert alice_client.post(clinic_template.get_absolute_url()).status_code == 405
    assert alice_client.get(reverse("exercises:template_archive", args=[clinic_template.code])).status_code == 405
    assert alice_client.delete(CREATE).status_code == 405


def test_a_thousand_filled_fields_are_a_400_before_any_form_is_built(alice_client, clinic_a, clinic_exercise):
    template = make_template(clinic_a, [clinic_exercise])
    data = {"name": "Huge", **{f"field-{n}": "x" for n in range(1001)}}
    response = alice_client.post(reverse("exercises:template_edit", args=[template.code]), data)
    assert response.status_code == 400 and "Nothing was saved" in response.text
    template.refresh_from_db()
    assert template.name != "Huge" and template.items.count() == 1


def test_a_double_click_on_add_puts_the_exercise_in_the_template_once(library, clinic_template, alice_client):
    page = alice_client.get(clinic_template.get_absolute_url(), {"q": "bridge"})
    bridge = Exercise.objects.get(slug="single-leg-bridge")
    [key] = re.findall(rf'name="submission_key" value="([\w-]+)" id="add-key-{bridge.code}"', page.text)
    url = reverse("exercises:template_item_add", args=[clinic_template.code])
    before = clinic_template.items.count()
    first = alice_client.post(url, {"exercise": str(bridge.code), "submission_key": key}, **HTMX)
    second = alice_client.post(url, {"exercise": str(bridge.code), "submission_key": key}, **HTMX)
    assert clinic_template.items.count() == before + 1 and "it is in the list once" in second.text
    [fresh] = re.findall(rf'name="submission_key" value="([\w-]+)" id="add-key-{bridge.code}"', first.text)
    alice_client.post(url, {"exercise": str(bridge.code), "submission_key": fresh}, **HTMX)
    assert clinic_template.items.count() == before + 2  # added again on purpose
