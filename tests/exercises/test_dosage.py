"""The §6 dosage ranges hold on every path: the form refuses with a clear message, model
validation refuses, and the database refuses a value that slips past both."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exercises.dosage import RANGES, BandColour, Dosage, Load, Side
from exercises.models import Exercise, ProgramTemplateItem
from tests.factories import make_exercise, make_template

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = [
    ("sets", 0), ("sets", 11), ("reps", 0), ("reps", 201), ("hold_seconds", 301), ("rest_seconds", 601),
    ("sessions_per_day", 0), ("sessions_per_day", 6), ("days_per_week", 0), ("days_per_week", 8),
    ("pain_ceiling", 11),
]


@pytest.mark.parametrize(("field", "value"), OUT_OF_RANGE)
def test_the_database_refuses_a_dosage_outside_the_ranges(clinic_exercise, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(pk=clinic_exercise.pk).update(**{field: value})


@pytest.mark.parametrize(("field", "value"), OUT_OF_RANGE)
def test_the_database_refuses_the_same_on_template_items(clinic_exercise, clinic_a, field, value):
    item = make_template(clinic_a, [clinic_exercise]).items.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramTemplateItem.objects.filter(pk=item.pk).update(**{field: value})


@pytest.mark.parametrize("update", [
    {"side": "sideways"},
    {"tempo": "3-1-1"},
    {"tempo": "slow"},
    {"load": Load.KG},  # a weight is missing
    {"load": Load.KG, "load_kg": Decimal("250")},
    {"load": Load.BAND},  # a colour is missing
    {"load": Load.BAND, "band_colour": "purple"},
    {"load": Load.NONE, "band_colour": BandColour.RED},
    {"load": Load.BODY_WEIGHT, "load_kg": Decimal("5")},
])
def test_the_database_refuses_inconsistent_side_tempo_and_load(clinic_exercise, update):
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(pk=clinic_exercise.pk).update(**update)


@pytest.mark.parametrize("update", [
    {"tempo": "3-1-1-0"}, {"tempo": "X-0-2-1"}, {"tempo": "10-0-1-0"},
    {"load": Load.KG, "load_kg": Decimal("2.5")},
    {"load": Load.BAND, "band_colour": BandColour.GOLD},
    {"side": Side.ALTERNATING, "pain_ceiling": 0, "hold_seconds": 300, "rest_seconds": 600},
])
def test_the_database_accepts_values_inside_the_ranges(clinic_exercise, update):
    Exercise.objects.filter(pk=clinic_exercise.pk).update(**update)
    clinic_exercise.refresh_from_db()
    for field, value in update.items():
        assert getattr(clinic_exercise, field) == value


def test_model_validation_names_the_range(clinic_exercise):
    clinic_exercise.sets = 12
    clinic_exercise.load = Load.BAND
    with pytest.raises(ValidationError) as error:
        clinic_exercise.full_clean()
    assert error.value.message_dict["sets"] == ["Sets must be from 1 to 10."]
    assert error.value.message_dict["band_colour"] == ["Choose the band colour."]


def test_every_range_has_a_message_and_a_constraint():
    constraint_names = {c.name for c in Dosage.Meta.constraints}
    for field, (low, high, message) in RANGES.items():
        assert str(low) in message and str(high) in message
        assert f"%(app_label)s_%(class)s_{field}_range" in constraint_names


def test_labels_for_a_handout(clinic_a):
    exercise = make_exercise(clinic_a, sets=2, reps=8, hold_seconds=5, sessions_per_day=2, days_per_week=7,
                             load=Load.KG, load_kg=Decimal("2.5"))
    assert exercise.dose_line.startswith("2 × 8 · hold 5 s · ")
    assert exercise.frequency_label == "2 times a day, every day"
    assert exercise.load_label == "2.5 kg"
    exercise.load, exercise.load_kg, exercise.band_colour = Load.BAND, None, BandColour.GREEN
    assert exercise.load_label == "Green band"


def test_one_dose_line_for_pages_and_handout(clinic_a):
    exercise = make_exercise(clinic_a, sets=3, reps=10, hold_seconds=2, rest_seconds=0, side="left", sessions_per_day=1,
                    days_per_week=5, load=Load.NONE, tempo="", pain_ceiling=None)
    assert exercise.dose_line == "3 × 10 · hold 2 s · left · once a day, 5 days a week"
    assert exercise.full_dose_line == exercise.dose_line
    exercise.rest_seconds, exercise.side, exercise.sessions_per_day, exercise.days_per_week = 45, "both", 2, 7
    exercise.load, exercise.band_colour, exercise.tempo, exercise.pain_ceiling = Load.BAND, BandColour.RED, "3-1-1-0", 3
    assert exercise.dose_line == "3 × 10 · hold 2 s · rest 45 s · both sides · 2 times a day, every day"
    assert exercise.full_dose_line == exercise.dose_line + " · red band · tempo 3-1-1-0 · pain ≤ 3/10"
