"""A physio searches the library, opens an exercise, copies it to the clinic, adapts the copy and
uploads a picture, in a real browser under the strict CSP."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from exercises.library import load_library
from exercises.models import Exercise, ProgramTemplate
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


def test_a_template_is_built_like_a_program(page, alice, settings, tmp_path):
    """Named first, then its exercises from the picker, reordered with Alt+arrow and dosed in place:
    no Order numbers, no Delete boxes."""
    settings.MEDIA_ROOT = tmp_path / "media"
    load_library()
    log_in(page, alice.email, PASSWORD)
    page.goto("/exercises/templates/new/")
    page.get_by_label("Name*").fill("Knee control, phase 1")
    page.get_by_role("button", name="Create template").click()
    expect(page.get_by_test_id("template-name")).to_have_text("Knee control, phase 1")
    page.get_by_role("button", name="Add Clamshell with a band").click()
    expect(page.get_by_test_id("program-item")).to_have_count(1)
    page.get_by_role("button", name="Add Single-leg bridge").click()
    expect(page.get_by_test_id("program-item")).to_have_count(2)
    page.get_by_test_id("program-item").nth(1).locator("[data-drag-handle]").focus()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.get_by_test_id("program-item").first).to_have_attribute("data-exercise", "single-leg-bridge")
    page.get_by_test_id("program-item").first.get_by_test_id("dose-button").click()
    page.get_by_test_id("dose-form").locator("[name=reps]").fill("8")
    page.get_by_test_id("dose-form").locator("[name=reason]").fill("To strengthen the back of your hip.")
    page.get_by_test_id("dose-save").click()
    expect(page.get_by_test_id("program-item").first.get_by_test_id("item-dose")).to_contain_text("3 × 8 · hold 2 s")
    template = ProgramTemplate.objects.get(clinic=alice.clinic)
    assert [(i.exercise.slug, i.reps, i.reason) for i in template.items.order_by("order")][0] == (
        "single-leg-bridge", 8, "To strengthen the back of your hip.")
    assert [i.exercise.slug for i in template.items.order_by("order")] == ["single-leg-bridge", "clamshell-band"]
    assert page.locator("input[name$=ORDER]").count() == 0 and page.locator("input[name$=DELETE]").count() == 0
    assert page.console_errors == [], page.console_errors
