"""Assessments and readings: database constraints, scoping and the link to the findings rules."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from assessments.models import Assessment, Reading
from tests.factories import FOUR, make_assessment, make_athlete

pytestmark = pytest.mark.django_db


def add_reading(assessment, **kw):
    fields = {"side": "left", "movement": "ir", "degrees": D(30), "position": "prone"} | kw
    with transaction.atomic():
        return Reading.objects.create(assessment=assessment, **fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"movement": "ir", "degrees": D(-20)}, {"movement": "er", "degrees": D(90)},
        {"movement": "extension", "degrees": D(-30), "position": "modified_thomas"},
        {"movement": "extension", "degrees": D(40), "position": "modified_thomas"},
        {"degrees": D("27.5")}, {"degrees": D("27.3"), "instrument": "digital_inclinometer"},
        {"degrees": None, "not_tested": True, "not_tested_reason": "Too painful to lie prone"},
        {"pain": 10, "end_feel": "spasm"},
    ],
)
def test_accepted_readings(assessment, fields):
    add_reading(assessment, side="left", position=fields.pop("position", "seated_90_90"), **fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"degrees": D("-20.5")}, {"degrees": D("90.5")}, {"movement": "er", "degrees": D(91)},
        {"movement": "extension", "degrees": D("-30.5"), "position": "modified_thomas"},
        {"movement": "extension", "degrees": D("40.5"), "position": "modified_thomas"},
        {"degrees": D("27.3")},                                      # tenths need a digital inclinometer
        {"degrees": D("27.3"), "instrument": "smartphone_app"},
        {"degrees": None},                                           # no value and not marked untested
        {"degrees": None, "not_tested": True},                       # untested needs a reason
        {"degrees": D(30), "not_tested": True, "not_tested_reason": "x"},
        {"pain": 11}, {"end_feel": "bony"}, {"side": "both"}, {"instrument": "tape"},
        {"movement": "extension", "position": "prone"},              # extension is the Thomas test
        {"movement": "ir", "position": "modified_thomas"},
    ],
)
def test_refused_readings(assessment, fields):
    with pytest.raises(IntegrityError):
        add_reading(assessment, position=fields.pop("position", "seated_90_90"), **fields)


def test_one_reading_per_side_movement_position_and_mode(assessment):
    with pytest.raises(IntegrityError):
        add_reading(assessment, side="left", movement="ir", position="prone")
    add_reading(assessment, side="left", movement="ir", position="prone", mode="active")


@pytest.mark.parametrize("field", ["pain_at_rest", "pain_running"])
def test_assessment_pain_is_0_to_10(athlete, bob, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_assessment(athlete, bob, **{field: 11})


def test_assessments_are_scoped_to_the_clinic_of_the_athlete(assessment, alice, charlie, clinic_b, bob):
    other = make_assessment(make_athlete(clinic_b), charlie, FOUR)
    assert list(Assessment.objects.for_user(alice)) == [assessment]
    assert list(Assessment.objects.for_user(charlie)) == [other]


def test_the_athlete_cannot_be_deleted_while_assessed(assessment):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        assessment.athlete.delete()


def test_session_carries_rater_sex_and_untested_readings(athlete, bob):
    assessment = make_assessment(athlete, bob, [
        ("left", "ir", 30), {"side": "right", "movement": "ir", "degrees": None, "not_tested": True,
                             "not_tested_reason": "Knee pain"},
    ], knee_valgus=True)
    session = Assessment.objects.with_readings().get(pk=assessment.pk).session()
    assert session.rater == bob.pk and session.sex == "female"
    assert session.compensations == ("knee_valgus",)
    assert [(r.side, r.degrees) for r in session.readings] == [("left", D(30)), ("right", None)]
