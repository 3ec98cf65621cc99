"""Programs and their issued handouts are part of the athlete's record: in the data export, and a
reason to anonymise rather than delete on erasure."""

import io
import json
import zipfile

import pytest

from athletes import erasure, export
from tests.factories import make_athlete, make_program, make_world
from tests.helpers import issue

pytestmark = pytest.mark.django_db


def test_export_holds_every_version_and_the_stored_handouts(clinic_a, bob, settings):
    world = make_world(clinic_a, bob)
    athlete, assessment, program = world.athlete, world.assessment, world.program
    first = program.latest
    issue(first, by=bob)
    program.revise(by=bob)  # a draft: in the JSON, without a handout
    result = export.build(athlete)
    assert result.filename == f"athlete-{athlete.code}.zip"
    archive = zipfile.ZipFile(io.BytesIO(result.content))
    document = json.loads(archive.read("athlete.json"))
    [exported] = document["programs"]
    assert exported["code"] == str(program.code) and exported["assessment"] == str(assessment.code)
    assert [(v["number"], v["status"]) for v in exported["versions"]] == [(1, "issued"), (2, "draft")]
    assert [i["exercise"] for i in exported["versions"][0]["items"]] == [
        "Prone hip internal rotation", "Single-leg rotational hip control"]
    name = f"handouts/program-{program.code}-v1.pdf"
    assert document["files"] == [name]
    first.refresh_from_db()
    assert archive.read(name) == (settings.MEDIA_ROOT / first.pdf.name).read_bytes()


def test_the_summary_is_the_record_for_a_person_to_read(clinic_a, bob):
    from assessments.programs import deliveries

    world = make_world(clinic_a, bob)
    athlete = world.athlete
    athlete.email = "ines@runner.example"
    athlete.record_email_consent(True, by=bob)
    athlete.save(actor=bob)
    issue(world.program.latest, by=bob)
    deliveries.send(world.program.latest, by=bob, request_key="summary-test", note="See you on the 14th & good luck")
    archive = zipfile.ZipFile(io.BytesIO(export.build(athlete).content))
    summary = " ".join(archive.read("summary.html").decode().split())
    assert "Your record at Clinic A Physio" in summary and "Ines Okafor" in summary
    assert "Your assessments" in summary and "measured by Bob Baker" in summary
    assert "Your left hip turns inwards less than is usual." in summary  # a finding, in the athlete's words
    assert "Hip program, version 1, given to you on" in summary
    assert "Prone hip internal rotation" in summary and "Single-leg rotational hip control" in summary
    assert "Emails we sent you" in summary and "ines@runner.example" in summary and "Queued" in summary
    assert "Note: See you on the 14th &amp; good luck" in summary  # the physio's note, as sent
    assert "<script" not in summary and "src=" not in summary


def test_a_program_alone_makes_erasure_anonymise(clinic_a, bob):
    athlete = make_athlete(clinic_a)
    assert erasure.planned_outcome(athlete) == erasure.Outcome.DELETED
    make_program(athlete, bob)
    assert erasure.planned_outcome(athlete) == erasure.Outcome.ANONYMISED


def test_anonymising_de_identifies_the_handouts_notes_and_emails(clinic_a, bob, settings, run_tasks,
                                                                 django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    from assessments.programs import athlete_records, deliveries
    from assessments.programs.models import ProgramItem, ProgramVersion
    from runphys.models import AuditEvent, EmailDelivery

    def text_of(name: str) -> str:
        return " ".join((page.extract_text() or "") for page in PdfReader(settings.MEDIA_ROOT / name).pages)

    world = make_world(clinic_a, bob)
    athlete, program = world.athlete, world.program
    from django.utils import timezone

    athlete.email, athlete.consent_email, athlete.consent_email_at = "ines.okafor@example.com", True, timezone.now()
    athlete.save(actor=bob)
    version = program.latest
    ProgramItem.objects.filter(version=version).update(notes="Ines, keep these up until the Berlin marathon")
    issue(version, by=bob)
    version = ProgramVersion.objects.for_handout().get(pk=version.pk)
    issued = version.pdf.name
    assert "Ines Okafor" in text_of(issued) and "Berlin marathon" in text_of(issued)
    queued, _ = deliveries.send(version, by=bob, request_key="erasure-test", note="Ines, good luck in Berlin")

    with django_capture_on_commit_callbacks(execute=True):
        assert erasure.erase(athlete, actor=bob) == erasure.Outcome.ANONYMISED

    version.refresh_from_db()
    assert version.is_issued and (version.handout_status, version.pdf.name) == ("queued", "")
    assert not (settings.MEDIA_ROOT / issued).exists()
    assert run_tasks() == 1  # the task worker renders the de-identified handout
    version.refresh_from_db()
    assert version.handout_ready and version.pdf.name != issued
    text = text_of(version.pdf.name)
    assert "Ines" not in text and "Okafor" not in text and "Berlin" not in text
    assert "Anonymised athlete" in text
    assert "Prone hip internal rotation" in text and "Single-leg rotational hip control" in text  # kept
    assert not ProgramItem.objects.filter(version=version).exclude(notes="").exists()
    email = EmailDelivery.objects.get(pk=queued.email.pk)
    assert (email.recipient, email.status, email.last_error) == ("", "failed", athlete_records.ERASED)
    queued.refresh_from_db()
    assert queued.note == ""  # the physio's note may name the athlete
    assert AuditEvent.objects.filter(action="anonymise", target_type="program_version",
                                     target_id=str(version.code)).exists()
    # The export now holds the de-identified handout.
    archive = zipfile.ZipFile(io.BytesIO(export.build(athlete).content))
    stored = (settings.MEDIA_ROOT / version.pdf.name).read_bytes()
    assert archive.read(f"handouts/program-{program.code}-v1.pdf") == stored
