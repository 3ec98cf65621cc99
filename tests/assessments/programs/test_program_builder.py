"""The program builder: the exercise picker (search, region and family filters, pictures), the
whole order posted at once (a drag or Alt+arrow), the dose edited in place with Cancel, Remove with
Undo, and "Save as template" from any version; a program made from a template carries its reasons."""

import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.findings import MOTIVES, Code
from assessments.programs.models import CLINICIAN_CHOICE_REASON, ProgramItem, ProgramVersion
from exercises.models import Equipment, Family, ProgramTemplate, ProgramTemplateItem, Region
from runphys.models import AuditEvent
from tests.factories import draft_of, make_exercise
from tests.helpers import issue

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def picker(client, program, **filters):
    return client.get(reverse("programs:picker", args=[program.code]), filters, **HTMX)


def found(response) -> list[str]:
    return [e.name for e in response.context["found"]]


def order(version) -> list[str]:
    return [i.exercise.name for i in ProgramItem.objects.filter(version=version).order_by("order")]


@pytest.fixture
def calf_raise(clinic_a):
    return make_exercise(clinic_a, name="Eccentric heel drop", region=Region.ANKLE_CALF, family=Family.STRENGTH,
                         addresses=[], equipment=[Equipment.BENCH],
                         steps=["Stand on the edge of a step.", "Lower the heel slowly below the step."])


# --- The picker ------------------------------------------------------------------------------------

def test_the_picker_finds_words_of_the_steps_and_regions(bob_client, world, calf_raise):
    response = picker(bob_client, world.program, q="heel below")
    assert response.status_code == 200 and "<html" not in response.text
    assert found(response) == ["Eccentric heel drop"]
    assert found(picker(bob_client, world.program, q="calf")) == ["Eccentric heel drop"]  # the region's words
    assert calf_raise.start_picture_url is None and "No picture" in response.text


def test_the_picker_filters_by_region_and_family(bob_client, world, calf_raise):
    assert found(picker(bob_client, world.program, region=Region.ANKLE_CALF)) == ["Eccentric heel drop"]
    hip = found(picker(bob_client, world.program, region=Region.HIP, family=Family.ER_FLEXIBILITY))
    assert hip == ["Glute-biased external rotation stretch", "Hamstring-biased external rotation stretch"]
    assert found(picker(bob_client, world.program, region=Region.KNEE)) == []
    assert 'data-testid="picker-none"' in picker(bob_client, world.program, region=Region.KNEE).text


def test_the_picker_shows_pictures_and_adds_to_the_draft(bob_client, world):
    response = picker(bob_client, world.program, q="contract-relax")
    exercise = world.library["Hip internal rotation contract-relax"]
    assert f'src="{exercise.start_picture_url}"' in response.text
    assert reverse("programs:item_add", args=[world.program.code]) in response.text
    response = bob_client.post(reverse("programs:item_add", args=[world.program.code]),
                               {"exercise": str(exercise.code)}, **HTMX)
    assert order(world.program.latest)[-1] == exercise.name and 'id="program-items"' in response.text


def add_key(html: str, exercise) -> str:
    """The one-time key of the picker's "Add" for ``exercise`` (or of the fresh one swapped in)."""
    [key] = re.findall(rf'name="submission_key" value="([\w-]+)" id="add-key-{exercise.code}"', html)
    return key


def test_a_double_click_on_add_adds_once_and_adding_again_on_purpose_adds_again(bob_client, world):
    exercise = world.library["Hip internal rotation contract-relax"]
    url = reverse("programs:item_add", args=[world.program.code])
    key = add_key(picker(bob_client, world.program, q="contract-relax").text, exercise)
    before = len(order(world.program.latest))
    first = bob_client.post(url, {"exercise": str(exercise.code), "submission_key": key}, **HTMX)
    second = bob_client.post(url, {"exercise": str(exercise.code), "submission_key": key}, **HTMX)
    assert len(order(world.program.latest)) == before + 1  # the double click added it once
    assert "it is in the list once" in second.text
    fresh = add_key(first.text, exercise)  # swapped into the picker's form out of band
    assert fresh != key and "hx-swap-oob=true" in first.text
    bob_client.post(url, {"exercise": str(exercise.code), "submission_key": fresh}, **HTMX)
    assert len(order(world.program.latest)) == before + 2  # on purpose, a second time


def test_the_picker_without_javascript_is_the_program_page(bob_client, world, calf_raise):
    response = bob_client.get(reverse("programs:picker", args=[world.program.code]), {"q": "heel"})
    assert response.status_code == 302 and response.url.startswith(world.program.get_absolute_url() + "?q=heel")
    page = bob_client.get(world.program.get_absolute_url(), {"q": "heel"})
    assert [e.name for e in page.context["found"]] == ["Eccentric heel drop"]
    assert 'id="exercise-picker"' in page.text


def test_the_picker_never_shows_another_clinics_exercises(bob_client, charlie_client, world, clinic_b):
    make_exercise(clinic_b, name="Clinic B heel walk", region=Region.ANKLE_CALF, family=Family.STRENGTH, addresses=[])
    assert found(picker(bob_client, world.program, q="heel")) == []
    assert picker(charlie_client, world.program).status_code == 404


def test_an_issued_program_has_no_picker(bob_client, bob, world):
    issue(world.program.latest, by=bob)
    page = bob_client.get(world.program.get_absolute_url())
    assert 'id="exercise-picker"' not in page.text and "found" not in page.context


def test_the_pickers_queries_do_not_grow_with_the_library(bob_client, clinic_a, world,
                                                          django_assert_max_num_queries):
    # session, user, membership, program with its athlete and versions (3), matches and their count
    with django_assert_max_num_queries(8) as few:
        picker(bob_client, world.program, region=Region.ANKLE_CALF)
    for n in range(30):
        make_exercise(clinic_a, name=f"Calf drill {n:02}", region=Region.ANKLE_CALF, family=Family.STRENGTH,
                      addresses=[])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = picker(bob_client, world.program, region=Region.ANKLE_CALF)
    assert len(response.context["found"]) == 12 and response.context["found_count"] == 30
    assert "the first 12 shown" in response.text


# --- Reorder --------------------------------------------------------------------------------------

def test_reorder_keeps_every_item_once_in_the_new_order(bob_client, world):
    draft = world.program.latest
    for name in ("Glute-biased external rotation stretch", "Hip internal rotation contract-relax"):
        draft.add_exercise(world.library[name])
    items = list(draft.items.order_by("order"))
    wanted = [items[2], items[0], items[3], items[1]]
    response = bob_client.post(reverse("programs:items_order", args=[world.program.code]),
                               {"item": [str(i.code) for i in wanted]}, **HTMX)
    assert response.status_code == 200
    stored = list(ProgramItem.objects.filter(version=draft).order_by("order"))
    assert [i.pk for i in stored] == [i.pk for i in wanted] and [i.order for i in stored] == [1, 2, 3, 4]
    assert [i.sets for i in stored] == [i.sets for i in wanted]
    assert AuditEvent.objects.filter(action="update", target_type="programversion", fields=["items"]).exists()


@pytest.mark.parametrize("change", ["missing", "twice", "unknown", "garbage"])
def test_reorder_refuses_a_list_that_is_not_every_item_once(bob_client, world, change):
    draft = world.program.latest
    first, second = draft.items.order_by("order")
    sent = {"missing": [second.code], "twice": [second.code, second.code, first.code],
            "unknown": [second.code, uuid.uuid4()], "garbage": [second.code, "not-a-code"]}[change]
    response = bob_client.post(reverse("programs:items_order", args=[world.program.code]),
                               {"item": [str(c) for c in sent]}, **HTMX)
    assert response.status_code == 200 and 'data-testid="items-error"' in response.text
    assert order(draft) == ["Prone hip internal rotation", "Single-leg rotational hip control"]
    assert not AuditEvent.objects.filter(action="update").exists()


def test_reorder_of_an_issued_version_changes_nothing(bob_client, bob, world):
    version = issue(world.program.latest, by=bob)
    first, second = version.items.order_by("order")
    response = bob_client.post(reverse("programs:items_order", args=[world.program.code]),
                               {"item": [str(second.code), str(first.code)]}, **HTMX)
    assert "cannot change" in response.text
    assert order(version) == ["Prone hip internal rotation", "Single-leg rotational hip control"]


def test_reorder_is_post_only(bob_client, world):
    assert bob_client.get(reverse("programs:items_order", args=[world.program.code])).status_code == 405


# --- Dose in place ----------------------------------------------------------------------------------

def dose(item, **changes) -> dict:
    values = {**item.dosage_values(), "notes": item.notes, **changes}
    return {k: "" if v is None else v for k, v in values.items()}


def test_the_dose_form_comes_in_place_with_cancel(bob_client, world):
    item = world.program.latest.items.order_by("order").first()
    response = bob_client.get(reverse("programs:item_edit", args=[item.code]), **HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert f'id="item-{item.code}"' in response.text and 'data-testid="dose-cancel"' in response.text
    assert f'hx-get="{reverse("programs:items", args=[world.program.code])}"' in response.text
    cancel = bob_client.get(reverse("programs:items", args=[world.program.code]), **HTMX)
    assert 'id="program-items"' in cancel.text and 'data-testid="dose-form"' not in cancel.text


def test_saving_the_dose_in_place_gives_the_list_back(bob_client, world):
    item = world.program.latest.items.order_by("order").first()
    response = bob_client.post(reverse("programs:item_edit", args=[item.code]), dose(item, sets=5, reps=12), **HTMX)
    assert response.status_code == 200 and 'id="program-items"' in response.text
    item.refresh_from_db()
    assert (item.sets, item.reps) == (5, 12)
    assert "5 × 12" in response.text


def test_a_wrong_dose_in_place_shows_the_form_again_and_saves_nothing(bob_client, world):
    item = world.program.latest.items.order_by("order").first()
    response = bob_client.post(reverse("programs:item_edit", args=[item.code]), dose(item, sets=40), **HTMX)
    assert response.status_code == 200 and "Sets must be from 1 to 10." in response.text
    assert response["HX-Retarget"] == f"#item-{item.code}" and response["HX-Reswap"] == "outerHTML"
    assert 'value="40"' in response.text  # what was typed is kept
    item.refresh_from_db()
    assert item.sets == 3


def test_the_dose_page_without_javascript_has_cancel(bob_client, world):
    item = world.program.latest.items.order_by("order").first()
    response = bob_client.get(reverse("programs:item_edit", args=[item.code]))
    assert "<html" in response.text and 'data-testid="dose-cancel"' in response.text
    assert f'href="{world.program.get_absolute_url()}" data-testid="dose-cancel"' in response.text


# --- Remove and Undo -----------------------------------------------------------------------------------

def test_undo_puts_the_removed_item_back_with_its_dose_reason_and_place(bob_client, world):
    draft = world.program.latest
    draft.add_exercise(world.library["Glute-biased external rotation stretch"])
    first = draft.items.order_by("order").first()
    ProgramItem.objects.filter(pk=first.pk).update(sets=4, load="kg", load_kg=Decimal("2.5"), notes="Slowly",
                                                   finding=Code.BELOW_REFERENCE_IR, finding_detail="Left IR 24°")
    before = ProgramItem.objects.get(pk=first.pk)
    response = bob_client.post(reverse("programs:item_remove", args=[first.code]), **HTMX)
    assert 'data-testid="undo-notice"' in response.text and "Removed “Prone hip internal rotation”" in response.text
    assert order(draft) == ["Single-leg rotational hip control", "Glute-biased external rotation stretch"]
    response = bob_client.post(reverse("programs:item_restore", args=[world.program.code]),
                               {"item": str(first.code)}, **HTMX)
    assert response.status_code == 200 and 'data-testid="undo-notice"' not in response.text
    assert order(draft) == ["Prone hip internal rotation", "Single-leg rotational hip control",
                            "Glute-biased external rotation stretch"]
    back = ProgramItem.objects.get(code=first.code)
    assert back.dosage_values() == before.dosage_values() and back.load_kg == Decimal("2.5")
    assert (back.notes, back.finding, back.finding_detail, back.order) == ("Slowly", Code.BELOW_REFERENCE_IR,
                                                                           "Left IR 24°", 1)
    assert AuditEvent.objects.filter(action="update", target_type="programversion").count() == 2
    again = bob_client.post(reverse("programs:item_restore", args=[world.program.code]),
                            {"item": str(first.code)}, **HTMX)
    assert "nothing to undo" in again.text and draft.items.count() == 3


def test_undo_without_javascript(bob_client, world):
    first = world.program.latest.items.order_by("order").first()
    response = bob_client.post(reverse("programs:item_remove", args=[first.code]))
    assert response.status_code == 302 and response.url.endswith(f"?removed={first.code}#program-items")
    page = bob_client.get(response.url)
    assert "Removed “Prone hip internal rotation”" in page.text
    response = bob_client.post(reverse("programs:item_restore", args=[world.program.code]), {"item": str(first.code)})
    assert response.status_code == 302 and world.program.latest.items.count() == 2


def test_only_the_session_that_removed_an_item_can_undo_it(bob_client, alice_client, charlie_client, world):
    first = world.program.latest.items.order_by("order").first()
    bob_client.post(reverse("programs:item_remove", args=[first.code]), **HTMX)
    for other in (alice_client,):
        response = other.post(reverse("programs:item_restore", args=[world.program.code]),
                              {"item": str(first.code)}, **HTMX)
        assert "nothing to undo" in response.text
    assert charlie_client.post(reverse("programs:item_restore", args=[world.program.code]),
                               {"item": str(first.code)}).status_code == 404
    assert world.program.latest.items.count() == 1


# --- Save as template, and templates' reasons ----------------------------------------------------------

def test_save_an_issued_version_as_a_template(bob_client, bob, clinic_a, world):
    draft = world.program.latest
    first = draft.items.order_by("order").first()
    ProgramItem.objects.filter(pk=first.pk).update(finding=Code.BELOW_REFERENCE_IR, finding_detail="Left IR 24°",
                                                   notes="Only to a gentle stretch", sets=4)
    version = issue(draft, by=bob)
    url = reverse("programs:save_as_template", args=[version.code])
    page = bob_client.get(url)
    assert page.status_code == 200 and 'value="Hip program"' in page.text
    response = bob_client.post(url, {"name": "IR in extension, phase 1", "description": "After a low IR."})
    template = ProgramTemplate.objects.get(name="IR in extension, phase 1")
    assert response.status_code == 302 and response.url == template.get_absolute_url()
    assert template.clinic == clinic_a and template.created_by == bob and not template.is_shipped
    items = list(template.items.order_by("order"))
    source = list(version.items.order_by("order"))
    assert [(i.exercise_id, i.dosage_values(), i.notes) for i in items] == [
        (i.exercise_id, i.dosage_values(), i.notes) for i in source]
    assert [i.reason for i in items] == [MOTIVES[Code.BELOW_REFERENCE_IR].athlete_reason, ""]
    assert not any("24°" in i.reason or "Ines" in i.reason for i in items)  # nothing about the athlete
    assert AuditEvent.objects.filter(action="program_template_create", target_id=str(template.code)).exists()


def test_save_as_template_needs_a_name(bob_client, world):
    url = reverse("programs:save_as_template", args=[world.program.latest.code])
    response = bob_client.post(url, {"name": ""})
    assert response.status_code == 200 and "This field is required." in response.text
    assert not ProgramTemplate.objects.exists()


def test_a_program_from_a_template_carries_its_reasons(bob_client, world, clinic_a):
    template = ProgramTemplate.objects.create(clinic=clinic_a, name="Stretch set")
    exercise = world.library["Glute-biased external rotation stretch"]
    ProgramTemplateItem.objects.create(template=template, exercise=exercise, sets=1, reps=3, hold_seconds=30,
                                       days_per_week=3, reason="To ease the back of your hip.")
    other = world.library["Hip internal rotation contract-relax"]
    ProgramTemplateItem.objects.create(template=template, exercise=other, sets=1, reps=3, days_per_week=3, order=1)
    response = bob_client.post(reverse("programs:new", args=[world.athlete.code]), {
        "title": "Phase 2", "clinician": world.program.latest.clinician_id, "starts_on": "2026-05-04",
        "review_on": "2026-06-01", "template": str(template.code)})
    assert response.status_code == 302
    draft = ProgramVersion.objects.exclude(program=world.program).get()
    stretch, contract = draft.items.order_by("order")
    assert stretch.why == "To ease the back of your hip." and contract.why == CLINICIAN_CHOICE_REASON
    assert stretch.motive_label == "From the template “Stretch set”: To ease the back of your hip."
    assert contract.motive_label == "From the template “Stretch set”"
    page = bob_client.get(draft.program.get_absolute_url()).text
    assert "Added by the clinician" not in page and "From the template “Stretch set”" in page
    revised = draft.program
    issue(draft, by=draft.created_by)
    revised.revise(by=draft.created_by)
    copied = draft_of(revised).items.order_by("order").first()
    assert (copied.reason, copied.from_template) == ("To ease the back of your hip.", "Stretch set")
