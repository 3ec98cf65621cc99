"""Email delivery through the task queue against a real SMTP server on loopback."""

import os
import re
import signal
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from runphys import emails
from runphys.models import EmailDelivery, Invitation
from tests.workers import start_worker, wait_for


def queue_one(n: int = 0, **kw) -> EmailDelivery:
    context = {"invitation": None, "clinic": None, "accept_url": f"https://example.invalid/{n}"}
    return emails.queue("invitation", context, kw.pop("to", f"runner{n}@example.com"),
                        kind=EmailDelivery.Kind.INVITATION, **kw)


@pytest.mark.django_db
def test_invitation_travels_through_the_queue_to_a_real_smtp_server(
        alice_client, smtp_server, run_tasks, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("member_invite"),
                                     {"email": "dora@clinic-a.example", "full_name": "Dora", "role": "clinician"})
    assert response.status_code == 302
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.QUEUED and smtp_server.handler.received == []

    assert run_tasks() == 1
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT and delivery.attempts == 1
    assert delivery.body_text == "" and delivery.body_html == ""  # the one-time link is not kept

    [message] = smtp_server.handler.messages()
    assert message["To"] == "dora@clinic-a.example"
    assert message["Subject"] == "You are invited to join Clinic A Physio on RunPhys"
    assert message["Message-ID"] == delivery.message_id
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", text.get_payload(decode=True).decode()).group(1)
    assert client.get(link).status_code == 200


@pytest.mark.django_db
def test_password_reset_takes_the_same_path(alice, client, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": alice.email})
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()  # the reset task, which queues the email
    run_tasks()
    delivery = EmailDelivery.objects.get()
    assert delivery.kind == EmailDelivery.Kind.PASSWORD_RESET and delivery.status == EmailDelivery.Status.SENT
    [message] = smtp_server.handler.messages()
    assert message["Subject"] == "Reset your RunPhys password"


@pytest.mark.django_db
def test_temporary_refusals_are_retried_and_the_message_arrives_once(
        smtp_server, run_tasks, django_capture_on_commit_callbacks):
    smtp_server.handler.data_replies = ["421 Service busy, try later", "421 Service busy, try later"]
    with django_capture_on_commit_callbacks(execute=True):
        delivery = queue_one()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 3
    assert smtp_server.handler.data_attempts == 3
    assert len(smtp_server.handler.received) == 1


@pytest.mark.django_db
def test_permanent_refusal_fails_at_once_with_the_servers_reason(
        smtp_server, run_tasks, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = queue_one()
    smtp_server.handler.data_replies = [f"550 Mailbox <{delivery.recipient}> unavailable"]
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert delivery.attempts == 1
    assert "550" in delivery.last_error and "unavailable" in delivery.last_error
    assert smtp_server.handler.received == []
    # The log names the delivery by its code, never the address the server quoted.
    assert str(delivery.code) in caplog.text and delivery.recipient not in caplog.text


@pytest.mark.django_db
def test_refused_connection_retries_then_gives_up(settings, run_tasks, django_capture_on_commit_callbacks):
    from tests.smtp import free_port

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2}}}
    settings.EMAIL_RETRY_BASE_SECONDS = 0
    settings.EMAIL_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        delivery = queue_one()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert delivery.attempts == 3
    assert "refused the connection" in delivery.last_error and "Gave up after 3 attempts" in delivery.last_error


@pytest.mark.django_db
def test_a_re_enqueued_task_does_not_send_twice(smtp_server, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = queue_one()
    emails.enqueue(delivery)
    emails.enqueue(delivery)
    assert run_tasks() == 3
    assert len(smtp_server.handler.received) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


@pytest.mark.django_db
def test_a_double_submission_with_the_same_request_key_makes_one_delivery():
    from django.db import IntegrityError, transaction

    queue_one(request_key="form-token-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        queue_one(request_key="form-token-1")
    assert EmailDelivery.objects.count() == 1


@pytest.mark.django_db
def test_cr_lf_in_subject_data_or_address_cannot_add_a_header(
        alice, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    clinic = alice.clinic
    clinic.name = "Evil\r\nBcc: victim@evil.example"
    invitation, _ = Invitation.issue(clinic=clinic, email="dora@clinic-a.example", role="clinician",
                                     invited_by=alice, full_name="Dora\r\nBcc: victim@evil.example")
    with django_capture_on_commit_callbacks(execute=True):
        good = emails.send_invitation(invitation, "https://example.invalid/x")
        bad = queue_one(to="dora@clinic-a.example\r\nBcc: victim@evil.example")
    run_tasks()
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == EmailDelivery.Status.SENT
    assert bad.status == EmailDelivery.Status.FAILED
    [message] = smtp_server.handler.messages()
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    assert all("victim" not in recipient for recipient in message.get_all("To"))


@pytest.mark.django_db
def test_sweep_command_requeues_a_claim_whose_lease_ended_and_fails_the_orphaned_task_row(
        settings, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    """A worker died two minutes ago in the middle of a send: its claim (a lease of a few SMTP
    time-outs, not ten minutes) has ended, so the delivery goes out again now, and the task row it
    left "running" is marked failed. A claim still within its lease and a task row still within its
    task's limit are left alone."""
    lease = settings.EMAIL_SENDING_LEASE
    assert lease == timedelta(seconds=4 * settings.EMAIL_TIMEOUT_SECONDS) and lease < timedelta(minutes=2)
    stale, live = queue_one(1), queue_one(2)
    now = timezone.now()
    EmailDelivery.objects.filter(pk=stale.pk).update(status="sending", attempts=1,
                                                     sending_since=now - timedelta(minutes=2))
    EmailDelivery.objects.filter(pk=live.pk).update(status="sending", attempts=1, sending_since=now)
    emails.enqueue(stale)
    emails.enqueue(live)
    orphan, running = DBTaskResult.objects.order_by("enqueued_at")
    DBTaskResult.objects.filter(pk=orphan.pk).update(status="RUNNING", started_at=now - timedelta(minutes=2),
                                                     worker_ids=["dead-worker"])
    DBTaskResult.objects.filter(pk=running.pk).update(status="RUNNING", started_at=now, worker_ids=["live-worker"])
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_deliveries", stdout=out)
    assert out.getvalue().splitlines() == ["Re-queued 1 email deliveries.", "Marked 1 orphaned task row failed."]
    orphan.refresh_from_db()
    assert orphan.status == "FAILED" and orphan.finished_at is not None
    assert orphan.exception_class_path == "runphys.task_queue.WorkerLost"
    assert "stopped before it finished" in orphan.traceback
    assert DBTaskResult.objects.get(pk=running.pk).status == "RUNNING"
    run_tasks()
    stale.refresh_from_db()
    live.refresh_from_db()
    assert stale.status == EmailDelivery.Status.SENT and stale.attempts == 2
    assert live.status == EmailDelivery.Status.SENDING  # its worker is still within its lease
    [message] = smtp_server.handler.messages()
    assert message["Message-ID"] == stale.message_id


@pytest.mark.django_db
def test_task_rows_are_orphaned_after_their_own_tasks_limit():
    """An email send ends within its lease (60 s), a handout render within 100 s (twice its 20 s
    cap and a minute); any other task is presumed dead after ten minutes."""
    from assessments.programs.handouts import render_handout
    from runphys import task_queue
    from runphys.password_reset import send_reset_email

    render_handout.enqueue(1)
    emails.enqueue(queue_one())
    send_reset_email.enqueue("x@example.com", domain="testserver", use_https=False, account_locked=False, ip=None)
    rows = {row.task_path: row.pk for row in DBTaskResult.objects.all()}
    render, email, reset = (rows[task.module_path] for task in (render_handout, emails.deliver_email, send_reset_email))

    def running_for(pk, seconds: int) -> None:
        started_at = timezone.now() - timedelta(seconds=seconds)
        DBTaskResult.objects.filter(pk=pk).update(status="RUNNING", started_at=started_at)

    def status(pk) -> str:
        return DBTaskResult.objects.get(pk=pk).status

    running_for(email, 90), running_for(render, 90), running_for(reset, 9 * 60)
    assert task_queue.fail_orphans() == 1
    assert (status(email), status(render), status(reset)) == ("FAILED", "RUNNING", "RUNNING")
    running_for(render, 101), running_for(reset, 11 * 60)
    assert task_queue.fail_orphans() == 2
    assert (status(render), status(reset)) == ("FAILED", "FAILED")


@pytest.mark.django_db
def test_a_connection_dropped_after_the_whole_message_is_not_sent_again(
        smtp_server, run_tasks, django_capture_on_commit_callbacks):
    """The server kept the message but the connection closed before its "250": it may have arrived,
    so no retry sends a second copy; the delivery says so and waits for a person."""
    smtp_server.handler.drop_after_data = 1
    with django_capture_on_commit_callbacks(execute=True):
        delivery = queue_one()
    assert run_tasks() == 1
    delivery.refresh_from_db()
    assert len(smtp_server.handler.received) == 1
    assert delivery.status == EmailDelivery.Status.UNSURE and delivery.get_status_display() == "May have been sent"
    assert delivery.attempts == 1 and delivery.failed_at is not None and delivery.sent_at is None
    assert "may have arrived" in delivery.last_error and "closed the connection" in delivery.last_error
    assert delivery.body_text == "" and not delivery.is_pending
    assert emails.sweep(older_than=timedelta(0)) == 0  # nor does the sweep pick it up


@pytest.mark.django_db
def test_a_connection_dropped_before_the_message_went_out_is_retried(
        smtp_server, run_tasks, django_capture_on_commit_callbacks):
    """Each answer comes within the SMTP time-out, but together they pass the exchange's deadline:
    the worker gives up before sending the message (nothing can have arrived) and tries again."""
    smtp_server.handler.reply_delay = 0.6
    from django.conf import settings

    settings.MAILERS = {"default": smtp_server.mailer_with(timeout=1, deadline=1)}
    with django_capture_on_commit_callbacks(execute=True):
        delivery = queue_one()
    assert emails.deliver(delivery.pk) == EmailDelivery.Status.QUEUED
    delivery.refresh_from_db()
    assert smtp_server.handler.received == [] and delivery.attempts == 1
    assert delivery.last_error in {"The mail server did not answer in time.", "The mail server closed the connection."}
    smtp_server.handler.reply_delay = 0
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT and delivery.attempts == 2
    assert len(smtp_server.handler.received) == 1


@pytest.mark.django_db
def test_a_message_accepted_before_quit_timed_out_is_sent_once(
        settings, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    smtp_server.handler.quit_delay = 2
    settings.MAILERS = {"default": smtp_server.mailer_with(timeout=0.5, deadline=10)}
    with django_capture_on_commit_callbacks(execute=True):
        delivery = queue_one()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT and delivery.attempts == 1
    assert len(smtp_server.handler.received) == 1


# --- Real worker processes -------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_workers_drain_fifty_deliveries_without_a_duplicate(smtp_server):
    deliveries = [queue_one(n) for n in range(50)]
    workers = [start_worker(smtp_server, "--batch", "--worker-id", f"w{n}") for n in range(2)]
    for worker in workers:
        assert worker.wait(timeout=180) == 0, worker.stderr.read().decode()[-2000:]
    ids = [message["Message-ID"] for message in smtp_server.handler.messages()]
    assert len(ids) == 50 and len(set(ids)) == 50
    assert {d.message_id for d in deliveries} == set(ids)
    assert EmailDelivery.objects.filter(status="sent").count() == 50


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_is_recovered_by_the_sweep_and_the_message_arrives_once(settings, smtp_server):
    handler = smtp_server.handler
    handler.hold_rcpt.set()
    delivery = queue_one()
    worker = start_worker(smtp_server)
    try:
        assert handler.rcpt_waiting.wait(timeout=60), "the worker never reached the SMTP server"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        handler.release_rcpt.set()
        handler.hold_rcpt.clear()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENDING  # stuck, as a dead worker leaves it
    assert handler.received == []
    [orphan] = DBTaskResult.objects.filter(status="RUNNING")  # and so is its task row

    # The lease passes (a minute, not ten); the sweep the Makefile runs every minute recovers both.
    a_lease_ago = timezone.now() - settings.EMAIL_SENDING_LEASE - timedelta(seconds=1)
    EmailDelivery.objects.filter(pk=delivery.pk).update(sending_since=a_lease_ago)
    DBTaskResult.objects.filter(pk=orphan.pk).update(started_at=a_lease_ago)
    out = StringIO()
    call_command("sweep_deliveries", stdout=out)
    assert out.getvalue().splitlines() == ["Re-queued 1 email deliveries.", "Marked 1 orphaned task row failed."]
    assert DBTaskResult.objects.get(pk=orphan.pk).status == "FAILED"
    worker = start_worker(smtp_server, "--batch")
    assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]
    wait_for(lambda: len(handler.received) >= 1)
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT and delivery.attempts == 2
    assert len(handler.received) == 1


def test_make_run_sweeps_deliveries_every_minute():
    """A dead worker's email goes out again within about a lease and a minute of its death."""
    from tests.helpers import ROOT

    run = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    loop = re.search(r"while sleep (\d+); do ([^&]+)done &", run)
    assert loop is not None and int(loop.group(1)) <= 60
    assert "manage.py sweep_deliveries" in loop.group(2)
