"""A physio records a bilateral assessment with the keyboard only and reads its findings and chart."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment
from tests.factories import PASSWORD, make_athlete
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_keyboard_only_bilateral_assessment_shows_the_asymmetry_and_the_chart(page, alice, clinic_a):
    athlete = make_athlete(clinic_a, first_name="Kemi", last_name="Adeyemi", sex="female")
    log_in(page, alice.email, PASSWORD)
    page.goto(f"/assessments/new/{athlete.code}/")

    left_ir = page.get_by_label("Left IR", exact=True)
    expect(left_ir).to_be_focused()  # the common case starts typing at once
    for value in ("24", "38", "40", "42"):  # left IR, right IR, left ER, right ER
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    expect(page.get_by_test_id("difference-main-ir")).to_have_text("−14°")
    expect(page.get_by_test_id("difference-main-er")).to_have_text("−2°")
    expect(page.get_by_test_id("arc-main-left")).to_have_text("64°")
    expect(page.get_by_test_id("arc-main-right")).to_have_text("80°")

    page.get_by_label("Right ER", exact=True).focus()  # back to the last number, as after typing it
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/assessments/[0-9a-f-]{36}/$"))
    findings = page.get_by_test_id("findings")
    expect(findings.locator('[data-code="asymmetry_ir"]')).to_contain_text("IR asymmetry")
    # Each finding is one line; its source is one click away (and in the link's title on hover).
    source_link = findings.locator('[data-code="asymmetry_ir"] a.source-ref')
    expect(source_link).to_have_attribute("title", re.compile("Ellison"))
    source_link.click()
    expect(page).to_have_url(re.compile(r"#source-\d+$"))
    expect(page.locator(page.url[page.url.index("#"):])).to_contain_text("Ellison")
    expect(findings.locator('[data-code="below_reference_ir"]')).to_contain_text("Left IR 24°")
    chart = page.get_by_test_id("chart-ir-prone-passive")
    expect(chart).to_be_visible()
    expect(chart.locator("g.reading")).to_have_count(2)
    assert page.console_errors == [], page.console_errors

    assessment = Assessment.objects.get()
    assert [(r.side, r.movement, r.degrees) for r in assessment.readings.order_by("movement", "side")] == [
        ("left", "er", 40), ("right", "er", 42), ("left", "ir", 24), ("right", "ir", 38)]
    athlete.refresh_from_db()
    # Three open findings: IR below reference, the asymmetry, and the structural-limit prompt.
    assert athlete.last_assessed_on == assessment.assessed_on and athlete.open_findings_count == 3
    page.screenshot(path="/tmp/detail.png", full_page=True)


def test_an_implausible_value_needs_the_confirmation_box_ticked_by_keyboard(page, alice, clinic_a):
    athlete = make_athlete(clinic_a)
    log_in(page, alice.email, PASSWORD)
    page.goto(f"/assessments/new/{athlete.code}/")
    # Chromium applies autofocus just after the page loads: keys typed before that go nowhere.
    expect(page.get_by_label("Left IR", exact=True)).to_be_focused()
    for value in ("65", "40", "40", "42"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.get_by_label("Right ER", exact=True).focus()
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("plausibility-warnings")).to_contain_text("Left IR 65° is unusual")
    expect(page.get_by_label("Left IR", exact=True)).to_have_value("65")  # nothing typed is lost
    confirm = page.get_by_label("I have checked these values and they are right")
    expect(confirm).to_be_focused()
    page.screenshot(path="/tmp/entry-warn.png", full_page=True)
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/assessments/[0-9a-f-]{36}/$"))
    assert Assessment.objects.get().readings.get(side="left", movement="ir").degrees == 65


def test_a_baseline_and_two_follow_ups_show_the_change_since_the_first_assessment(page, alice, clinic_a):
    """Three visits entered through the form, a month apart: the third shows the step since the
    second and, separately, the change since the first."""
    athlete = make_athlete(clinic_a, first_name="Ola", last_name="Nordmann", sex="female")
    log_in(page, alice.email, PASSWORD)
    for day, (left_ir, right_ir) in (("2026-09-01", ("24", "40")), ("2026-10-01", ("31", "41")),
                                     ("2026-11-01", ("38", "42"))):
        page.goto(f"/assessments/new/{athlete.code}/")
        page.get_by_label("Date").fill(day)
        page.get_by_label("Left IR", exact=True).fill(left_ir)
        page.get_by_label("Right IR", exact=True).fill(right_ir)
        page.get_by_label("Left ER", exact=True).fill("40")
        page.get_by_label("Right ER", exact=True).fill("42")
        page.get_by_label("Right ER", exact=True).press("Enter")
        expect(page).to_have_url(re.compile(r"/assessments/[0-9a-f-]{36}/$"))
    since_first = page.get_by_test_id("changes-since-first")
    expect(since_first).to_contain_text("+14° since the first assessment: Left IR 38° vs 24° at the first assessment "
                                        "on 1 Sep 2026")
    expect(since_first.locator('[data-code="real_change"]')).to_have_count(1)
    expect(page.get_by_test_id("changes")).to_contain_text(
        "Left IR 38° vs 31° at the previous assessment on 1 Oct 2026 (+7°): within measurement error")
    expect(page.get_by_test_id("chart-ir-prone-passive").locator("g.reading")).to_have_count(6)
    page.screenshot(path="/tmp/since-first.png", full_page=True)
    assert page.console_errors == [], page.console_errors
