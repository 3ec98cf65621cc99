"""Fixtures for the exercise library: the shipped library and a clinic exercise.

Every test here writes uploads under its own temporary MEDIA_ROOT, never into var/media.
"""

import pytest

from exercises.library import load_library
from exercises.models import Exercise
from tests.factories import make_exercise


@pytest.fixture(autouse=True)
def _own_media_root(media_root) -> None:
    pass


@pytest.fixture
def library(db) -> None:
    load_library()


@pytest.fixture
def clinic_exercise(clinic_a) -> Exercise:
    return make_exercise(clinic_a)
