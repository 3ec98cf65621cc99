"""Emailing an issued handout: confirm, queue once, deliver over real SMTP with the PDF intact."""

import io
import logging
import re
import uuid
from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from assessments.programs import deliveries
from assessments.programs.models import HandoutDelivery, HandoutEmail, ProgramLink
from exercises.models import Exercise
from runphys.models import AuditEvent, EmailDelivery
from tests.factories import make_athlete, make_library, make_program
from tests.helpers import issue
from tests.smtp import address_of, bodies_of

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


def post_send(client, version, key=None, capture=None, note=""):
    data = {"request_key": str(key or uuid.uuid4()), "note": note}
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


def test_two_tabs_sending_the_same_handout_send_one_email(alice_client, bob_client, version, smtp_server, run_tasks,
                                                          django_capture_on_commit_callbacks):
    """Each tab has its own one-time key; the same version to the same address is still one send."""
    tabs = [_send_page_key(client, version) for client in (bob_client, bob_client, alice_client)]
    assert len(set(tabs)) == 3
    responses = [post_send(client, version, key, capture=django_capture_on_commit_callbacks)
                 for client, key in zip((bob_client, bob_client, alice_client), tabs, strict=True)]
    assert [r.status_code for r in responses] == [302, 302, 302]
    run_tasks()
    assert HandoutDelivery.objects.count() == 1
    assert len(smtp_server.handler.received) == 1
    follow = bob_client.get(responses[1]["Location"])
    assert "already queued" in follow.text


def _send_page_key(client, version) -> str:
    return re.search(r'name="request_key" value="([^"]+)"', client.get(send_url(version)).text).group(1)


def test_send_again_after_the_repeat_window_or_a_failure_is_a_new_delivery(
        bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    run_tasks()
    EmailDelivery.objects.update(sent_at=timezone.now() - deliveries.REPEAT_WINDOW - timedelta(seconds=1))
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    run_tasks()
    assert len(smtp_server.handler.received) == 2
    EmailDelivery.objects.filter(pk=HandoutDelivery.objects.first().email_id).update(
        status=EmailDelivery.Status.FAILED, sent_at=None)
    post_send(bob_client, version, capture=django_capture_on_commit_callbacks)
    run_tasks()
    assert HandoutDelivery.objects.count() == 3
    assert len(smtp_server.handler.received) == 3


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


    athlete = version.program.athlete
    deliveries.send(version, by=bob, request_key="k0")
    with django_assert_num_queries(1):
        render_to_string("assessments/_athlete_emails.html", {"athlete": athlete})
    for n in range(1, 6):
        # Each earlier one sent long ago, so this is a new send rather than a repeat of it.
        EmailDelivery.objects.update(status=EmailDelivery.Status.SENT, sent_at=timezone.now() - timedelta(days=n))
        deliveries.send(version, by=bob, request_key=f"k{n}")
    with django_assert_num_queries(1):
        html = render_to_string("assessments/_athlete_emails.html", {"athlete": athlete})
    assert html.count('data-testid="delivery-status"') == 6


# --- The email is the clinic's (#15 item 5) and carries the athlete's link (#16 item 1) ---------------

def send_and_receive(client, version, smtp_server, run_tasks, capture, note=""):
    """Ask for the email through the send page, let the task worker deliver it over SMTP, and
    return the one message the server received, read as a mail client reads it."""
    assert post_send(client, version, capture=capture, note=note).status_code == 302
    run_tasks()
    [message] = smtp_server.handler.parsed()
    return message


def test_names_with_quote_ampersand_and_angle_arrive_as_typed_in_subject_and_text_escaped_in_html(
        bob_client, version, clinic_a, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    clinic_a.name = "O'Brien & Daughters <Physio>"
    clinic_a.save()
    athlete = version.program.athlete
    athlete.first_name = "D'Arcy & <Jo>"
    athlete.save()
    Exercise.objects.filter(name="Prone hip internal rotation").update(name="Prone IR & 'slow' <holds>")

    page = bob_client.get(send_url(version))  # the preview is escaped once by the page, never twice
    assert "Your exercise program from O&#x27;Brien &amp; Daughters &lt;Physio&gt;" in page.text
    assert "&amp;amp;" not in page.text and "&amp;#x27;" not in page.text

    message = send_and_receive(bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks)
    text, html = bodies_of(message)
    assert message["Subject"] == "Your exercise program from O'Brien & Daughters <Physio>"
    assert "Hello D'Arcy & <Jo>," in text
    assert "O'Brien & Daughters <Physio>" in text and "Prone IR & 'slow' <holds>" in text
    assert not re.search(r"&(amp|lt|gt|quot|#x27|#39);", text + message["Subject"])
    assert "Hello D&#x27;Arcy &amp; &lt;Jo&gt;," in html
    assert "O&#x27;Brien &amp; Daughters &lt;Physio&gt;" in html
    assert "Prone IR &amp; &#x27;slow&#x27; &lt;holds&gt;" in html
    assert "<Jo>" not in html and "<Physio>" not in html and "<holds>" not in html


@pytest.mark.parametrize("name", [
    "O'Brien & Daughters",
    "Smith, Jones and Partners",
    'The "Running Knee" Clinic',
    "Ærø Fysioterapi – Sjúkraþjálfun, Reykjavík",
])
def test_from_is_the_clinic_by_name_over_the_configured_address_and_replies_go_to_the_clinic(
        bob_client, version, clinic_a, name, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    clinic_a.name = name
    clinic_a.save()
    send_and_receive(bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks)
    [message] = smtp_server.handler.messages()
    [raw_from] = message.get_all("From")
    assert raw_from.isascii()  # quoted or encoded by the email library, never pasted in
    # The configured address, so SPF and DMARC hold for our domain; the clinic's name over it.
    assert address_of(raw_from) == (name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
    assert address_of(message["Reply-To"]) == ("", "desk@clinic-a.example")


def test_a_clinic_without_an_email_address_sends_without_reply_to(
        bob_client, version, clinic_a, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    clinic_a.email = ""
    clinic_a.save()
    message = send_and_receive(bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks)
    assert message["Reply-To"] is None
    assert address_of(message["From"])[0] == "Clinic A Physio"


@pytest.mark.parametrize("field, value, reason", [
    ("clinic.name", "Clinic A\r\nBcc: victim@evil.example", "The clinic's name has a line break in it"),
    ("clinic.name", "Clinic A\nPhysio", "The clinic's name has a line break in it"),
    ("clinic.name", "Clinic A\u2028Physio", "The clinic's name has a line break in it"),
    ("clinic.email", "desk@clinic-a.example\nBcc: victim@evil.example",
     "The clinic's email address has a line break in it"),
    ("athlete.email", "ines@runner.example\r\nBcc: victim@evil.example", "email address has a line break in it"),
])
def test_a_line_break_in_a_header_value_is_refused_with_a_message_and_nothing_is_queued(
        bob_client, version, field, value, reason):
    # Stored past the forms (an import, a script): the send page still refuses it in words.
    athlete = version.program.athlete
    record = athlete.clinic if field.startswith("clinic.") else athlete
    setattr(record, field.split(".")[1], value)
    record.save()
    page = bob_client.get(send_url(version))
    assert page.status_code == 200 and escape(reason) in page.text and 'data-testid="send-button"' not in page.text
    response = post_send(bob_client, version, note="A note")
    assert response.status_code == 409 and escape(reason) in response.text
    assert not EmailDelivery.objects.exists() and not HandoutDelivery.objects.exists()


def test_the_personal_note_appears_once_above_the_clinics_message_and_is_kept_with_the_delivery(
        bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    note = "Great session today, Ines & <the team>!\nKeep the holds slow this week."
    message = send_and_receive(bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks,
                               note=note)
    text, html = bodies_of(message)
    clinic_message = HandoutEmail.for_clinic(version.program.athlete.clinic).message
    assert text.count(note) == 1
    assert text.index("Hello Ines,") < text.index(note) < text.index(clinic_message.split("\n")[0])
    assert html.count("Great session today, Ines &amp; &lt;the team&gt;!<br>Keep the holds slow this week.") == 1
    assert html.index("Great session today") < html.index(clinic_message.split("\n")[0].split(".")[0])
    assert "Great session" not in message["Subject"]
    assert HandoutDelivery.objects.get().note == note
    program_page = bob_client.get(version.program.get_absolute_url())
    assert "Great session today, Ines &amp; &lt;the team&gt;!" in program_page.text


def test_a_retry_after_a_temporary_refusal_sends_the_same_note_once(
        bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    smtp_server.handler.data_replies = ["421 Try again later"]
    message = send_and_receive(bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks,
                               note="See you on Thursday.")
    assert smtp_server.handler.data_attempts == 2
    text, html = bodies_of(message)
    assert text.count("See you on Thursday.") == 1 and html.count("See you on Thursday.") == 1
    assert HandoutDelivery.objects.get().email.attempts == 2


def test_a_note_over_500_characters_is_refused_with_its_count_and_kept_in_the_form(bob_client, version):
    response = post_send(bob_client, version, note="x" * 501)
    assert response.status_code == 200
    assert "A personal note can be at most 500 characters; this one has 501." in response.text
    assert "x" * 501 in response.text  # nothing typed is lost
    assert not EmailDelivery.objects.exists() and not HandoutDelivery.objects.exists()


def test_a_note_of_500_characters_with_line_breaks_as_a_browser_posts_them_is_accepted(
        bob_client, version, django_capture_on_commit_callbacks):
    note = "a" * 249 + "\r\n" + "b" * 250  # 500 characters in the textarea, 501 bytes on the wire
    assert post_send(bob_client, version, note=note, capture=django_capture_on_commit_callbacks).status_code == 302
    assert HandoutDelivery.objects.get().note == "a" * 249 + "\n" + "b" * 250


def test_the_send_page_counts_the_note_against_its_limit(bob_client, version):
    page = bob_client.get(send_url(version))
    assert 'maxlength="500"' in page.text and 'data-count-into="note-count"' in page.text
    assert "Up to 500 characters" in page.text


def test_the_body_names_each_exercise_with_its_dose(
        bob_client, athlete, bob, smtp_server, run_tasks, django_capture_on_commit_callbacks):
    library = make_library()
    program = make_program(athlete, bob, [library["Prone hip internal rotation"],
                                          library["Single-leg rotational hip control"]])
    version = issue(program.latest, by=bob)
    second = version.items.order_by("order").last()
    second.hold_seconds, second.side = 5, "left"
    type(second).objects.filter(pk=second.pk).update(hold_seconds=5, side="left")  # issued items are frozen
    message = send_and_receive(bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks)
    text, html = bodies_of(message)
    assert "1. Prone hip internal rotation: 3 × 10 · both sides · once a day, 5 days a week" in text
    assert "2. Single-leg rotational hip control: 3 × 10 · hold 5 s · left · once a day, 5 days a week" in text
    assert second.dose_line == "3 × 10 · hold 5 s · left · once a day, 5 days a week"
    assert "<strong>Single-leg rotational hip control</strong>" in html and second.dose_line in html


def test_the_athletes_link_is_in_both_bodies_and_opens_their_page(
        bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks, caplog):
    link = ProgramLink.objects.get(program=version.program, ended_at__isnull=True)
    assert "In the email, to tick off exercises" in bob_client.get(send_url(version)).text
    with caplog.at_level(logging.DEBUG):
        message = send_and_receive(bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks)
    text, html = bodies_of(message)
    [url] = re.findall(r"https?://\S+/p/[\w-]+/", text)
    assert url == settings.SITE_URL + link.path()
    assert f'href="{url}"' in html
    assert link.token not in message["Subject"] and link.token not in caplog.text  # never logged
    assert any(part.get_content_type() == "application/pdf" for part in message.walk())  # still attached
    email = HandoutDelivery.objects.get().email
    email.refresh_from_db()
    assert link.token not in email.body_text + email.body_html  # the stored copy is gone once sent
    athlete_page = Client().get(url.removeprefix(settings.SITE_URL))
    assert athlete_page.status_code == 200 and "Hello Ines" in athlete_page.text
    assert "Prone hip internal rotation" in athlete_page.text


def test_an_ended_link_is_not_sent_again(bob_client, version, bob, smtp_server, run_tasks,
                                         django_capture_on_commit_callbacks):
    ProgramLink.objects.get(program=version.program, ended_at__isnull=True).end(by=bob)
    page = bob_client.get(send_url(version))
    assert "Not in the email: the link has ended." in page.text and "/p/" not in page.text
    message = send_and_receive(bob_client, version, smtp_server, run_tasks, django_capture_on_commit_callbacks)
    text, html = bodies_of(message)
    assert "/p/" not in text and "/p/" not in html
    assert "Prone hip internal rotation" in text  # the rest of the email is unchanged
