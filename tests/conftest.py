"""Standing test users: alice (clinic admin) and bob (clinician) in clinic A; charlie (clinic
admin) in clinic B, and the fixtures more than one directory uses. Small factories
(``tests.factories``) beat fixture files."""

import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings

from runphys.models import Clinic, Membership, User
from tests.factories import make_user
from tests.helpers import logged_in

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory):
    """Sessions are cached in files (settings.CACHES): a test run keeps them in a folder of its own
    (one per xdist worker), not in the checkout's var/cache."""
    cache = {**django_settings.CACHES["default"], "LOCATION": str(tmp_path_factory.mktemp("cache"))}
    with override_settings(CACHES={**django_settings.CACHES, "default": cache}):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fresh_fragments():
    """No page fragment or page state kept by an earlier test (``runphys.fragments``)."""
    from django.core.cache import caches

    from runphys import fragments

    caches["fragments"].clear()
    fragments.LAST_STATES.clear()


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
def media_root(settings, tmp_path):
    """Uploaded pictures and stored handouts go to a folder of the test's own, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def http_server():
    """A loopback HTTP server that counts every request made to it: (its origin, the paths asked for)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


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
