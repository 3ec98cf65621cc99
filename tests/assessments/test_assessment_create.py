"""Recording an assessment on the one-screen entry form."""

import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, AssessmentDefaults, Reading
from runphys.models import AuditEvent
from tests.factories import make_athlete
from tests.helpers import entry_data

pytestmark = pytest.mark.django_db


def url(athlete) -> str:
    return reverse("assessments:create", args=[athlete.code])


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_four_numbers_make_an_assessment(request, who, athlete):
    user = request.getfixturevalue(who)
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(url(athlete)).status_code == 200
    response = client.post(url(athlete), entry_data(user))
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    assert assessment.athlete == athlete and assessment.clinician == user and assessment.created_by == user
    readings = {(r.side, r.movement): r for r in assessment.readings.all()}
    assert {k: r.degrees for k, r in readings.items()} == {
        ("left", "ir"): 24, ("right", "ir"): 38, ("left", "er"): 40, ("right", "er"): 42}
    assert {(r.position, r.mode, r.instrument, r.end_feel) for r in readings.values()} == {
        ("prone", "passive", "goniometer", "not_tested")}
    event = AuditEvent.objects.get(action="create", target_type="assessment")
    assert event.target_id == str(assessment.code) and event.actor == user and "readings" in event.fields
    athlete.refresh_from_db()
    # Rosa (female): left IR 24° is under 36.9°, and 14° of asymmetry is at least max(10°, 12°).
    # Left IR 24° (women: below 36.9°, and under mean − 2 SD 27.8° without pain) and the asymmetry.
    assert athlete.last_assessed_on == assessment.assessed_on and athlete.open_findings_count == 3


def test_the_form_starts_from_the_clinic_defaults_and_tabs_left_to_right(alice_client, clinic_a, athlete):
    AssessmentDefaults.objects.create(clinic=clinic_a, position="seated_90_90", mode="active",
                                      instrument="digital_inclinometer")
    page = alice_client.get(url(athlete)).text
    assert 'value="seated_90_90" selected' in page and 'value="active" selected' in page
    assert 'value="digital_inclinometer" selected' in page
    order = [page.index(f'name="main-{slot}-degrees"') for slot in ("ir-left", "ir-right", "er-left", "er-right")]
    assert order == sorted(order)
    first_input = re.search(r'<input[^>]*name="main-ir-left-degrees"[^>]*>', page).group(0)
    assert "autofocus" in first_input
    assert "js/assessments.js" in page and "<script>" not in page and " style=" not in page


def test_optional_blocks_extension_and_untested_readings(alice_client, alice, athlete):
    data = entry_data(
        alice, {"second-ir-left": "30", "second-ir-right": "31", "extension-extension-left": "-5",
                "main-ir-right": ""},
        main__ir__right__not_tested="on", main__ir__right__not_tested_reason="Too sore to lie prone",
        main__ir__left__pain="3", main__ir__left__end_feel="firm", assessment__knee_valgus="on",
    )
    response = alice_client.post(url(athlete), data)
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.knee_valgus and not assessment.pelvis_early_rotation
    right_ir = assessment.readings.get(side="right", movement="ir", position="prone")
    assert right_ir.not_tested and right_ir.degrees is None and right_ir.not_tested_reason == "Too sore to lie prone"
    left_ir = assessment.readings.get(side="left", movement="ir", position="prone")
    assert (left_ir.pain, left_ir.end_feel) == (3, "firm")
    assert assessment.readings.get(position="seated_90_90", side="left").degrees == 30
    extension = assessment.readings.get(movement="extension")
    assert (extension.position, extension.degrees) == ("modified_thomas", -5)
    assert assessment.readings.count() == 7


@pytest.mark.parametrize(
    ("values", "extra", "message"),
    [
        ({"main-ir-left": "95"}, {}, "must be between −20° and 90°"),
        ({"main-er-right": "-21"}, {}, "must be between −20° and 90°"),
        ({"extension-extension-left": "41"}, {}, "must be between −30° and 40°"),
        ({"main-ir-left": "27.3"}, {}, "tenths need a digital inclinometer"),
        ({"main-ir-left": ""}, {}, "Enter the value, or tick"),
        ({"main-ir-left": "30"}, {"main__ir__left__not_tested": "on", "main__ir__left__not_tested_reason": "x"},
         "not both"),
        ({"main-ir-left": ""}, {"main__ir__left__not_tested": "on"}, "Say why it was not tested"),
        ({}, {"second__ir__left__pain": "4"}, "Enter the value for the pain"),
        ({}, {"main__ir__left__pain": "11"}, "less than or equal to 10"),
        ({}, {"assessment__pain_at_rest": "12"}, "less than or equal to 10"),
        ({"second-ir-left": "30"}, {"second__position": "prone"}, "different from the first block"),
        ({}, {"main__instrument": "tape"}, "Select a valid choice"),
    ],
)
def test_values_outside_the_accepted_range_or_incomplete_are_refused_and_nothing_is_saved(
        alice_client, alice, athlete, values, extra, message):
    data = entry_data(alice, values, **extra)
    response = alice_client.post(url(athlete), data)
    assert response.status_code == 200
    assert message in response.text
    assert 'data-testid="entry-errors"' in response.text
    assert not Assessment.objects.exists() and not Reading.objects.exists()
    assert not AuditEvent.objects.filter(action="create", target_type="assessment").exists()
    # Nothing typed is lost: every value comes back.
    for slot_value in (v for v in values.values() if v):
        assert f'value="{slot_value}"' in response.text


def test_tenths_are_accepted_from_a_digital_inclinometer(alice_client, alice, athlete):
    response = alice_client.post(url(athlete), entry_data(alice, {"main-ir-left": "27.3"},
                                                          main__instrument="digital_inclinometer"))
    assert response.status_code == 302
    assert Reading.objects.get(side="left", movement="ir").degrees == D("27.3")


@pytest.mark.parametrize(
    ("values", "warning"),
    [
        ({"main-ir-left": "9.5"}, "Left IR 9.5° is unusual"),
        ({"main-er-right": "71"}, "Right ER 71° is unusual"),
        ({"main-ir-left": "12", "main-er-left": "20"}, "Left total arc 32° is unusual"),
    ],
)
def test_implausible_values_need_an_explicit_confirmation(alice_client, alice, athlete, values, warning):
    first = alice_client.post(url(athlete), entry_data(alice, values))
    assert first.status_code == 200 and warning in first.text
    assert 'name="plausibility-confirm"' in first.text
    assert not Assessment.objects.exists()
    key = first.context["entry"].confirm_form.initial["warnings_key"]

    unticked = alice_client.post(url(athlete), entry_data(alice, values, plausibility__warnings_key=key))
    assert unticked.status_code == 200 and not Assessment.objects.exists()

    confirmed = alice_client.post(url(athlete), entry_data(alice, values, plausibility__confirm="on",
                                                           plausibility__warnings_key=key))
    assert confirmed.status_code == 302
    assert Assessment.objects.count() == 1


def test_a_confirmation_does_not_carry_over_to_a_different_unusual_value(alice_client, alice, athlete):
    first = alice_client.post(url(athlete), entry_data(alice, {"main-ir-left": "9"}))
    key = first.context["entry"].confirm_form.initial["warnings_key"]
    changed = alice_client.post(url(athlete), entry_data(alice, {"main-ir-left": "8"}, plausibility__confirm="on",
                                                         plausibility__warnings_key=key))
    assert changed.status_code == 200 and "Left IR 8° is unusual" in changed.text
    assert not Assessment.objects.exists()


def test_the_confirmation_box_appears_only_after_a_first_submit(alice_client, athlete):
    assert 'name="plausibility-confirm"' not in alice_client.get(url(athlete)).text


@pytest.mark.parametrize(
    ("day", "message"),
    [(timezone.localdate() + timedelta(days=1), "in the future"), (date(1990, 5, 16), "before the athlete was born")],
)
def test_the_date_is_not_in_the_future_nor_before_birth(alice_client, alice, athlete, day, message):
    response = alice_client.post(url(athlete), entry_data(alice, assessed_on=day))
    assert response.status_code == 200 and message in response.text
    assert not Assessment.objects.exists()


def test_the_clinician_must_belong_to_the_clinic(alice_client, alice, athlete, charlie):
    response = alice_client.post(url(athlete), entry_data(charlie))
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not Assessment.objects.exists()


def test_charlie_cannot_assess_another_clinics_athlete(charlie_client, charlie, athlete):
    assert charlie_client.get(url(athlete)).status_code == 404
    assert charlie_client.post(url(athlete), entry_data(charlie)).status_code == 404
    assert not Assessment.objects.exists()


def test_archived_athletes_are_not_assessed(alice_client, alice, clinic_a):
    archived = make_athlete(clinic_a)
    archived.archive(actor=alice)
    assert alice_client.get(url(archived)).status_code == 404


def test_wrong_method(alice_client, athlete):
    assert alice_client.put(url(athlete)).status_code == 405
    assert alice_client.delete(url(athlete)).status_code == 405
