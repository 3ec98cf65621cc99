"""Plain functions shared by test modules: clients, form data, images, PDFs read back, a Python
child process under other settings. Records are made in ``tests.factories``; fixtures live in the
conftest files. No test module imports from another test module."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from assessments.programs import handouts
from assessments.programs.models import ProgramVersion
from runphys.models import User

ROOT = Path(__file__).resolve().parents[1]


# --- Clients --------------------------------------------------------------------------------------

def logged_in(user: User) -> Client:
    """A client of its own per user, so that several users can act in one test."""
    client = Client()
    client.force_login(user)
    return client


def log_in(page, email: str, password: str) -> None:
    """Log in through the login page of a Playwright ``page`` (the browser tests)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


# --- Handouts and PDFs ----------------------------------------------------------------------------

def issue(version: ProgramVersion, *, by) -> ProgramVersion:
    """Issue a draft and render its handout now, as the task worker would after the click."""
    handouts.issue(version, by=by)
    outcome = handouts.render_version(version.pk)
    assert outcome == "ready", outcome
    version.refresh_from_db()
    return version


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def embedded_files(data: bytes) -> list:
    """The files a PDF carries: its attachments, and one "annotation" per file-attachment annotation."""
    reader = PdfReader(io.BytesIO(data))
    names = list(reader.attachments)
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            if annotation.get_object().get("/Subtype") == "/FileAttachment":
                names.append("annotation")
    return names


# --- Uploads --------------------------------------------------------------------------------------

def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (64, 48), colour=(200, 30, 30), **save) -> bytes:
    """A plain rectangle of one colour, encoded (PNG with an alpha channel; other formats RGB)."""
    buffer = io.BytesIO()
    mode = "RGBA" if image_format == "PNG" else "RGB"
    Image.new(mode, size, colour).save(buffer, image_format, **save)
    return buffer.getvalue()


def upload(data: bytes, name: str = "picture.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- Form data ------------------------------------------------------------------------------------

def exercise_form_data(**overrides) -> dict:
    """A valid POST for the clinic exercise form."""
    data = {
        "name": "Wall sit with a ball", "summary": "Isometric quadriceps work with hip adduction.",
        "region": "hip", "family": "control_strength", "addresses": ["poor_control"], "equipment": ["wall"],
        "starting_position": "Back against the wall, feet forward, a ball between the knees.",
        "steps": "Slide down to a comfortable bend.\nSqueeze the ball.\nHold, then slide up.",
        "cues": "Knees over the toes.", "faults": "Heels lifting.", "cautions": "Stop if the kneecap aches.",
        "sets": "3", "reps": "5", "hold_seconds": "20", "rest_seconds": "60", "sessions_per_day": "1",
        "days_per_week": "4", "side": "both", "tempo": "", "load": "body_weight", "load_kg": "", "band_colour": "",
        "pain_ceiling": "3", "progression_criterion": "Five 30-second holds.", "progression": "", "regression": "",
        "progression_note": "", "video_url": "", "credit": "Clinic A protocol",
    }
    data.update(overrides)
    return data


# The reading slots of the assessment entry screen, as its form prefixes name them.
SLOTS = [
    f"{block}-{movement}-{side}"
    for block, movements in (("main", ("ir", "er")), ("second", ("ir", "er")), ("extension", ("extension",)))
    for movement in movements for side in ("left", "right")
]


def entry_data(clinician, values=None, *, assessed_on=None, **extra) -> dict:
    """A POST of the entry screen: ``values`` maps slots ("main-ir-left") to degrees; ``extra``
    overrides any field by its full name (use "__" for "-")."""
    data = {
        "assessment-assessed_on": (assessed_on or timezone.localdate()).isoformat(),
        "assessment-clinician": str(clinician.pk),
        "main-position": "prone", "main-mode": "passive", "main-instrument": "goniometer",
        "second-position": "seated_90_90", "second-mode": "passive", "second-instrument": "goniometer",
        "extension-instrument": "goniometer",
    }
    for slot in SLOTS:
        data[f"{slot}-degrees"] = ""
        data[f"{slot}-end_feel"] = "not_tested"
    values = {"main-ir-left": "24", "main-ir-right": "38", "main-er-left": "40", "main-er-right": "42"} | (
        values or {})
    for slot, value in values.items():
        data[f"{slot}-degrees"] = str(value)
    data.update({name.replace("__", "-"): value for name, value in extra.items()})
    return data


# --- Races on PostgreSQL -------------------------------------------------------------------------

def lock_waiters() -> int:
    """How many connections to the test database wait on a lock now (PostgreSQL), for a test that
    holds a lock until the requests it races are all waiting on it."""
    with connection.cursor() as cursor:
        # Statistics views are read once per transaction unless the snapshot is cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


# --- Settings in a child process ------------------------------------------------------------------

GOOD_KEY = "k" * 20 + "-production-secret-key-for-the-test-only-0123456789"
PRODUCTION = {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "physio.example",
              "EMAIL_HOST": "smtp.example"}
# Prefix of a ``run_python`` program that reads the settings as ``s``.
SETUP = "import django; django.setup(); from django.conf import settings as s; "


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python with the project's settings read from ``env`` alone (none of
    this process's DJANGO_, EMAIL_ or DATABASE_URL variables)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "DATABASE_URL"))}
    clean["DJANGO_SETTINGS_MODULE"] = "runphys.settings"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean | env, capture_output=True,
                          text=True, timeout=120)


def unmasked(page: str) -> str:
    """The page without what differs on every response: CSRF tokens (masked anew) and CSP nonces."""
    return re.sub(r'(CSRFToken": "|csrfmiddlewaretoken" value="|nonce=")[^"]+', r"\1", page)
