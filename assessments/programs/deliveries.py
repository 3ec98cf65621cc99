"""Emailing an issued handout to the athlete: whether it may be sent, and sending it.

Refusals come before anything is queued: not issued, a handout that failed to render, no email
address, or no recorded consent to receive email. An email asked for while the handout is still
being prepared waits for it: it is stored "waiting" and ``release_waiting`` queues it the moment
the PDF is stored, so it goes out once, after the PDF exists. The subject never carries health
details or the athlete's name (it names the clinic only); the PDF goes under a file name that says
which version, never whose.

The email is the clinic's: its From display name is the clinic's name over the configured
sender's address (so SPF and DMARC hold for our domain), its Reply-To the clinic's address (none
when the clinic has none). A clinic name or address with a line break cannot go into a header and
is refused with a message, before anything is queued. The physio's personal note goes into the
bodies only, above the clinic's message; the bodies name each exercise with its dose, so an
athlete who cannot open the PDF still knows what to do, and carry the athlete's link.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from assessments.programs.models import HandoutDelivery, HandoutEmail, ProgramLink, ProgramVersion
from runphys import emails
from runphys.models import EmailDelivery, User

# The same handout to the same address within this time is the same send (two tabs, a retry).
REPEAT_WINDOW = timedelta(minutes=10)

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
    return header_refusal(version)


def header_refusal(version: ProgramVersion) -> str:
    """Why a value this email puts into a header (the clinic's name in From and the subject, the
    clinic's address in Reply-To, the athlete's in To) cannot go there, or "". A line break would
    end the header; the mail library would refuse it in the worker, so it is refused here with a
    message instead."""
    athlete = version.program.athlete
    clinic = athlete.clinic
    if emails.line_break_in(clinic.name):
        return ("The clinic's name has a line break in it, which an email's sender and subject cannot carry. "
                "A clinic admin can correct it in the clinic settings; nothing was sent.")
    if emails.line_break_in(clinic.email):
        return ("The clinic's email address has a line break in it, so replies could not reach it. "
                "A clinic admin can correct it in the clinic settings; nothing was sent.")
    if emails.line_break_in(athlete.email):
        return (f"{athlete.full_name}'s email address has a line break in it. Correct it on their profile; "
                "nothing was sent.")
    return ""


def athlete_link_url(version: ProgramVersion) -> str:
    """The athlete's private link (``settings.SITE_URL`` + its path) for the email, or "" when the
    program has no working link (the physio ended it, or it expired: sending does not bring a link
    back; "Fresh link" on the program page does).

    Why the URL is built here, at queue time: the token exists in plain form only when the server
    derives it from the link's seed and the secret key (``ProgramLink.token``); the database holds
    the seed and a digest, never the token. The message built now is stored on the delivery until
    it is sent, like an invitation's one-time link, and both bodies are blanked once it is sent or
    has failed (``runphys.emails.deliver``), so the token rests in the database only while the
    email is on its way, and a retry sends the same link. It is never logged: the worker logs the
    delivery's code and the server's reason only."""
    program = version.program
    link = ProgramLink.objects.filter(program=program).open().first()
    if link is None:
        return ""
    link.program = program  # already loaded, with its athlete and clinic
    shown = ProgramVersion.objects.filter(program=program).issued().order_by("-number").first()
    if link.why_ended(shown, program.athlete.clinic.today()):
        return ""
    return settings.SITE_URL + link.path()


def message_context(version: ProgramVersion, *, note: str = "") -> dict:
    """What the handout email's three templates show. ``note`` is the physio's personal line."""
    athlete = version.program.athlete
    clinic = athlete.clinic
    return {
        "athlete": athlete,
        "clinic": clinic,
        "version": version,
        "clinician": version.clinician,
        "note": note,
        "clinic_message": HandoutEmail.for_clinic(clinic).message,
        "exercises": [(item.exercise.name, item.dose_line)
                      for item in version.items.select_related("exercise").order_by("order", "pk")],
        "link_url": athlete_link_url(version),
        "attachment_name": version.pdf_filename(),
    }


def preview(version: ProgramVersion, *, note: str = "") -> tuple[str, str]:
    subject, text, _ = emails.render_parts("handout", message_context(version, note=note))
    return subject, text


def send(version: ProgramVersion, *, by: User, request_key: str, note: str = "") -> tuple[HandoutDelivery, bool]:
    """Queue the handout email, with the physio's personal ``note`` (may be empty). Returns the
    delivery and whether it is new: a repeated request key (double click, reload of the
    confirmation) returns the first delivery instead of a second one, and so does the same version
    to the same address while an earlier email of it is on its way or was sent in the last
    ``REPEAT_WINDOW`` (the send page open in two tabs: each has its own key). The check runs under
    the version's row lock, so two sends at once see each other; a failed email can be sent again
    at once, a sent one again after the window."""
    reason = refusal(version)
    if reason:
        raise NotSendable(reason)
    athlete = version.program.athlete
    try:
        with transaction.atomic():
            # Locked, so that a render finishing now either stores its PDF before this reads it, or
            # releases this email after it is stored: never neither; and two sends of it are in turn.
            locked = ProgramVersion.objects.select_for_update().get(pk=version.pk)
            if existing := _earlier_send(version, athlete.email, request_key):
                return existing, False
            email = emails.queue(
                "handout", message_context(version, note=note), athlete.email,
                kind=EmailDelivery.Kind.HANDOUT, clinic=athlete.clinic, requested_by=by,
                from_name=athlete.clinic.name, reply_to=athlete.clinic.email, request_key=request_key,
                attachment_path=locked.pdf.name, attachment_name=version.pdf_filename(),
                waiting=not locked.handout_ready,
            )
            return HandoutDelivery.objects.create(version=version, email=email, note=note), True
    except IntegrityError:
        # Two requests with the same key raced; the other one won.
        return HandoutDelivery.objects.get(email__request_key=request_key), False


def _earlier_send(version: ProgramVersion, recipient: str, request_key: str) -> HandoutDelivery | None:
    same_key = Q(email__request_key=request_key)
    on_its_way = Q(email__status__in=[EmailDelivery.Status.WAITING, EmailDelivery.Status.QUEUED,
                                      EmailDelivery.Status.SENDING])
    just_sent = Q(email__status=EmailDelivery.Status.SENT, email__sent_at__gte=timezone.now() - REPEAT_WINDOW)
    to_them = Q(version=version, email__recipient__iexact=recipient)
    return HandoutDelivery.objects.filter(same_key | (to_them & (on_its_way | just_sent))).first()


def release_waiting(version: ProgramVersion, pdf_name: str) -> int:
    """Queue the emails of this version that waited for its PDF (the caller stores the PDF in
    the same transaction). Returns how many."""
    waiting = EmailDelivery.objects.filter(handout__version=version, status=EmailDelivery.Status.WAITING)
    return emails.release(waiting, attachment_path=pdf_name)
