"""Emailing an issued handout: confirm, queue once, deliver over real SMTP with the PDF intact."""

import io
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessments.programs.models import HandoutDelivery, HandoutEmail
from runphys.models import AuditEvent, EmailDelivery
from tests.factories import make_athlete, make_library, make_program
from tests.helpers import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def athlete(clinic_a, bob):
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor", email="ines@runner.example")
    athlete.record_email_consent(True, by=bob)
    athlete.save()
    return athlete


@pytest.fixture
def version(athlete, bob):
    library = make_library()
    program = make_program(athlete, bob, [library["Prone hip internal rotation"]], title="Hip mobility, phase 1")
    version = program.latest
    issue(version, by=bob)
    version.refresh_from_db()
    return version


def send_url(version) -> str:
    return reverse("deliveries:send", args=[version.code])


def post_send(client, version, key=None, capture=None):
    data = {"request_key": str(key or uuid.uuid4())}
    if capture is None:
        return client.post(send_url(version), data)
    with capture(execute=True):
        return client.post(send_url(version), data)


def test_confirmation_page_shows_recipient_and_message(bob_client, version):
    response = bob_client.get(send_url(version))
    assert response.status_code == 200
    assert "ines@runner.example" in response.text
    assert "Your exercise program from Clinic A Physio" in response.text
    assert "Hello Ines" in response.text
    assert not EmailDelivery.objects.exists()


def test_the_handout_arrives_once_over_smtp_with_the_pdf_intact(
        alice_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    response = post_send(alice_client, version, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    delivery = HandoutDelivery.objects.get()
    assert delivery.version == version and delivery.email.status == EmailDelivery.Status.QUEUED

    run_tasks()
    delivery.email.refresh_from_db()
    assert delivery.email.status == EmailDelivery.Status.SENT and delivery.email.attempts == 1

    [message] = smtp_server.handler.messages()
    assert message["To"] == "ines@runner.example"
    assert message["Subject"] == "Your exercise program from Clinic A Physio"
    assert message["Reply-To"] == "desk@clinic-a.example"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Ines" in parts["text/plain"].get_payload(decode=True).decode()
    assert "text/html" in parts
    attachment = parts["application/pdf"]
    assert attachment.get_filename() == "exercise-program-v1.pdf"
    data = attachment.get_payload(decode=True)
    with version.pdf.open("rb") as stored:
        assert data == stored.read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Ines Okafor" in " ".join(text.split())
    assert AuditEvent.objects.filter(action="email_handout", target_id=str(version.program.athlete.code)).count() == 1


def test_a_send_asked_for_before_the_pdf_exists_goes_out_once_after_it(
        bob_client, athlete, bob, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    from assessments.programs import handouts

    library = make_library()
    version = make_program(athlete, bob, [library["Prone hip internal rotation"]]).latest
    with django_capture_on_commit_callbacks(execute=True):
        handouts.issue(version, by=bob)
    page = bob_client.get(send_url(version))
    assert "still being prepared" in page.text and 'data-testid="send-button"' in page.text
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    email = HandoutDelivery.objects.get().email
    assert (email.status, email.attachment_path) == (EmailDelivery.Status.WAITING, "")
    assert smtp_server.handler.messages() == []

    with django_capture_on_commit_callbacks(execute=True):
        assert run_tasks() == 1  # the render, which lets the email go once the PDF is stored
    assert run_tasks() == 1  # the email
    version.refresh_from_db()
    email.refresh_from_db()
    assert version.handout_ready and email.status == EmailDelivery.Status.SENT
    assert email.attachment_path == version.pdf.name
    [message] = smtp_server.handler.messages()
    [attachment] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    with version.pdf.open("rb") as stored:
        assert attachment.get_payload(decode=True) == stored.read()
    assert run_tasks() == 0 and len(smtp_server.handler.received) == 1


def test_a_handout_that_failed_to_render_cannot_be_emailed(bob_client, athlete, bob, settings, run_tasks,
                                                           django_capture_on_commit_callbacks):
    from assessments.programs import handouts

    version = make_program(athlete, bob, [make_library()["Prone hip internal rotation"]]).latest
    with django_capture_on_commit_callbacks(execute=True):
        handouts.issue(version, by=bob)
    settings.PDF_RENDER_SECONDS = 0.001
    run_tasks()
    response = post_send(bob_client, version)
    assert response.status_code == 409 and "The handout could not be produced" in response.text
    assert not EmailDelivery.objects.exists()


def test_subject_and_attachment_name_carry_no_health_details_or_name(version):
    from assessments.programs import deliveries

    subject, _ = deliveries.preview(version)
    assert "Ines" not in subject and "Okafor" not in subject and "hip" not in subject.lower()
    assert "Ines" not in version.pdf_filename()


def test_a_double_click_sends_one_email(bob_client, version, smtp_server, run_tasks,
                                        django_capture_on_commit_callbacks):
    key = uuid.uuid4()
    first = post_send(bob_client, version, key, capture=django_capture_on_commit_callbacks)
    second = post_send(bob_client, version, key, capture=django_capture_on_commit_callbacks)
    assert first.status_code == second.status_code == 302
    run_tasks()
    assert HandoutDelivery.objects.count() == 1
    assert len(smtp_server.handler.received) == 1


def test_send_again_is_a_new_explicit_delivery(bob_client, version, smtp_server, run_tasks,
                                               django_capture_on_commit_callbacks):
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    run_tasks()
    assert HandoutDelivery.objects.count() == 2
    assert len(smtp_server.handler.received) == 2


@pytest.mark.parametrize("change, reason", [
    ({"consent_email": False}, "has not agreed to receive email"),
    ({"email": ""}, "has no email address"),
])
def test_refused_without_consent_or_address_and_nothing_queued(bob_client, version, bob, change, reason):
    athlete = version.program.athlete
    if "consent_email" in change:
        athlete.record_email_consent(False, by=bob)
    else:
        athlete.email = ""
    athlete.save()
    page = bob_client.get(send_url(version))
    assert reason in page.text and 'data-testid="send-button"' not in page.text
    response = post_send(bob_client, version)
    assert response.status_code == 409
    assert reason in response.text
    assert not EmailDelivery.objects.exists() and not HandoutDelivery.objects.exists()


def test_a_draft_cannot_be_emailed(bob_client, athlete, bob):
    library = make_library()
    draft = make_program(athlete, bob, [library["Prone hip internal rotation"]]).latest
    response = post_send(bob_client, draft)
    assert response.status_code == 409
    assert not EmailDelivery.objects.exists()


def test_status_badge_polls_while_pending_and_stops_when_sent(
        bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    delivery = HandoutDelivery.objects.get()
    url = reverse("deliveries:status", args=[delivery.code])
    pending = bob_client.get(url, HTTP_HX_REQUEST="true")
    assert 'data-status="queued"' in pending.text and 'hx-trigger="every 2s"' in pending.text
    run_tasks()
    done = bob_client.get(url, HTTP_HX_REQUEST="true")
    assert 'data-status="sent"' in done.text and "hx-trigger" not in done.text


def test_failed_delivery_shows_the_servers_reason(
        bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    smtp_server.handler.data_replies = ["550 No such mailbox here"]
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    run_tasks()
    delivery = HandoutDelivery.objects.get()
    page = bob_client.get(reverse("deliveries:status", args=[delivery.code]))
    assert 'data-status="failed"' in page.text and "No such mailbox here" in page.text


def test_charlie_cannot_send_or_see_clinic_a_deliveries(charlie_client, bob_client, version,
                                                         django_capture_on_commit_callbacks):
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    delivery = HandoutDelivery.objects.get()
    assert charlie_client.get(send_url(version)).status_code == 404
    assert post_send(charlie_client, version).status_code == 404
    assert charlie_client.get(reverse("deliveries:status", args=[delivery.code])).status_code == 404
    assert HandoutDelivery.objects.count() == 1


def test_anonymous_is_sent_to_login(client, version):
    response = client.get(send_url(version))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_wrong_methods(bob_client, version, django_capture_on_commit_callbacks):
    assert bob_client.put(send_url(version)).status_code == 405
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    delivery = HandoutDelivery.objects.get()
    assert bob_client.post(reverse("deliveries:status", args=[delivery.code])).status_code == 405


def test_invalid_request_key_re_renders_and_queues_nothing(bob_client, version):
    response = bob_client.post(send_url(version), {"request_key": "not-a-key"})
    assert response.status_code == 200
    assert not EmailDelivery.objects.exists()


def test_clinic_message_is_edited_by_an_admin_and_used(alice_client, bob_client, version, clinic_a):
    url = reverse("deliveries:message")
    assert bob_client.post(url, {"message": "Mine"}).status_code == 403
    assert alice_client.post(url, {"message": "See you in two weeks, <b>Ines</b>!"}).status_code == 302
    assert HandoutEmail.objects.get(clinic=clinic_a).message.startswith("See you in two weeks")
    page = bob_client.get(send_url(version))
    assert "See you in two weeks, &lt;b&gt;Ines&lt;/b&gt;!" in page.text


def test_hourly_clinic_limit_refuses_with_a_clear_message(bob_client, version, settings):
    settings.EMAIL_CLINIC_HOURLY_LIMIT = 0
    response = bob_client.post(send_url(version), {"request_key": str(uuid.uuid4())}, follow=True)
    assert "emails in the last hour" in response.text
    assert not HandoutDelivery.objects.exists()


def test_program_page_and_athlete_timeline_show_the_delivery(
        bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    program_page = bob_client.get(version.program.get_absolute_url())
    assert 'data-testid="email-link"' in program_page.text and "Not emailed yet" in program_page.text
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    run_tasks()
    program_page = bob_client.get(version.program.get_absolute_url())
    assert 'data-status="sent"' in program_page.text
    athlete_page = bob_client.get(version.program.athlete.get_absolute_url())
    assert 'data-testid="timeline-emails"' in athlete_page.text
    assert 'data-status="sent"' in athlete_page.text and "Hip mobility, phase 1" in athlete_page.text


def test_athlete_timeline_email_entries_cost_one_query_whatever_their_number(
        bob, version, django_assert_num_queries, django_capture_on_commit_callbacks):
    from django.template.loader import render_to_string

    from assessments.programs import deliveries

    athlete = version.program.athlete
    deliveries.send(version, by=bob, request_key="k0")
    with django_assert_num_queries(1):
        render_to_string("assessments/_athlete_emails.html", {"athlete": athlete})
    for n in range(1, 6):
        deliveries.send(version, by=bob, request_key=f"k{n}")
    with django_assert_num_queries(1):
        html = render_to_string("assessments/_athlete_emails.html", {"athlete": athlete})
    assert html.count('data-testid="delivery-status"') == 6
