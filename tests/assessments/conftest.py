"""Assessment fixtures: Rosa (``tests.factories.make_athlete``) in clinic A, assessed by bob."""

import pytest

from assessments.models import Assessment
from athletes.models import Athlete
from tests.factories import FOUR, make_assessment, make_athlete


@pytest.fixture
def athlete(clinic_a) -> Athlete:
    return make_athlete(clinic_a)


@pytest.fixture
def assessment(athlete, bob) -> Assessment:
    return make_assessment(athlete, bob, FOUR)
