"""What the assessments app holds of one athlete, for their data export and their erasure.

``athletes.export`` and ``athletes.erasure`` cannot import this app (imports flow the other way),
so they ask through hooks; ``AssessmentsConfig.ready`` registers the ones below, all in one place:
assessments, programs with their issued handouts, and handout emails. The module lives in the
programs room because it reaches both rooms, and only ``assessments.programs`` may import
``assessments``.
"""

from django.db import models
from django.utils import timezone

from assessments.models import Assessment, Reading, reference_table
from assessments.programs import handouts
from assessments.programs.models import (
    DayComment,
    ExerciseLog,
    HandoutDelivery,
    Program,
    ProgramItem,
    ProgramLink,
    ProgramVersion,
)
from athletes import erasure, export
from athletes.models import Athlete
from runphys import audit
from runphys.models import EmailDelivery


def register() -> None:
    export.register_section("assessments", export_section, summary="assessments/export_assessments.html")
    erasure.register_clinical_records(has_assessments)
    erasure.register_anonymiser(anonymise_free_text)
    # Programs and their issued handouts are part of the same record.
    export.register_section("programs", export_programs, summary="assessments/export_programs.html")
    export.register_section("emails", export_emails, summary="assessments/export_emails.html")
    export.register_file("handouts", export_handouts)
    erasure.register_clinical_records(has_programs)
    erasure.register_anonymiser(anonymise_programs)
    erasure.register_anonymiser(forget_recipients)


# --- Assessments ----------------------------------------------------------------------------------

def has_assessments(athlete: Athlete) -> bool:
    """The erasure check: an assessed athlete is anonymised, never deleted (records are retained)."""
    return athlete.assessments.exists()


def anonymise_free_text(athlete: Athlete, redact: erasure.Redactor) -> None:
    """The erasure anonymiser: complaint and notes are free text that may name the athlete or
    others, and are cleared; a reading's not-tested reason is part of the record (why a value is
    missing) and keeps its words with the athlete's identifiers redacted; the measurements, dates
    and findings stay (they are the retained record)."""
    assessments = Assessment.objects.filter(athlete=athlete)
    codes = [str(code) for code in assessments.values_list("code", flat=True)]
    assessments.update(complaint="", notes="")
    redact_each(Reading.objects.filter(assessment__athlete=athlete), redact, "not_tested_reason")
    for code in codes:
        audit.record("anonymise", target_type="assessment", target_id=code, clinic=athlete.clinic,
                     fields=["complaint", "notes", "not_tested_reason"])


def redact_each(rows: models.QuerySet, redact: erasure.Redactor, *fields: str, fallback: str = "") -> None:
    """Pass ``fields`` of every row through ``redact``, written by ``update()`` (issued versions
    refuse ``save()``: this is the one way erasure changes them). A text that was nothing but the
    athlete's identifiers becomes ``fallback`` when the field must not be empty."""
    for pk, *texts in rows.values_list("pk", *fields):
        changed = {}
        for field, text in zip(fields, texts, strict=True):
            redacted = redact(text)
            if redacted != text:
                changed[field] = fallback if fallback and redacted.strip() == redact.MARK else redacted
        if changed:
            rows.model.objects.filter(pk=pk).update(**changed)


def export_section(athlete: Athlete) -> list[dict]:
    """The athlete's assessments for their data export: every stored field, each reading, and the
    findings as the clinic's current references read them (with their sources)."""
    table = reference_table(athlete.clinic)
    exported = []
    for assessment in Assessment.objects.for_athlete(athlete).newest_first().with_readings():
        exported.append({
            "code": assessment.code,
            "assessed_on": assessment.assessed_on,
            "clinician": str(assessment.clinician),
            "complaint": assessment.complaint,
            "pain_at_rest": assessment.pain_at_rest,
            "pain_running": assessment.pain_running,
            "seen_while_running": assessment.compensation_labels,
            "notes": assessment.notes,
            "readings": [
                {
                    "side": r.side, "movement": r.movement, "degrees": r.degrees, "position": r.position,
                    "mode": r.mode, "instrument": r.instrument, "pain": r.pain, "end_feel": r.end_feel,
                    "not_tested": r.not_tested, "not_tested_reason": r.not_tested_reason,
                }
                for r in assessment.readings.all()
            ],
            "findings": [
                {"code": f.code, "severity": f.severity, "for_clinician": f.clinician_text,
                 "for_athlete": f.athlete_text, "source": f.source}
                for f in assessment.findings(table)
            ],
            "created_at": assessment.created_at,
            "updated_at": assessment.updated_at,
        })
    return exported


# --- Programs and their handouts ------------------------------------------------------------------

def has_programs(athlete) -> bool:
    """The erasure check: an athlete with a program is anonymised, never deleted."""
    return Program.objects.filter(athlete=athlete).exists()


def export_programs(athlete) -> list[dict]:
    """Every program of the athlete, each version with its items, for the data export."""
    exported = []
    programs = Program.objects.filter(athlete=athlete).select_related("assessment").prefetch_related(
        models.Prefetch("versions", queryset=ProgramVersion.objects.select_related("clinician", "issued_by")
                        .prefetch_related(models.Prefetch("items", queryset=ProgramItem.objects
                                                          .select_related("exercise").order_by("order", "pk")))
                        .order_by("number"))
    ).order_by("created_at", "pk")
    for program in programs:
        exported.append({
            "code": program.code,
            "assessment": program.assessment.code if program.assessment else None,
            "created_at": program.created_at,
            "versions": [
                {
                    "number": version.number, "status": version.status, "title": version.title,
                    "clinician": str(version.clinician), "starts_on": version.starts_on,
                    "review_on": version.review_on, "issued_at": version.issued_at,
                    "issued_by": str(version.issued_by) if version.issued_by else None,
                    "handout": handout_export_name(program, version) if version.is_issued else None,
                    "items": [
                        {"exercise": item.exercise.name, "order": item.order, "suggested_for": item.finding,
                         "notes": item.notes, **item.dosage_values()}
                        for item in version.items.all()
                    ],
                }
                for version in program.versions.all()
            ],
            # What the athlete logged through their link.
            "logged": [
                {"day": log.day, "exercise": log.item.exercise.name, "version": log.version.number, "done": log.done,
                 "pain": log.pain, "felt": log.get_feel_display() if log.feel else ""}
                for log in ExerciseLog.objects.filter(version__program=program)
                .select_related("item__exercise", "version").order_by("day", "item__order")
            ],
            "comments": [{"day": c.day, "text": c.text}
                         for c in DayComment.objects.filter(program=program).order_by("day")],
        })
    return exported


def handout_export_name(program: Program, version: ProgramVersion) -> str:
    return f"program-{program.code}-v{version.number}.pdf"


def export_handouts(athlete):
    """The stored PDF of every issued version, as issued (one still being rendered is left out)."""
    versions = ProgramVersion.objects.issued().filter(program__athlete=athlete).select_related("program")
    for version in versions.exclude(pdf="").order_by("program__created_at", "number"):
        with version.pdf.open("rb") as stored:
            yield handout_export_name(version.program, version), stored.read()


ERASED_TITLE = "Exercise program"


def anonymise_programs(athlete, redact: erasure.Redactor) -> None:
    """The erasure anonymiser for programs (see ``athletes.erasure``), run once the athlete's own
    fields are replaced. Programs stay, as the retained clinical record, but de-identified:

    - notes for the athlete are cleared (free text that may name them or others);
    - every version's title (the handout's heading and the PDF's /Title), each item's progression
      criterion and finding detail, and a render's error keep their words with the athlete's
      identifiers redacted (a title that was only the name becomes "Exercise program");
    - every issued version's stored handout, which printed the athlete's name, is deleted once the
      erasure commits and rendered again from the anonymised record by the task worker
      (``handouts.rerender``). Issued versions are otherwise frozen (``ProgramVersion.save``
      refuses); this one path replaces their PDF, and audits it.
    """
    ProgramItem.objects.filter(version__program__athlete=athlete).exclude(notes="").update(notes="")
    redact_each(ProgramItem.objects.filter(version__program__athlete=athlete), redact,
                "progression_criterion", "finding_detail")
    redact_each(ProgramVersion.objects.filter(program__athlete=athlete), redact, "title", fallback=ERASED_TITLE)
    redact_each(ProgramVersion.objects.filter(program__athlete=athlete), redact, "handout_error")
    # The athlete's own words go, and their links end (what they logged stays, as the record).
    DayComment.objects.filter(program__athlete=athlete).delete()
    ProgramLink.objects.filter(program__athlete=athlete).open().update(
        ended_at=timezone.now(), ending=ProgramLink.Ending.ERASED)
    for version in ProgramVersion.objects.issued().filter(program__athlete=athlete):
        handouts.rerender(version)
        audit.record("anonymise", target_type="program_version", target_id=str(version.code), clinic=athlete.clinic,
                     fields=["pdf", "notes", "title"])


# --- Handout emails ------------------------------------------------------------------------------

def export_emails(athlete) -> list[dict]:
    """The handout emails sent or asked for: when, to which address, which version, what became of it."""
    return [
        {"asked_at": d.created_at, "program": d.version.title, "version": d.version.number,
         "to": d.email.recipient, "note": d.note, "status": d.email.get_status_display(),
         "sent_at": d.email.sent_at}
        for d in HandoutDelivery.objects.filter(version__program__athlete=athlete)
        .select_related("email", "version").order_by("created_at")
    ]

ERASED = "Cancelled: the athlete's record was erased before it was sent."


def forget_recipients(athlete, redact: erasure.Redactor) -> None:
    """The erasure anonymiser for handout emails: the records keep what was sent and when, not to
    whom (the address is the athlete's) nor the physio's personal note (a mail server's reason for
    refusing it often quotes the address, so the reason is redacted too), and an email still in the
    queue, or waiting for its PDF, is cancelled, so a handout never reaches an athlete whose record
    was erased. A worker only claims a queued row (``runphys.emails.claim``) and only waiting rows
    are released, so once this commits none of them goes out; one already being handed to the mail
    server at this moment cannot be called back."""
    sent = EmailDelivery.objects.filter(handout__version__program__athlete=athlete)
    unsent = sent.filter(status__in=[EmailDelivery.Status.WAITING, EmailDelivery.Status.QUEUED])
    unsent.update(status=EmailDelivery.Status.FAILED, failed_at=timezone.now(), last_error=ERASED)
    sent.update(recipient="", body_text="", body_html="", attachment_path="")
    redact_each(sent, redact, "subject", "last_error", "attachment_name")
    # The physio's personal notes are free text that may name the athlete.
    HandoutDelivery.objects.filter(version__program__athlete=athlete).exclude(note="").update(note="")
