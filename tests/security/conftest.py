"""The sweeps' world: one of every kind of record clinic A owns (``tests/security/world.py``)."""

import pytest

from tests.security.world import World, build_world


@pytest.fixture
def world(clinic_a, alice, bob, media_root) -> World:
    return build_world(clinic_a, alice, bob)
