"""Building, queueing and delivering email.

Every message comes from three templates under ``templates/emails/``: ``<name>-subject.txt``,
``<name>-body.txt`` and ``<name>-body.html``. Subjects never carry health details or an athlete's
name. Nothing here fails silently.

Every email (invitations, password resets, handouts) takes one path: ``queue`` stores an
``EmailDelivery`` row and, once the transaction commits, enqueues ``deliver_email`` (the task
defined below) on the database-backed task queue; a worker (``manage.py db_worker``) runs
``deliver``:

1. claim the row with a conditional UPDATE (queued → sending). Only one worker can win it, so a
   re-enqueued task, a second worker or a retry that overlaps can never send it twice. The claim
   is a lease of ``EMAIL_SENDING_LEASE`` (a few SMTP time-outs): the SMTP backend
   (``runphys.mail_smtp``) ends its whole exchange before the lease ends;
2. send it over SMTP;
3. record the outcome: sent (also when the server accepted the message and the connection then
   failed, e.g. in QUIT); or, for a temporary failure (4xx reply, refused connection, time-out,
   dropped connection) before the server can have the message, back to queued with exponential
   backoff until ``max_attempts``; or failed at once for a permanent one (5xx), with the server's
   reason; or "unsure" when the connection ended after the whole message went out but before the
   server confirmed it: it may have arrived, so it is not sent again without a person deciding.

A worker killed between 1 and 3 leaves the row in "sending"; ``sweep`` (the ``sweep_deliveries``
command, every minute) puts such rows back in the queue once their lease has ended, and marks the
dead worker's task row failed (``runphys.task_queue``). The duplicate windows left are listed in
the README ("How email is delivered"): a worker killed (or frozen for longer than the lease) after
the server accepted the message and before it recorded so. Every attempt carries the delivery's one
Message-ID, so receivers that de-duplicate show it once.

A message whose attachment does not exist yet (a handout still being rendered) is stored
"waiting" and not enqueued; ``release`` queues it once the attachment is stored.
"""

import logging
import smtplib
import socket
from datetime import timedelta
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from runphys.mail_smtp import Progress
from runphys.models import Clinic, EmailDelivery, Invitation, User

logger = logging.getLogger(__name__)


def render_plain(template_name: str, context: dict) -> str:
    """A template rendered with autoescaping off: a subject or a plain-text body is not HTML, so
    "O'Brien & Daughters <Physio>" arrives as typed, not as "O&#x27;Brien &amp; Daughters". Off
    here, in code, so that no text template can forget it. The result is a plain str, not the
    SafeString a template returns: wherever a page shows it (a preview) it is escaped like any
    other text."""
    return str.__str__(get_template(template_name).template.render(Context(context, autoescape=False)))


def render_parts(name: str, context: dict) -> tuple[str, str, str]:
    """(subject, text body, HTML body); only the HTML body is escaped."""
    # A subject is one line whatever the template or the data say: no header can be injected.
    # (Callers refuse data with a line break first, with a message; see ``line_break_in``.)
    subject = " ".join(render_plain(f"emails/{name}-subject.txt", context).split())
    text = render_plain(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def line_break_in(value: str) -> bool:
    """Whether ``value`` holds a line break of any kind (CR, LF, and the others ``str.splitlines``
    knows): such a value cannot go into an email header."""
    return "".join(value.splitlines()) != value


def sender(from_name: str = "") -> str:
    """The From header: the configured sender's address (so SPF and DMARC hold for our domain)
    under ``from_name`` when one is given. Built as an ``Address``, so a display name with commas,
    quotes or non-ASCII letters is quoted and encoded by the email library, never concatenated."""
    if not from_name:
        return settings.DEFAULT_FROM_EMAIL
    return str(Address(display_name=from_name, addr_spec=parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


class EmailLimitReached(Exception):
    """The clinic has queued ``EMAIL_CLINIC_HOURLY_LIMIT`` emails within the last hour."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Your clinic has sent {limit} emails in the last hour, the most RunPhys sends for one clinic. "
            "Nothing was sent; please try again later."
        )


def check_clinic_allowance(clinic: Clinic) -> None:
    """Refuse when the clinic has reached its hourly allowance, so a stolen login cannot turn
    RunPhys into a spam relay. The clinic row is locked (PostgreSQL) so that concurrent requests
    count one after another; the caller holds the transaction."""
    Clinic.objects.select_for_update().filter(pk=clinic.pk).first()
    limit = settings.EMAIL_CLINIC_HOURLY_LIMIT
    sent = EmailDelivery.objects.filter(clinic=clinic, created_at__gt=timezone.now() - timedelta(hours=1)).count()
    if sent >= limit:
        raise EmailLimitReached(limit)


def queue(
    name: str,
    context: dict,
    to: str,
    *,
    kind: str,
    clinic: Clinic | None = None,
    requested_by: User | None = None,
    from_name: str = "",
    reply_to: str = "",
    request_key: str | None = None,
    attachment_path: str = "",
    attachment_name: str = "",
    waiting: bool = False,
) -> EmailDelivery:
    """Store one delivery and enqueue its sending after the surrounding transaction commits.

    Raises ``EmailLimitReached`` (nothing stored) when the clinic has used its hourly allowance;
    views turn it into a message: ``messages.error(request, str(error))``. With ``waiting`` the
    delivery is stored but not enqueued until ``release`` gives it its attachment. ``from_name``
    is the From header's display name (see ``sender``); like the subject it is one line.
    """
    subject, text, html = render_parts(name, context)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or "runphys.localhost"
    with transaction.atomic():
        if clinic is not None:
            check_clinic_allowance(clinic)
        delivery = EmailDelivery.objects.create(
            kind=kind,
            clinic=clinic,
            requested_by=requested_by,
            request_key=request_key,
            recipient=to,
            subject=subject,
            body_text=text,
            body_html=html,
            from_name=" ".join(from_name.split()),
            reply_to=reply_to,
            attachment_path=attachment_path,
            attachment_name=attachment_name,
            message_id=make_msgid(domain=domain),
            max_attempts=settings.EMAIL_MAX_ATTEMPTS,
            status=EmailDelivery.Status.WAITING if waiting else EmailDelivery.Status.QUEUED,
        )
    if not waiting:
        transaction.on_commit(lambda: enqueue(delivery))
    return delivery


def release(waiting, *, attachment_path: str) -> int:
    """Queue the waiting deliveries of ``waiting`` (a queryset) with their attachment, once the
    surrounding transaction commits. Returns how many."""
    released = list(waiting.filter(status=EmailDelivery.Status.WAITING).values_list("pk", flat=True))
    EmailDelivery.objects.filter(pk__in=released, status=EmailDelivery.Status.WAITING).update(
        status=EmailDelivery.Status.QUEUED, attachment_path=attachment_path, next_attempt_at=timezone.now())
    for pk in released:
        transaction.on_commit(lambda pk=pk: deliver_email.enqueue(pk))
    return len(released)


@task()
def deliver_email(delivery_id: int) -> str:
    """The task worker's job for one delivery (see ``deliver``)."""
    return deliver(delivery_id)


def enqueue(delivery: EmailDelivery, run_after=None) -> None:
    job = deliver_email.using(run_after=run_after) if run_after else deliver_email
    job.enqueue(delivery.pk)


def build_message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        delivery.subject,
        delivery.body_text,
        from_email=sender(delivery.from_name),
        to=[delivery.recipient],
        reply_to=[delivery.reply_to] if delivery.reply_to else None,
        headers={"Message-ID": delivery.message_id},
    )
    message.attach_alternative(delivery.body_html, "text/html")
    if delivery.attachment_path:
        with default_storage.open(delivery.attachment_path, "rb") as attachment:
            message.attach(delivery.attachment_name, attachment.read(), "application/pdf")
    return message


def classify(error: Exception) -> tuple[bool, str]:
    """(temporary?, reason in plain words) for an exception raised while sending."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return 400 <= code < 500, f"The mail server refused the address ({code} {decode(reply)})."
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        return 400 <= code < 500, f"The mail server answered {code}: {decode(error.smtp_error)}"
    if isinstance(error, ConnectionRefusedError):
        return True, "The mail server refused the connection."
    if isinstance(error, TimeoutError | socket.timeout):
        return True, "The mail server did not answer in time."
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True, "The mail server closed the connection."
    if isinstance(error, OSError):
        return True, f"The mail server could not be reached ({error.strerror or type(error).__name__})."
    return False, f"The message could not be sent ({type(error).__name__})."


def decode(reply: bytes | str) -> str:
    """The server's words, at most 500 characters of them: a reason fits ``last_error`` whatever it says."""
    return (reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply))[:500]


def backoff(attempt: int) -> timedelta:
    base = settings.EMAIL_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempt - 1), 3600))


def claim(delivery_id: int) -> bool:
    """Take the delivery for this worker for ``EMAIL_SENDING_LEASE`` (from ``sending_since``)."""
    now = timezone.now()
    claimed = EmailDelivery.objects.filter(pk=delivery_id, status=EmailDelivery.Status.QUEUED).update(
        status=EmailDelivery.Status.SENDING, attempts=F("attempts") + 1, sending_since=now
    )
    return claimed == 1


UNCONFIRMED = ("The mail server received the whole message, but the connection ended before it confirmed it "
               "({reason}), so it may have arrived. It is not sent again by itself: ask the recipient, and send "
               "it again if it did not arrive.")


def deliver(delivery_id: int) -> str:
    """Send one delivery if it is still queued. Returns its status afterwards."""
    if not claim(delivery_id):
        return "skipped"
    delivery = EmailDelivery.objects.get(pk=delivery_id)
    mailer = mailers.default
    try:
        mailer.send_messages([build_message(delivery)])
    except Exception as error:  # every failure is recorded on the row, none is swallowed
        _, reason = classify(error)
        progress = getattr(mailer, "progress", Progress.NOT_SENT)  # only the SMTP backend tracks it
        if progress is Progress.ACCEPTED:
            logger.info("Email delivery %s accepted; the connection then failed (%s)", delivery.code,
                        type(error).__name__)
            return record_sent(delivery)
        if progress is Progress.UNCONFIRMED:
            logger.warning("Email delivery %s unconfirmed after the whole message (%s)", delivery.code,
                           type(error).__name__)
            why = reason[:1].lower() + reason[1:].rstrip(".")
            return record_ended(delivery, EmailDelivery.Status.UNSURE, UNCONFIRMED.format(reason=why))
        return record_failure(delivery, error)
    return record_sent(delivery)


def record_sent(delivery: EmailDelivery) -> str:
    delivery.status = EmailDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.last_error = ""
    delivery.body_text = delivery.body_html = ""
    delivery.save(update_fields=["status", "sent_at", "last_error", "body_text", "body_html"])
    return delivery.status


def record_ended(delivery: EmailDelivery, status: str, reason: str) -> str:
    """Failed, or unsure: no more attempts, and the bodies (which may hold a one-time link) go."""
    delivery.status = status
    delivery.failed_at = timezone.now()
    delivery.last_error = reason
    delivery.body_text = delivery.body_html = ""
    delivery.save(update_fields=["status", "failed_at", "last_error", "body_text", "body_html"])
    return delivery.status


def record_failure(delivery: EmailDelivery, error: Exception) -> str:
    """A failure before the server can have the message: retried with backoff if temporary."""
    temporary, reason = classify(error)
    # Not the reason: a mail server's refusal often quotes the recipient's address, and logs
    # carry record codes only (the reason is on the row, where erasure redacts it).
    logger.warning("Email delivery %s attempt %s failed (%s, %s)", delivery.code, delivery.attempts,
                   "temporary" if temporary else "permanent", type(error).__name__)
    if temporary and delivery.attempts < delivery.max_attempts:
        delivery.status = EmailDelivery.Status.QUEUED
        delivery.last_error = reason
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
        enqueue(delivery, run_after=delivery.next_attempt_at)
        return delivery.status
    if temporary:
        reason = f"{reason} Gave up after {delivery.attempts} attempts."
    return record_ended(delivery, EmailDelivery.Status.FAILED, reason)


# A queued delivery whose task has not run this long after it was due lost its task row (pruned,
# or a restore): enqueued again. Longer than the lease, so a busy queue is not enqueued each minute.
OVERDUE_AFTER = timedelta(minutes=10)


def sweep(older_than: timedelta | None = None) -> int:
    """Put deliveries whose claim's lease ended (their worker died) back in the queue; re-enqueue
    overdue ones. Returns how many."""
    older_than = older_than if older_than is not None else settings.EMAIL_SENDING_LEASE
    count = 0
    overdue = list(EmailDelivery.objects.overdue(max(older_than, OVERDUE_AFTER)))
    for delivery in EmailDelivery.objects.stuck(older_than):
        reset = EmailDelivery.objects.filter(pk=delivery.pk, status=EmailDelivery.Status.SENDING,
                                             sending_since=delivery.sending_since).update(
            status=EmailDelivery.Status.QUEUED, next_attempt_at=timezone.now(),
            last_error="The worker stopped while sending; queued again.",
        )
        if reset:
            transaction.on_commit(lambda d=delivery: enqueue(d))
            count += 1
    for delivery in overdue:
        transaction.on_commit(lambda d=delivery: enqueue(d))
        count += 1
    return count


def send_invitation(invitation: Invitation, accept_url: str) -> EmailDelivery:
    context = {"invitation": invitation, "clinic": invitation.clinic, "accept_url": accept_url}
    return queue("invitation", context, invitation.email, kind=EmailDelivery.Kind.INVITATION,
                 clinic=invitation.clinic, requested_by=invitation.invited_by, reply_to=invitation.clinic.email)


def send_password_reset(context: dict, to: str) -> EmailDelivery:
    return queue("password_reset", context, to, kind=EmailDelivery.Kind.PASSWORD_RESET)
