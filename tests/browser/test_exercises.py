"""A physio searches the library, opens an exercise, copies it to the clinic, adapts the copy and
uploads a picture, in a real browser under the strict CSP."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from exercises.library import load_library
from exercises.models import Exercise
from tests.factories import PASSWORD
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_open_copy_edit_and_upload_a_picture(page, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_library()
    picture = tmp_path / "clinic-photo.png"
    Image.new("RGB", (800, 600), (40, 120, 90)).save(picture)

    log_in(page, alice.email, PASSWORD)
    page.get_by_role("link", name="Exercises").click()
    expect(page.get_by_role("heading", name="Exercise library")).to_be_visible()
    expect(page.get_by_test_id("exercise-card")).to_have_count(17)

    # Live search: the results change in place, without a page load, and the URL follows.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Search").press_sequentially("clamsh", delay=40)
    expect(page.get_by_test_id("exercise-card")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/exercises/\?.*q=clamsh"))
    assert page.evaluate("window.stillTheSamePage") is True
    page.get_by_label("Family").select_option("control_strength")
    # The count is already 1: wait for the new results (their URL) before clicking in them, or the
    # swap replaces the link under the click.
    expect(page).to_have_url(re.compile(r"/exercises/\?.*family=control_strength"))
    expect(page.get_by_test_id("exercise-card")).to_have_count(1)

    page.get_by_role("link", name="Clamshell with a band").click()
    expect(page.get_by_test_id("exercise-name")).to_have_text("Clamshell with a band")
    expect(page.get_by_test_id("exercise-steps").locator("li")).to_have_count(4)
    expect(page.get_by_test_id("default-dosage")).to_contain_text("Yellow band")

    page.get_by_role("button", name="Copy to my clinic").click()
    expect(page.get_by_role("heading", name="Edit “Clamshell with a band”")).to_be_visible()
    page.get_by_label("Name*").fill("Clamshell, clinic A version")
    page.get_by_label("Repetitions*").fill("15")
    page.get_by_label("Start position picture").set_input_files(picture)
    page.get_by_role("button", name="Save exercise").click()

    expect(page.get_by_test_id("exercise-name")).to_have_text("Clamshell, clinic A version")
    expect(page.get_by_test_id("default-dosage")).to_contain_text("3 × 15")
    start = page.get_by_role("img", name="Clamshell, clinic A version: start position")
    expect(start).to_have_attribute("src", re.compile(r"/exercises/[0-9a-f-]{36}/pictures/start/$"))
    expect(start).to_have_js_property("naturalWidth", 800)
    end = page.get_by_role("img", name="Clamshell, clinic A version: end position")
    expect(end).to_have_attribute("src", "/static/exercises/clamshell-band-end.svg")  # the drawing stays

    copy = Exercise.objects.get(clinic=alice.clinic)
    assert copy.reps == 15 and copy.start_picture.name.startswith("exercise-pictures/")
    assert Exercise.objects.get(slug="clamshell-band", clinic=None).reps == 12
    assert page.console_errors == [], page.console_errors


def test_a_template_gets_a_second_exercise_with_the_add_button(page, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_library()
    log_in(page, alice.email, PASSWORD)
    page.goto("/exercises/templates/new/")
    page.get_by_label("Name*").fill("Knee control, phase 1")
    page.locator("#id_items-0-exercise").select_option(label="Clamshell with a band")
    page.get_by_role("button", name="Add another exercise").click()
    page.locator("#id_items-1-exercise").select_option(label="Single-leg bridge")
    page.locator("#id_items-1-reps").fill("8")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_test_id("template-name")).to_have_text("Knee control, phase 1")
    rows = page.get_by_test_id("template-items").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("3 × 8 · hold 2 s")
    assert page.console_errors == [], page.console_errors
