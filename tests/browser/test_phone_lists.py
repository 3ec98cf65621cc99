"""Every list page on a phone (390 × 844): tables collapse to one card per row below 576 px, the
page is never wider than the screen, nothing in it scrolls sideways, and every field of every row
is on screen with its label. At 1280 px the tables stay tables. Each page is screenshotted at both
widths into the test's temporary folder (``--basetemp`` keeps them) to be looked at."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from assessments.programs.models import ProgramVersion
from runphys import audit
from tests.factories import (
    FOUR,
    PASSWORD,
    make_assessment,
    make_athlete,
    make_exercise,
    make_failed_email,
    make_library,
    make_program,
    make_template,
    make_user,
)
from tests.helpers import issue, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# name, URL, what one row is (a table row becomes a card; the other lists are cards already).
LISTS = [
    ("dashboard", reverse("dashboard"), "[data-testid^=worklist-] a, [data-testid=needs-attention] a, "
                                        "[data-testid=recent-athletes] a"),
    ("athletes", reverse("athlete_list"), "[data-testid=athlete-table] tbody tr"),
    ("assessments", reverse("assessments:list"), "[data-testid=assessment-list] tbody tr"),
    ("programs", reverse("programs:list"), "[data-testid=program-list] tbody tr"),
    ("exercises", reverse("exercises:list"), "[data-testid=exercise-card]"),
    ("templates", reverse("exercises:template_list"), "[data-testid$=-templates] a"),
    ("audit-log", reverse("audit_log"), "[data-testid=audit-table] tbody tr"),
    ("members", reverse("members"), "[data-testid=members-table] tbody tr"),
    ("references", reverse("assessments:references"), "[data-testid=reference-table] tbody tr"),
]

# What is wider than the screen: the page itself, or any element that scrolls sideways inside it.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [document.documentElement.scrollWidth, document.body.scrollWidth].filter(w => w > width);
  const scrolling = [...document.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1
      && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)).map(e => e.className || e.tagName);
  return {wide, scrolling};
}"""

# Every cell of a card-table row that holds something: is it on screen, and which label does it show?
CELLS = """row => [...row.children].filter(c => c.innerText.trim()).map(c => {
  const box = c.getBoundingClientRect();
  const label = getComputedStyle(c, '::before').content;
  return {text: c.innerText.trim(), left: box.left, right: box.right, height: box.height,
          label: label === 'none' || label === 'normal' ? '' : label.replace(/^"|"$/g, ''),
          wanted: c.dataset.label === undefined ? null : c.dataset.label, heading: c.tagName === 'TH'
                                                                               || c.classList.contains('card-heading')};
})"""


def shipped_references() -> None:
    """The shipped reference and MDC rows, as their data migration writes them: a browser test's
    database is flushed after each test, so an earlier one on this worker may have removed them."""
    importlib.import_module("assessments.migrations.0002_seed_reference_values").seed(django_apps, None)


def a_busy_clinic(clinic, alice, bob) -> None:
    shipped_references()
    """Rows of every list, with the long names and codes that push a phone's width."""
    library = make_library()
    exercise = library["Prone hip internal rotation"]
    long = make_athlete(clinic, first_name="Maximiliana", last_name="Featherstonehaugh-Worthington",
                        goal_event="Ironman European Championship Frankfurt",
                        goal_event_on=timezone.localdate() + timedelta(days=120), primary_clinician=bob)
    make_assessment(long, bob, FOUR, knee_valgus=True)
    long.set_assessment_summary(last_assessed_on=timezone.localdate() - timedelta(days=1), open_findings_count=2)
    rhea = make_athlete(clinic, first_name="Rhea", last_name="Review")
    due = make_program(rhea, bob, [exercise], title="Hip mobility and control, phase 2 after the marathon")
    due.versions.update(review_on=timezone.localdate() - timedelta(days=2),
                        starts_on=timezone.localdate() - timedelta(days=30))
    issue(due.latest, by=bob)
    # Issued ten days ago and nothing logged since: it needs attention.
    ProgramVersion.objects.filter(program=due).update(issued_at=timezone.now() - timedelta(days=10))
    make_failed_email(due.latest, bob)
    make_program(long, alice, [exercise, library["Single-leg rotational hip control"]],
                 title="Return to running after a hip flexor strain")
    make_exercise(clinic, name="Eccentric single-leg calf raise off a step with a backpack", region="ankle_calf",
                  family="strength", addresses=[])
    make_template(clinic, [exercise], name="Post-marathon hip mobility for the recreational runner, weeks 1 to 4")
    make_user("dr.bartholomew.longname-consultant@clinic-a-physiotherapy.example", "Bartholomew Longname", clinic)
    for athlete in (long, rhea):
        audit.record("view", actor=alice, target=athlete, ip_address="2001:db8:85a3::8a2e:370:7334")


def test_every_list_page_is_cards_on_a_phone_and_a_table_on_a_desktop(page, alice, bob, clinic_a, tmp_path):
    a_busy_clinic(clinic_a, alice, bob)
    log_in(page, alice.email, PASSWORD)
    page.get_by_test_id("dashboard-heading").wait_for()
    # Someone the admin opened recently, for the dashboard's list.
    page.goto(reverse("athlete_list"))
    page.get_by_role("link", name="Featherstonehaugh-Worthington, Maximiliana").click()
    page.get_by_test_id("athlete-name").wait_for()

    for name, url, rows in LISTS:
        page.set_viewport_size(PHONE)
        page.goto(url)
        page.screenshot(path=tmp_path / f"{name}-390.png", full_page=True)
        found = page.locator(rows)
        assert found.count() >= 1, f"{name}: no rows to look at"
        overflow = page.evaluate(OVERFLOW)
        assert overflow == {"wide": [], "scrolling": []}, f"{name}: wider than the phone: {overflow}"
        for row in found.all():
            assert row.is_visible(), f"{name}: a row is hidden"
            box = row.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, f"{name}: a row is cut off"
        cards = page.locator("table.table-cards")
        for table in cards.all():
            assert not table.locator("thead").is_visible(), f"{name}: the header row shows on a phone"
            for row in table.locator("tbody tr").all():
                for cell in row.evaluate(CELLS):
                    assert cell["left"] >= 0 and cell["right"] <= PHONE["width"] + 0.5 and cell["height"] > 0, (
                        f"{name}: {cell['text']!r} is not on screen")
                    if not cell["heading"] and cell["wanted"]:
                        assert cell["label"] == cell["wanted"], f"{name}: {cell['text']!r} shows no label"

        page.set_viewport_size(DESKTOP)
        page.goto(url)
        page.screenshot(path=tmp_path / f"{name}-1280.png", full_page=True)
        for table in cards.all():
            assert table.locator("thead").is_visible(), f"{name}: not a table on a desktop"
            assert page.evaluate("t => getComputedStyle(t).display", table.element_handle()) == "table"
    assert not page.console_errors
