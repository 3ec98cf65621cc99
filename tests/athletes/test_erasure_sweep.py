"""The erasure sweep: an athlete whose name, email address and phone number were written into every
path the app has (profile, assessments and not-tested reasons, program titles, item notes and
criteria, issued handouts, emails sent and refused, comments through their link, an export) is
erased, and then every text, JSON and file column of every model of every app, every session and
every stored file (a PDF's text and metadata too) is read for any of them. None may remain.

What stays on purpose is in ``athletes.erasure``'s docstring: codes in the audit log, the
measurements and the clinician, the handout re-rendered from the anonymised record, the clinical
words of a not-tested reason or a title with the athlete's identifiers replaced by "[erased]".
"""

import io
import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import models
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import Reading
from assessments.programs import deliveries
from assessments.programs.models import DayComment, ProgramLink, ProgramVersion
from runphys.models import AuditEvent, EmailDelivery
from tests.factories import PASSWORD, make_assessment, make_athlete, make_library, make_program
from tests.helpers import issue, pdf_text

pytestmark = pytest.mark.django_db

FIRST, LAST, EMAIL, PHONE = "Erin", "Erasable", "erin.erasable@example.com", "07700 900123"
# Names as whole words in any case ("lowering" holds "erin" but names nobody); the address
# anywhere; the phone by its digits, however they are spaced.
NAMES = re.compile(rf"\b(?:{FIRST}|{LAST})\b", re.IGNORECASE)
PHONE_DIGITS = re.sub(r"\D", "", PHONE).lstrip("0")


def identifies(text: str) -> bool:
    return bool(NAMES.search(text)) or EMAIL in text.lower() or PHONE_DIGITS in re.sub(r"\D", "", text)


def text_columns(model) -> list[models.Field]:
    kinds = (models.CharField, models.TextField, models.JSONField, models.FileField)
    return [field for field in model._meta.concrete_fields if isinstance(field, kinds)]


def database_findings() -> list[str]:
    """Every text, JSON and file-name value of every row of every model that names the athlete."""
    found = []
    for model in apps.get_models():
        for field in text_columns(model):
            for pk, value in model._base_manager.values_list("pk", field.attname):
                text = json.dumps(value) if isinstance(field, models.JSONField) else str(value or "")
                if identifies(text):
                    found.append(f"{model._meta.label}.{field.name} #{pk}: {text[:120]}")
    for session in Session.objects.all():  # signed, not encrypted: read what it decodes to
        decoded = json.dumps(SessionStore().decode(session.session_data), default=str)
        if identifies(decoded):
            found.append(f"session {session.pk}: {decoded[:120]}")
    return found


def file_findings(media_root) -> list[str]:
    found = []
    for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        texts = [data.decode("latin-1")]
        if data.startswith(b"%PDF-"):
            texts.append(pdf_text(data))
            texts.extend(str(value) for value in (PdfReader(io.BytesIO(data)).metadata or {}).values())
        if any(identifies(text) for text in texts):
            found.append(str(path.relative_to(media_root)))
    return found


def test_erasure_leaves_nothing_that_names_the_athlete(
        client, alice, alice_client, bob, clinic_a, media_root, smtp_server, run_tasks,
        django_capture_on_commit_callbacks):
    athlete = make_athlete(
        clinic_a, first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE,
        goal_event=f"{FIRST}'s first marathon", complaint=f"{FIRST} has a sore left hip",
        injury_history=f"{LAST} family: hip trouble", notes=f"Call {PHONE} or write to {EMAIL}")
    athlete.record_email_consent(True, by=bob)
    athlete.save(actor=bob)
    assessment = make_assessment(athlete, bob, [
        ("left", "ir", 24), ("right", "ir", 38), ("right", "er", 42),
        {"side": "left", "movement": "er", "not_tested": True,
         "not_tested_reason": f"{FIRST} {LAST} too sore to lie prone"},
    ], complaint=f"{FIRST} {LAST}: groin pain", notes=f"{FIRST.upper()} ran {LAST}'s 10k")
    library = make_library()
    program = make_program(athlete, bob, [library["Prone hip internal rotation"]], assessment=assessment,
                           title=f"{FIRST} {LAST} hip plan")
    item = program.latest.items.get()
    item.notes = f"{FIRST}, keep these up"
    item.progression_criterion = f"When {FIRST} holds 3 x 10"
    item.save()
    version = issue(program.latest, by=bob)
    assert FIRST in pdf_text(version.pdf.read()) and FIRST in PdfReader(version.pdf.path).metadata.title
    program.revise(by=bob)  # a draft, with the same title

    with django_capture_on_commit_callbacks(execute=True):
        deliveries.send(version, by=bob, request_key="sweep-sent", note=f"Good luck, {FIRST}!")
    run_tasks()
    # Sent long enough ago that a second send is a new email, not the same one folded in (two tabs).
    EmailDelivery.objects.update(sent_at=timezone.now() - deliveries.REPEAT_WINDOW - timedelta(seconds=1))
    smtp_server.handler.data_replies = [f"550 5.1.1 <{EMAIL}>: mailbox of {FIRST} {LAST} is full"]
    with django_capture_on_commit_callbacks(execute=True):
        deliveries.send(version, by=bob, request_key="sweep-refused")
    run_tasks()
    assert sorted(EmailDelivery.objects.values_list("status", flat=True)) == ["failed", "sent"]
    assert EMAIL in EmailDelivery.objects.get(status="failed").last_error

    link = ProgramLink.objects.get(program=program, ended_at__isnull=True)
    assert client.post(reverse("athlete:comment", args=[link.token]),
                       {"text": f"{FIRST} here, call me on {PHONE}"}).status_code == 302
    assert DayComment.objects.exists()
    assert alice_client.post(reverse("athlete_export", args=[athlete.code])).status_code == 200
    assert database_findings() and file_findings(media_root)  # the sweep finds what is there

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("athlete_erase", args=[athlete.code]),
                                     {"reviewed": "on", "password": PASSWORD})
    assert response.status_code == 302
    run_tasks()  # the task worker re-renders the issued handout from the anonymised record
    alice_client.get(response["Location"])  # the confirmation is shown and leaves the session

    assert database_findings() == []
    assert file_findings(media_root) == []

    # What is kept: the measurements, the clinical words, a de-identified handout, the audit trail.
    reason = Reading.objects.get(assessment=assessment, not_tested=True).not_tested_reason
    assert reason == "[erased] too sore to lie prone"
    assert set(ProgramVersion.objects.filter(program=program).values_list("title", flat=True)) == {
        "[erased] hip plan"}
    assert Reading.objects.filter(assessment=assessment, degrees__isnull=False).count() == 3
    version.refresh_from_db()
    rendered = version.pdf.read()
    assert "Anonymised athlete" in pdf_text(rendered) and "Prone hip internal rotation" in pdf_text(rendered)
    assert PdfReader(io.BytesIO(rendered)).metadata.title == "[erased] hip plan · Clinic A Physio"
    assert AuditEvent.objects.filter(action="anonymise", target_id=str(athlete.code)).exists()


@pytest.mark.parametrize("text, redacted", [
    ("Erin Erasable hip plan", "[erased] hip plan"),
    ("ERIN's plan, erasable family", "[erased]'s plan, [erased] family"),
    ("Lowering slowly, Erinna", "Lowering slowly, Erinna"),  # other words and names stay
    ("Call 07700-900-123 or +44 7700 900123", "Call [erased] or +44 [erased]"),
    ("Write to Erin.Erasable@Example.com", "Write to [erased]"),
])
def test_the_redactor_replaces_only_the_athletes_identifiers(clinic_a, text, redacted):
    from athletes.erasure import Redactor

    athlete = make_athlete(clinic_a, first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE)
    assert Redactor(athlete)(text) == redacted
