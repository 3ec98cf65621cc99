"""Emailing an issued handout to the athlete: whether it may be sent, and sending it.

Refusals come before anything is queued: not issued, a handout that failed to render, no email
address, or no recorded consent to receive email. An email asked for while the handout is still
being prepared waits for it: it is stored "waiting" and ``release_waiting`` queues it the moment
the PDF is stored, so it goes out once, after the PDF exists. The subject never carries health
details; the PDF goes under a file name that says which version, never whose.
"""

from django.db import IntegrityError, transaction

from assessments.programs.models import HandoutDelivery, HandoutEmail, ProgramVersion
from runphys import emails
from runphys.models import EmailDelivery, User


class NotSendable(Exception):
    """The handout cannot be emailed; the message says why in plain words."""


def refusal(version: ProgramVersion) -> str:
    """Why this version cannot be emailed now, or "" when it can."""
    athlete = version.program.athlete
    if not version.is_issued:
        return "Only an issued version can be emailed."
    if version.handout_failed:
        return "The handout could not be produced. Try producing it again from the program page first."
    if athlete.archived_at is not None:
        return f"{athlete.full_name} is archived. Unarchive them to email them."
    if not athlete.email:
        return f"{athlete.full_name} has no email address. Add one to their profile first."
    if not athlete.consent_email:
        return (f"{athlete.full_name} has not agreed to receive email. Record their consent on their profile "
                "before sending, or hand them the printed handout.")
    return ""


def message_context(version: ProgramVersion) -> dict:
    athlete = version.program.athlete
    clinic = athlete.clinic
    return {
        "athlete": athlete,
        "clinic": clinic,
        "version": version,
        "clinician": version.clinician,
        "clinic_message": HandoutEmail.for_clinic(clinic).message,
        "attachment_name": version.pdf_filename(),
    }


def preview(version: ProgramVersion) -> tuple[str, str]:
    subject, text, _ = emails.render_parts("handout", message_context(version))
    return subject, text


def send(version: ProgramVersion, *, by: User, request_key: str) -> tuple[HandoutDelivery, bool]:
    """Queue the handout email. Returns the delivery and whether it is new: a repeated request key
    (double click, reload of the confirmation) returns the first delivery instead of a second one."""
    reason = refusal(version)
    if reason:
        raise NotSendable(reason)
    existing = HandoutDelivery.objects.filter(email__request_key=request_key).first()
    if existing:
        return existing, False
    athlete = version.program.athlete
    try:
        with transaction.atomic():
            # Locked, so that a render finishing now either stores its PDF before this reads it, or
            # releases this email after it is stored: never neither.
            locked = ProgramVersion.objects.select_for_update().get(pk=version.pk)
            email = emails.queue(
                "handout", message_context(version), athlete.email,
                kind=EmailDelivery.Kind.HANDOUT, clinic=athlete.clinic, requested_by=by,
                reply_to=athlete.clinic.email, request_key=request_key,
                attachment_path=locked.pdf.name, attachment_name=version.pdf_filename(),
                waiting=not locked.handout_ready,
            )
            return HandoutDelivery.objects.create(version=version, email=email), True
    except IntegrityError:
        # Two requests with the same key raced; the other one won.
        return HandoutDelivery.objects.get(email__request_key=request_key), False


def release_waiting(version: ProgramVersion, pdf_name: str) -> int:
    """Queue the emails of this version that waited for its PDF (the caller stores the PDF in
    the same transaction). Returns how many."""
    waiting = EmailDelivery.objects.filter(handout__version=version, status=EmailDelivery.Status.WAITING)
    return emails.release(waiting, attachment_path=pdf_name)
