"""Athlete fixtures: ``athlete`` is in clinic A with bob as treating clinician."""

from datetime import date

import pytest

from athletes.models import Athlete
from tests.factories import make_athlete


@pytest.fixture
def athlete(clinic_a, bob) -> Athlete:
    return make_athlete(
        clinic_a, primary_clinician=bob, first_name="Hannah", last_name="Ilves", date_of_birth=date(1992, 6, 15),
        sex=Athlete.Sex.FEMALE, email="hannah.ilves@example.com", phone="+44 7700 900123", weekly_volume_km=50,
        complaint="Right anterior hip pain on long runs", injury_history="Stress fracture 2019",
        notes="Prefers early appointments", goal_event="Lakeside Marathon",
    )


@pytest.fixture
def athlete_b(clinic_b, charlie) -> Athlete:
    return make_athlete(clinic_b, primary_clinician=charlie, first_name="Björn", last_name="Berg")
