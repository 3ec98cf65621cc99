"""A physio turns on two-factor authentication in a real browser and logs in with a code, as an
authenticator app would compute it from the key shown on the page."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from runphys import twofactor
from tests.factories import PASSWORD
from tests.helpers import log_in
from tests.otp import code_from_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enrol_then_log_in_with_a_code(page, alice):
    log_in(page, alice.email, PASSWORD)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("Off.")
    page.get_by_role("button", name="Set up two-factor authentication").click()

    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret)
    page.get_by_label("Code from the app").fill(code_from_secret(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    assert twofactor.is_enrolled(alice)

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    log_in(page, alice.email, PASSWORD)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    # The code of the step after the one typed at enrolment: that one cannot be used twice, and the
    # server's window follows the clock drift it saw at enrolment (a code typed as a 30-second step
    # ended counts as drift), which the wall clock alone would miss.
    device = TOTPDevice.objects.get(user=alice)
    page.get_by_label("Code").fill(code_from_secret(secret, step=device.last_t + 1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("dashboard-heading")).to_contain_text("Alice")
    assert page.console_errors == [], page.console_errors


def test_a_wrong_code_keeps_the_door_shut(page, alice):
    from tests.otp import enrol

    enrol(alice)
    log_in(page, alice.email, PASSWORD)
    page.get_by_label("Code").fill("12345")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in to RunPhys")).to_be_visible()
