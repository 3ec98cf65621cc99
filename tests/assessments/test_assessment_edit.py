"""Correcting an assessment on the same entry screen."""

from datetime import date

import pytest
from django.urls import reverse

from assessments.models import Assessment, Reading
from runphys.models import AuditEvent
from tests.factories import FOUR, make_assessment
from tests.helpers import entry_data

pytestmark = pytest.mark.django_db


def url(assessment) -> str:
    return reverse("assessments:edit", args=[assessment.code])


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_form_comes_back_filled_and_a_correction_is_saved(request, who, assessment, bob):
    client = request.getfixturevalue(f"{who}_client")
    page = client.get(url(assessment)).text
    assert 'name="main-ir-left-degrees" value="24.0"' in page or 'value="24.0"' in page
    response = client.post(url(assessment), entry_data(bob, {"main-ir-left": "26"},
                                                       assessed_on=assessment.assessed_on))
    assert response.status_code == 302
    assert Reading.objects.get(assessment=assessment, side="left", movement="ir").degrees == 26
    assert Reading.objects.filter(assessment=assessment).count() == 4
    event = AuditEvent.objects.get(action="update", target_id=str(assessment.code))
    assert event.fields == ["readings"]
    assert AuditEvent.objects.filter(action="view", target_id=str(assessment.code)).count() == 1


def test_a_second_block_and_extension_come_back_in_their_places(alice_client, athlete, bob):
    assessment = make_assessment(athlete, bob, [
        ("left", "ir", 30), ("right", "ir", 31), ("left", "er", 40), ("right", "er", 41),
        {"side": "left", "movement": "ir", "degrees": 20, "position": "seated_90_90"},
        {"side": "right", "movement": "extension", "degrees": -4},
    ], assessed_on=date(2026, 2, 2))
    entry = alice_client.get(url(assessment)).context["entry"]
    assert entry.block_forms["second"].initial["position"] == "seated_90_90"
    assert entry.reading_forms["second"]["ir"]["left"].instance.degrees == 20
    assert entry.reading_forms["extension"]["extension"]["right"].instance.degrees == -4
    assert entry.reading_forms["main"]["ir"]["left"].instance.degrees == 30


def test_invalid_correction_changes_nothing(alice_client, assessment, bob):
    response = alice_client.post(url(assessment), entry_data(bob, {"main-ir-left": "120"}))
    assert response.status_code == 200 and "must be between" in response.text
    assert Reading.objects.get(assessment=assessment, side="left", movement="ir").degrees == 24
    assert not AuditEvent.objects.filter(action="update").exists()


def test_the_athlete_summary_follows_the_correction(alice_client, assessment, bob):
    alice_client.post(url(assessment), entry_data(bob, {"main-ir-left": "38", "main-ir-right": "38"},
                                                  assessed_on=assessment.assessed_on))
    assessment.athlete.refresh_from_db()
    assert assessment.athlete.open_findings_count == 0


def test_charlie_gets_404(charlie_client, charlie, assessment):
    assert charlie_client.get(url(assessment)).status_code == 404
    assert charlie_client.post(url(assessment), entry_data(charlie, {"main-ir-left": "50"})).status_code == 404
    assert Reading.objects.get(assessment=assessment, side="left", movement="ir").degrees == 24


def test_wrong_method(alice_client, assessment):
    assert alice_client.delete(url(assessment)).status_code == 405
    assert Assessment.objects.count() == 1


def test_readings_are_updated_in_place_keeping_their_ids(alice_client, athlete, bob):
    """A re-measured value keeps its row; an emptied slot's row goes, a new slot gets a new row."""
    assessment = make_assessment(athlete, bob, [*FOUR, ("right", "extension", -4)])
    before = {(r.side, r.movement): r.pk for r in Reading.objects.filter(assessment=assessment)}
    response = alice_client.post(url(assessment), entry_data(
        bob, {"main-ir-left": "27", "extension-extension-left": "-3"}, assessed_on=assessment.assessed_on))
    assert response.status_code == 302
    after = {(r.side, r.movement): r for r in Reading.objects.filter(assessment=assessment)}
    assert after[("left", "ir")].pk == before[("left", "ir")]
    assert after[("left", "ir")].degrees == 27
    assert {key: after[key].pk for key in [("right", "ir"), ("left", "er"), ("right", "er")]} == {
        key: before[key] for key in [("right", "ir"), ("left", "er"), ("right", "er")]}
    assert ("right", "extension") not in after
    assert after[("left", "extension")].pk not in before.values()
    assert after[("left", "extension")].degrees == -3
