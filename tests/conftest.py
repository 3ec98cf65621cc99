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


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; Django's default mailer points at it for the test."""
    from tests.smtp import SMTPServer

    server = SMTPServer().start()
    settings.MAILERS = {"default": server.mailer}
    settings.EMAIL_RETRY_BASE_SECONDS = 0
    yield server
    server.stop()


@pytest.fixture
def run_tasks():
    """Run every ready task on the database queue in this process, the way db_worker runs them,
    until none is left. Returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="test-worker", excluded_queue_names=[])

    def run(limit: int = 500) -> int:
        ran = 0
        while ran < limit:
            result = DBTaskResult.objects.ready().order_by("-priority", "enqueued_at").first()
            if result is None:
                return ran
            result.claim(worker.worker_id)
            worker.run_task(result)
            ran += 1
        raise AssertionError("tasks keep coming: a retry loop?")

    return run
