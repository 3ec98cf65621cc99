"""Email delivery through the task queue against a real SMTP server on loopback."""

import os
import re
import signal
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

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
def test_sweep_command_requeues_deliveries_stuck_in_sending(smtp_server, run_tasks,
                                                           django_capture_on_commit_callbacks):
    delivery = queue_one()
    EmailDelivery.objects.filter(pk=delivery.pk).update(status="sending", attempts=1,
                                                        sending_since="2020-01-01T00:00:00Z")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_deliveries", stdout=out)
    assert "Re-queued 1 email deliveries." in out.getvalue()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT and delivery.attempts == 2
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
def test_a_worker_killed_mid_send_is_recovered_by_the_sweep_and_the_message_arrives_once(smtp_server):
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

    assert emails.sweep(older_than=timedelta(0)) == 1
    worker = start_worker(smtp_server, "--batch")
    assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]
    wait_for(lambda: len(handler.received) >= 1)
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT and delivery.attempts == 2
    assert len(handler.received) == 1
