"""A physio logs in, sees the dashboard and logs out, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from runphys.models import AuditEvent
from tests.factories import PASSWORD
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_see_the_dashboard_and_log_out(page, alice):
    log_in(page, alice.email, PASSWORD)
    expect(page.get_by_test_id("dashboard-heading")).to_contain_text("Alice")
    expect(page.get_by_test_id("clinic-menu")).to_have_text("Clinic A Physio")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in to RunPhys")).to_be_visible()
    assert page.console_errors == [], page.console_errors


def test_wrong_password_shows_an_error_and_logs_nothing_in(page, alice):
    log_in(page, alice.email, "definitely-wrong-password")
    expect(page.get_by_test_id("login-error")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in to RunPhys")).to_be_visible()
    assert not AuditEvent.objects.filter(action="login").exists()
    assert AuditEvent.objects.filter(action="login_failed").count() == 1
