"""Standing test users: alice (clinic admin) and bob (clinician) in clinic A; charlie (clinic
admin) in clinic B. Small factories beat fixture files."""

import os

import pytest
from django.test import Client

from runphys.models import Clinic, Membership, User

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "lateral-hip-rotation-42"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(email: str, full_name: str, clinic: Clinic | None, role: str = Membership.Role.CLINICIAN) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=full_name)
    if clinic is not None:
        Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


@pytest.fixture
def clinic_a(db) -> Clinic:
    return Clinic.objects.create(name="Clinic A Physio", email="desk@clinic-a.example", phone="020 0000 0001")


@pytest.fixture
def clinic_b(db) -> Clinic:
    return Clinic.objects.create(name="Clinic B Sports", email="desk@clinic-b.example")


@pytest.fixture
def alice(clinic_a) -> User:
    return make_user("alice@clinic-a.example", "Alice Archer", clinic_a, Membership.Role.ADMIN)


@pytest.fixture
def bob(clinic_a) -> User:
    return make_user("bob@clinic-a.example", "Bob Baker", clinic_a)


@pytest.fixture
def charlie(clinic_b) -> User:
    return make_user("charlie@clinic-b.example", "Charlie Chen", clinic_b, Membership.Role.ADMIN)


def logged_in(user: User) -> Client:
    """A client of its own per user, so that several users can act in one test."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return logged_in(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return logged_in(bob)


@pytest.fixture
def charlie_client(charlie) -> Client:
    return logged_in(charlie)
