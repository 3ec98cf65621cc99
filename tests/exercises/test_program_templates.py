"""Program templates: list, view, create and edit a clinic's own, copy a shipped one, archive."""

import pytest
from django.urls import reverse

from exercises.models import Exercise, ProgramTemplate, ProgramTemplateItem
from runphys.models import AuditEvent
from tests.factories import make_template

pytestmark = pytest.mark.django_db

LIST = reverse("exercises:template_list")
CREATE = reverse("exercises:template_create")
DOSAGE = ("sets", "reps", "hold_seconds", "rest_seconds", "sessions_per_day", "days_per_week", "side", "tempo",
          "load", "load_kg", "band_colour", "pain_ceiling", "progression_criterion")


def item(exercise: Exercise, order: int, **dosage) -> dict:
    return {"exercise": str(exercise.code), "ORDER": str(order), "notes": dosage.pop("notes", ""),
            **{field: "" for field in DOSAGE}, **{k: "" if v is None else str(v) for k, v in dosage.items()}}


def template_post(name: str, items: list[dict], existing: list[ProgramTemplateItem] = ()) -> dict:
    data = {"name": name, "description": "Phase one after the assessment.", "items-TOTAL_FORMS": str(len(items)),
            "items-INITIAL_FORMS": str(len(existing)), "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "30"}
    for index, values in enumerate(items):
        for key, value in values.items():
            data[f"items-{index}-{key}"] = value
        if index < len(existing):
            data[f"items-{index}-id"] = str(existing[index].pk)
            data[f"items-{index}-template"] = str(existing[index].template_id)
    return data


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
def test_creating_a_template_fills_empty_dosage_from_the_exercise(request, client_name, library, clinic_a):
    client = request.getfixturevalue(client_name)
    assert client.get(CREATE).status_code == 200
    bridge = Exercise.objects.get(slug="single-leg-bridge")
    stretch = Exercise.objects.get(slug="glute-biased-er-stretch")
    data = template_post("Runner's knee — phase 1", [
        item(stretch, 2, notes="Left side only", side="left"),
        item(bridge, 1, reps=8, load="kg", load_kg="4"),
    ])
    response = client.post(CREATE, data)
    template = ProgramTemplate.objects.get(clinic=clinic_a)
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    first, second = template.items.all()
    assert (first.exercise, first.order, first.reps, first.sets) == (bridge, 0, 8, bridge.sets)
    assert (first.load, str(first.load_kg)) == ("kg", "4.0")
    assert (second.exercise, second.order, second.side, second.notes) == (stretch, 1, "left", "Left side only")
    assert (second.hold_seconds, second.days_per_week) == (stretch.hold_seconds, stretch.days_per_week)
    assert AuditEvent.objects.filter(action="program_template_create", target_id=str(template.code)).exists()


@pytest.mark.parametrize(("dosage", "message"), [
    ({"sets": 11}, "Sets must be from 1 to 10."),
    ({"reps": 250}, "Repetitions must be from 1 to 200."),
    ({"hold_seconds": 400}, "The hold must be from 0 to 300 seconds."),
    ({"load": "band"}, "Choose the band colour."),
])
def test_an_item_dosage_outside_the_ranges_is_refused(library, alice_client, dosage, message):
    bridge = Exercise.objects.get(slug="single-leg-bridge")
    response = alice_client.post(CREATE, template_post("Too much", [item(bridge, 1, **dosage)]))
    assert response.status_code == 200 and message in response.text
    assert not ProgramTemplate.objects.filter(clinic__isnull=False).exists()


@pytest.mark.parametrize("items", [[], [{"exercise": "", "ORDER": ""}]])
def test_a_template_needs_a_name_and_an_exercise(library, alice_client, items):
    response = alice_client.post(CREATE, template_post("", items))
    assert response.status_code == 200
    assert "This field is required." in response.text and "Add at least one exercise." in response.text
    assert ProgramTemplate.objects.filter(clinic__isnull=False).count() == 0


def test_another_clinics_exercise_cannot_go_into_a_template(charlie_client, clinic_exercise):
    response = charlie_client.post(CREATE, template_post("Borrowed", [item(clinic_exercise, 1)]))
    assert response.status_code == 200 and "Select a valid choice." in response.text
    assert not ProgramTemplate.objects.exists()


def test_editing_reorders_changes_and_removes_items(library, alice_client, clinic_a, clinic_exercise):
    bridge = Exercise.objects.get(slug="single-leg-bridge")
    template = make_template(clinic_a, [clinic_exercise, bridge])
    first, second = template.items.all()
    page = alice_client.get(reverse("exercises:template_edit", args=[template.code]))
    assert page.status_code == 200
    data = template_post("Renamed template", [
        {**item(clinic_exercise, 1, **first.dosage_values()), "DELETE": "on"},
        item(bridge, 1, **{**second.dosage_values(), "reps": 15, "load_kg": "", "pain_ceiling": 2}),
        item(clinic_exercise, 2),
    ], existing=[first, second])
    response = alice_client.post(reverse("exercises:template_edit", args=[template.code]), data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    template.refresh_from_db()
    assert template.name == "Renamed template"
    items = list(template.items.all())
    assert [(i.exercise, i.order, i.reps) for i in items] == [(bridge, 0, 15), (clinic_exercise, 1, 10)]
    assert not ProgramTemplateItem.objects.filter(pk=first.pk).exists()
    event = AuditEvent.objects.get(action="program_template_update")
    assert set(event.fields) >= {"name", "items"}


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
    assert response["Location"] == reverse("exercises:template_edit", args=[copy.code])
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


def test_a_thousand_forms_claimed_build_thirty_and_are_refused_with_a_message(library, alice_client, clinic_a,
                                                                             clinic_exercise):
    """``items-TOTAL_FORMS=1000`` once held a worker past gunicorn's time-out: now 30 forms at most
    are built, whatever the management data claims, the page says why and nothing is saved."""
    template = make_template(clinic_a, [clinic_exercise])
    existing = list(template.items.all())
    items_before = ProgramTemplateItem.objects.count()
    data = template_post("Huge", [item(clinic_exercise, n) for n in range(40)], existing=existing)
    data["items-TOTAL_FORMS"] = "1000"
    response = alice_client.post(reverse("exercises:template_edit", args=[template.code]), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.total_form_count() == 30 and len(formset.forms) == 30
    assert "Please submit at most 30 forms." in response.text
    template.refresh_from_db()
    assert template.name != "Huge"
    assert list(template.items.all()) == existing and ProgramTemplateItem.objects.count() == items_before
    assert not AuditEvent.objects.filter(action="program_template_update").exists()


def test_a_thousand_filled_forms_are_a_400_before_any_form_is_built(library, alice_client, clinic_a, clinic_exercise):
    template = make_template(clinic_a, [clinic_exercise])
    data = template_post("Huge", [item(clinic_exercise, n) for n in range(1000)])
    response = alice_client.post(reverse("exercises:template_edit", args=[template.code]), data)
    assert response.status_code == 400 and "Nothing was saved" in response.text
    template.refresh_from_db()
    assert template.name != "Huge" and template.items.count() == 1
