"""In a real browser, the program builder: add exercises from the picker (search and region
filter), drag an item to a new place, Alt+arrow on a focused item, edit a dose in place (and
Cancel), remove and undo, and save the program as a template; the database is checked after each
step, and the CSP never complains."""

import re

import pytest
from playwright.sync_api import expect

from assessments.programs.models import Program, ProgramItem
from exercises.models import Family, ProgramTemplate, Region
from runphys import concurrency
from tests.factories import PASSWORD, draft_of, make_athlete, make_exercise, make_library, make_world
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]


def on_page(page) -> list[str]:
    return page.get_by_test_id("program-item").evaluate_all("items => items.map(item => item.dataset.exercise)")


def stored(program) -> list[str]:
    return [i.exercise.slug for i in ProgramItem.objects.filter(version__program=program).order_by("order")]


def test_build_a_program_with_the_picker(page, bob):
    athlete = make_athlete(bob.clinic, first_name="Ines", last_name="Okafor")
    make_library()
    make_exercise(bob.clinic, name="Eccentric heel drop", region=Region.ANKLE_CALF, family=Family.STRENGTH,
                  addresses=[], steps=["Stand on a step.", "Lower the heel slowly below the step."])
    log_in(page, bob.email, PASSWORD)
    page.goto(f"/programs/for-athlete/{athlete.code}/")
    page.get_by_label("Title").fill("Calf and hip, phase 1")
    page.get_by_role("button", name="Create draft program").click()
    expect(page).to_have_url(re.compile(r"/programs/[0-9a-f-]{36}/$"))
    program = Program.objects.get()
    page.evaluate("window.__sameDocument = true")

    # The picker: a word of the steps finds the clinic's calf exercise; Add puts it in the draft.
    picker = page.get_by_test_id("picker")
    picker.get_by_label("Find an exercise").fill("heel")
    expect(page.get_by_test_id("picker-exercise")).to_have_count(1)
    key = page.get_by_role("button", name="Add Eccentric heel drop").locator("xpath=..").locator(
        'input[name="submission_key"]')
    sent_key = key.input_value()
    page.get_by_role("button", name="Add Eccentric heel drop").click()
    expect(page.get_by_test_id("program-item")).to_have_count(1)
    # The response swapped a fresh one-time key into that Add (a double click adds once; another
    # click later adds again, on purpose).
    expect(key).not_to_have_value(sent_key)
    # The region filter: hip exercises only, each with its picture.
    picker.get_by_label("Find an exercise").fill("")
    picker.get_by_label("Region").select_option(Region.HIP)
    expect(page.get_by_test_id("picker-exercise")).to_have_count(7)
    expect(page.get_by_test_id("picker-exercise").first.locator("img")).to_have_attribute("src", re.compile(r"\.svg$"))
    page.get_by_role("button", name="Add Prone hip internal rotation").click()
    expect(page.get_by_test_id("program-item")).to_have_count(2)
    page.get_by_role("button", name="Add Single-leg rotational hip control").click()
    expect(page.get_by_test_id("program-item")).to_have_count(3)
    assert stored(program) == ["eccentric-heel-drop", "prone-hip-internal-rotation",
                               "single-leg-rotational-hip-control"]

    # Drag the last item by its handle to the top: one POST saves the whole order.
    items = page.get_by_test_id("program-item")
    handle = items.last.locator("[data-drag-handle]")
    page.get_by_test_id("builder-list").scroll_into_view_if_needed()  # Add scrolled down to the picker
    box, top = handle.bounding_box(), items.first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] - (box["y"] - top["y"] + 5) * step / 10)
    expect(items.first).to_have_class(re.compile("is-dragging"))  # the row moves with the pointer
    page.mouse.up()
    expected = ["single-leg-rotational-hip-control", "eccentric-heel-drop", "prone-hip-internal-rotation"]
    expect(page.get_by_test_id("item-position").first).to_have_text("1.")
    expect(page.get_by_test_id("program-item").first).to_have_attribute("data-exercise", expected[0])
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert on_page(page) == expected
    assert stored(program) == expected

    # Alt+↓ on the focused handle of the first item moves it one place, and it keeps the focus.
    page.get_by_test_id("program-item").first.locator("[data-drag-handle]").focus()
    page.keyboard.press("Alt+ArrowDown")
    expected = ["eccentric-heel-drop", "single-leg-rotational-hip-control", "prone-hip-internal-rotation"]
    expect(page.get_by_test_id("program-item").nth(1)).to_have_attribute("data-exercise", expected[1])
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert stored(program) == expected
    expect(page.locator(f"[data-exercise='{expected[1]}'] [data-drag-handle]")).to_be_focused()

    # The dose in place: Cancel gives the row back unchanged; Save stores the new dose.
    heel = page.locator("[data-testid=program-item][data-exercise=eccentric-heel-drop]")
    heel.get_by_test_id("dose-button").click()
    form = page.get_by_test_id("dose-form")
    expect(form).to_be_visible()
    form.locator("[name=sets]").fill("9")
    form.get_by_test_id("dose-cancel").click()
    expect(page.get_by_test_id("dose-form")).to_have_count(0)
    assert ProgramItem.objects.get(exercise__slug="eccentric-heel-drop").sets == 3
    heel.get_by_test_id("dose-button").click()
    form = page.get_by_test_id("dose-form")
    form.locator("[name=sets]").fill("4")
    form.locator("[name=reps]").fill("15")
    form.get_by_test_id("dose-save").click()
    expect(heel.get_by_test_id("item-dose")).to_contain_text("4 × 15")
    item = ProgramItem.objects.get(exercise__slug="eccentric-heel-drop")
    assert (item.sets, item.reps) == (4, 15)

    # Remove, then Undo: back in its place with its dose.
    page.get_by_role("button", name="Remove Eccentric heel drop").click()
    expect(page.get_by_test_id("undo-notice")).to_contain_text("Removed “Eccentric heel drop”")
    assert stored(program) == expected[1:]
    page.get_by_test_id("undo-button").click()
    expect(page.get_by_test_id("undo-notice")).to_have_count(0)
    expect(page.get_by_test_id("program-item").first).to_have_attribute("data-exercise", "eccentric-heel-drop")
    assert stored(program) == expected
    item = ProgramItem.objects.get(exercise__slug="eccentric-heel-drop")
    assert (item.sets, item.reps, item.order) == (4, 15, 1)
    assert page.evaluate("window.__sameDocument") is True  # all of it without a page load

    # Save as template: the clinic's template holds the same exercises in the same order.
    page.get_by_test_id("save-as-template").click()
    page.get_by_label("Name").fill("Calf and hip starter")
    page.get_by_role("button", name="Save as template").click()
    expect(page.get_by_test_id("template-name")).to_have_text("Calf and hip starter")
    template = ProgramTemplate.objects.get(name="Calf and hip starter")
    assert template.clinic == bob.clinic
    assert [i.exercise.slug for i in template.items.order_by("order")] == expected
    assert [(i.sets, i.reps) for i in template.items.order_by("order")][0] == (4, 15)
    assert page.console_errors == []


def test_a_dose_saved_in_place_after_a_colleague_changed_it_is_refused_in_place_with_the_input_kept(
        page, alice, bob):
    """Two physios on one draft: the dose form opened in place, a colleague saves that item, then
    Save. The form stays in the row with who changed it and the dose typed; saving again stores it."""
    world = make_world(bob.clinic, bob)
    log_in(page, bob.email, PASSWORD)
    page.goto(world.program.get_absolute_url())
    row = page.locator("[data-testid=program-item][data-exercise=prone-hip-internal-rotation]")
    row.get_by_test_id("dose-button").click()
    form = page.get_by_test_id("dose-form")
    form.locator("[name=sets]").fill("4")

    item = draft_of(world.program).items.get(exercise__slug="prone-hip-internal-rotation")
    sets_before = item.sets
    concurrency.claim(item, item.lock_version, by=alice)
    item.reps = 12
    item.save(update_fields=["reps"])

    form.get_by_test_id("dose-save").click()
    expect(form).to_contain_text(f"{alice.full_name} changed this record")
    expect(form.locator("[name=sets]")).to_have_value("4")
    item.refresh_from_db()
    assert (item.sets, item.reps) == (sets_before, 12)  # the colleague's save stands, nothing of the refused one

    page.get_by_test_id("dose-form").get_by_test_id("dose-save").click()
    expect(page.get_by_test_id("dose-form")).to_have_count(0)
    item.refresh_from_db()
    assert item.sets == 4
    # Chromium reports the refused save's status itself; nothing else may complain (the CSP).
    assert [e for e in page.console_errors if "status of 409 (Conflict)" not in e] == []
