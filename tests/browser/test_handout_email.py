"""In a real browser: issue a program, email its handout, watch the status turn to "sent" while a
real task worker delivers it to the local SMTP server."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_athlete, make_library, make_program
from tests.helpers import log_in
from tests.workers import start_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def test_issue_email_and_watch_it_arrive(page, bob, smtp_server, media):
    athlete = make_athlete(bob.clinic, first_name="Ines", last_name="Okafor", email="ines@runner.example")
    athlete.record_email_consent(True, by=bob)
    athlete.save()
    library = make_library()
    program = make_program(athlete, bob, [library["Prone hip internal rotation"],
                                          library["Single-leg rotational hip control"]], title="Hip mobility")
    worker = start_worker(smtp_server)
    try:
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, bob.email, PASSWORD)
        page.goto(program.get_absolute_url())
        page.get_by_test_id("issue-button").click()
        # The worker renders the handout, perhaps still starting up: as long as tests/browser/test_programs.py waits.
        expect(page.get_by_test_id("download-link")).to_be_visible(timeout=30_000)

        page.get_by_test_id("email-link").click()
        expect(page.get_by_test_id("send-recipient")).to_have_text("ines@runner.example")
        page.get_by_test_id("send-button").click()

        status = page.get_by_test_id("delivery-status").first
        expect(status).to_have_attribute("data-status", "sent", timeout=30_000)
        assert page.console_errors == [], page.console_errors
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    [message] = smtp_server.handler.messages()
    assert message["To"] == "ines@runner.example"
    assert message["Subject"] == "Your exercise program from Clinic A Physio"
    assert any(part.get_content_type() == "application/pdf" for part in message.walk())
