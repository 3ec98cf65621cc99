"""Program and handout fixtures: every test here stores uploads and handouts under its own
MEDIA_ROOT; ``world`` is ``tests.factories.make_world`` for clinic A with bob as clinician."""

import pytest

from tests.factories import World, make_world


@pytest.fixture(autouse=True)
def _own_media_root(media_root) -> None:
    pass


@pytest.fixture
def world(clinic_a, bob) -> World:
    return make_world(clinic_a, bob)
