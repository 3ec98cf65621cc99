"""A physio adds an athlete, finds them by search, edits and archives them, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from athletes.models import Athlete
from runphys.models import AuditEvent
from tests.factories import PASSWORD, make_athlete
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_athletes(page) -> None:
    page.locator("#nav-main").get_by_role("link", name="Athletes", exact=True).click()


def test_create_find_edit_and_archive_an_athlete(page, bob, clinic_a):
    make_athlete(clinic_a, first_name="Other", last_name="Person")
    log_in(page, bob.email, PASSWORD)
    expect(page.get_by_test_id("dashboard-heading")).to_contain_text("Bob")

    open_athletes(page)
    page.get_by_role("link", name="Add an athlete").click()
    page.get_by_label("First name").fill("Yusuf")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Date of birth").fill("1990-04-01")
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("Email", exact=True).fill("yusuf@example.com")
    page.get_by_label("Agrees to receive email from the clinic").check()
    page.get_by_label("Weekly running volume (km)").fill("42")
    page.get_by_role("button", name="Save athlete").click()
    expect(page.get_by_test_id("athlete-name")).to_contain_text("Yusuf Okafor")
    expect(page.get_by_test_id("weekly-volume")).to_have_text("42 km")

    open_athletes(page)
    results = page.get_by_test_id("athlete-results")
    expect(results).to_contain_text("Person, Other")
    page.get_by_role("searchbox").fill("okaf")  # live search: no button press
    expect(results).not_to_contain_text("Person, Other")
    expect(page).not_to_have_url(re.compile(r"okaf"))  # the search is POSTed
    results.get_by_role("link", name="Okafor, Yusuf").click()

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Notes").fill("Prefers morning appointments")
    page.get_by_role("button", name="Save athlete").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    expect(page.get_by_test_id("athlete-profile").locator("..")).to_contain_text("Prefers morning appointments")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_test_id("archived-badge")).to_be_visible()
    open_athletes(page)
    expect(page.get_by_test_id("athlete-results")).not_to_contain_text("Okafor")

    athlete = Athlete.objects.get(last_name="Okafor")
    assert athlete.is_archived and athlete.notes == "Prefers morning appointments"
    actions = list(AuditEvent.objects.filter(target_id=str(athlete.code), actor=bob)
                   .order_by("id").values_list("action", flat=True))
    assert [action for action in actions if action != "view"] == ["create", "update", "archive"]
    assert "view" in actions
    assert page.console_errors == [], page.console_errors


def test_search_results_page_through_without_the_search_in_the_url(page, bob, clinic_a):
    for n in range(30):
        make_athlete(clinic_a, first_name=f"Zara{n:02d}", last_name="Quill")
    make_athlete(clinic_a, first_name="Other", last_name="Person")
    log_in(page, bob.email, PASSWORD)
    open_athletes(page)
    page.get_by_role("searchbox").fill("zara")
    results = page.get_by_test_id("athlete-results")
    expect(results).to_contain_text("30 athletes · page 1 of 2")
    page.get_by_role("button", name="Next").click()
    expect(results).to_contain_text("page 2 of 2")
    expect(results.get_by_role("link", name="Quill, Zara29")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/athletes/$"))
    page.get_by_label("Status").select_option("archived")  # a filter applies as soon as it changes
    expect(results).to_contain_text("No athlete matches")
    assert page.console_errors == [], page.console_errors
