"""In a real browser: issue a program, email its handout with a personal note, watch the status
turn to "sent" while a real task worker delivers it to the local SMTP server; then the athlete
opens the email's link on a phone (390 × 844), ticks two exercises with their pain, and the
physio sees it on the program page and under "needs attention" on the dashboard."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from assessments.programs.models import ExerciseLog, ProgramVersion
from tests.factories import PASSWORD, make_athlete, make_library, make_program, make_world
from tests.helpers import log_in
from tests.smtp import address_of, bodies_of
from tests.workers import start_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def worker(smtp_server, media):
    process = start_worker(smtp_server)
    yield process
    process.terminate()
    process.wait(timeout=10)


def issue_on_page(page, program) -> None:
    """On the program page: issue, and wait for the worker's handout."""
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(program.get_absolute_url())
    page.get_by_test_id("issue-button").click()
    # The worker renders the handout, perhaps still starting up: as long as tests/browser/test_programs.py waits.
    expect(page.get_by_test_id("download-link")).to_be_visible(timeout=30_000)


def email_from_page(page, note: str = "") -> None:
    """From the program page: email the handout (with ``note``), and wait until the worker has
    delivered it."""
    page.get_by_test_id("email-link").click()
    if note:
        page.get_by_test_id("send-note").fill(note)
    page.get_by_test_id("send-button").click()
    expect(page.get_by_test_id("delivery-status").first).to_have_attribute("data-status", "sent", timeout=30_000)


def test_issue_email_with_a_personal_note_and_watch_it_arrive(page, bob, smtp_server, worker):
    athlete = make_athlete(bob.clinic, first_name="Ines", last_name="Okafor", email="ines@runner.example")
    athlete.record_email_consent(True, by=bob)
    athlete.save()
    library = make_library()
    program = make_program(athlete, bob, [library["Prone hip internal rotation"],
                                          library["Single-leg rotational hip control"]], title="Hip mobility")
    log_in(page, bob.email, PASSWORD)
    note = "Lovely to see you today, Ines & well done on the 10K!\nKeep the holds slow this week."
    issue_on_page(page, program)
    email_from_page(page, note)
    expect(page.get_by_test_id("delivery-note")).to_contain_text("Lovely to see you today, Ines & well done")
    assert page.console_errors == [], page.console_errors

    [message] = smtp_server.handler.parsed()
    [raw] = smtp_server.handler.messages()
    assert message["To"] == "ines@runner.example"
    assert message["Subject"] == "Your exercise program from Clinic A Physio"
    assert address_of(raw["From"])[0] == "Clinic A Physio" and address_of(raw["Reply-To"])[1] == "desk@clinic-a.example"
    text, html = bodies_of(message)
    assert text.count(note) == 1
    assert html.count("Lovely to see you today, Ines &amp; well done on the 10K!<br>"
                      "Keep the holds slow this week.") == 1
    assert "Prone hip internal rotation" in text and "Single-leg rotational hip control" in text
    assert any(part.get_content_type() == "application/pdf" for part in message.walk())


def test_the_emailed_link_on_a_phone_comes_back_to_the_physio(browser, live_server, page, bob, smtp_server,
                                                               worker, settings):
    # Bodies are built in the web request that asks for the email: its link points at this server.
    settings.SITE_URL = live_server.url
    world = make_world(bob.clinic, bob)
    athlete, program = world.athlete, world.program
    athlete.email = "ines@runner.example"
    athlete.record_email_consent(True, by=bob)
    athlete.save(actor=bob)
    log_in(page, bob.email, PASSWORD)
    page.wait_for_url("**/")

    issue_on_page(page, program)
    # Two days ago the second exercise hurt 2/10: today's 6/10 is a rise of 4 (clinical reference §8).
    version = ProgramVersion.objects.issued().get(program=program)
    first, second = version.items.order_by("order")
    today = bob.clinic.today()
    ExerciseLog.objects.create(version=version, item=second, day=today - timedelta(days=2), pain=2, feel="right")
    email_from_page(page)

    [message] = smtp_server.handler.parsed()
    text, html = bodies_of(message)
    [url] = re.findall(r"https?://\S+/p/[A-Za-z0-9_-]+/", text)
    assert f'href="{url}"' in html

    phone_context = browser.new_context(**PHONE)
    phone_context.set_default_timeout(10_000)
    try:
        phone = phone_context.new_page()
        errors: list[str] = []
        phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        phone.goto(url)
        expect(phone.get_by_role("heading", name="Hello Ines")).to_be_visible()
        assert "Okafor" not in phone.content()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        cards = phone.get_by_test_id("exercise-card")
        expect(cards).to_have_count(2)
        for index, pain in ((0, "3"), (1, "6")):
            card = phone.get_by_test_id("exercise-card").nth(index)
            card.get_by_test_id("pain").select_option(pain)
            card.get_by_label("About right").check()
            card.get_by_test_id("done-button").tap()
            expect(phone.get_by_test_id("exercise-card").nth(index).get_by_test_id("done")).to_contain_text(
                f"Done today · pain {pain}/10")
        phone.screenshot(path="/tmp/athlete-phone-390.png", full_page=True)
        assert errors == [], errors
    finally:
        phone_context.close()
    saved = {(log.item_id, log.day): log.pain for log in ExerciseLog.objects.filter(version=version)}
    assert saved == {(first.pk, today): 3, (second.pk, today): 6, (second.pk, today - timedelta(days=2)): 2}

    # The physio logs in afresh and sees both on the program page, and the rise on the dashboard.
    physio_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    physio_context.set_default_timeout(10_000)
    try:
        physio = physio_context.new_page()
        log_in(physio, bob.email, PASSWORD)
        physio.wait_for_url("**/")
        attention = physio.get_by_test_id("needs-attention")
        expect(attention).to_contain_text("Ines Okafor")
        expect(attention).to_contain_text("Single-leg rotational hip control: pain 6/10")
        expect(attention).not_to_contain_text("Prone hip internal rotation")
        physio.goto(program.get_absolute_url())
        trends = physio.get_by_test_id("pain-trends")
        expect(trends).to_contain_text("Prone hip internal rotation: latest 3/10")
        expect(trends).to_contain_text("Single-leg rotational hip control: latest 6/10")
        expect(physio.get_by_test_id("pain-rising")).to_contain_text("Single-leg rotational hip control")
    finally:
        physio_context.close()
