"""manage.py draw_exercise_pictures: the SVGs as drawn, print copies screenshotted by Chromium
(only those out of date), a contact sheet of them all, and a clear message without Chromium.

Like the browser tests, the Chromium tests are skipped on a developer's machine without Chromium
and fail when CI is set. They run the command in its own process: Playwright's sync API cannot start
inside the browser tests' session, whose event loop is still running in this thread."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image, ImageChops

from exercises import illustrations
from exercises.library import EXERCISES
from exercises.management.commands.draw_exercise_pictures import find_chromium

STATIC_EXERCISES = Path(settings.BASE_DIR) / "static" / "exercises"
WORKING_GREEN = (0x0F, 0x7A, 0x5F)


@pytest.fixture(scope="module")
def chromium_present() -> None:
    if find_chromium() is None:
        message = "No Chromium found: install it with 'apt-get install chromium' (or set CHROMIUM_PATH)."
        if os.environ.get("CI"):
            pytest.fail(message + " CI is set, so a missing browser fails the run.")
        pytest.skip(message)


def draw(*args: str) -> str:
    """What ``manage.py draw_exercise_pictures`` prints, run with these arguments."""
    result = subprocess.run([sys.executable, "manage.py", "draw_exercise_pictures", *args], cwd=settings.BASE_DIR,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "runphys.settings"}, capture_output=True,
                            text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def drawn(chromium_present, tmp_path_factory) -> tuple[Path, Path, str]:
    """Everything drawn once into a temporary folder, with a contact sheet."""
    output = tmp_path_factory.mktemp("pictures")
    sheet = output / "sheet" / "exercise-pictures.png"
    return output, sheet, draw("--output", str(output), "--contact-sheet", str(sheet))


def greens(image: Image.Image) -> int:
    """How many pixels are the working leg's green (within a few levels per channel)."""
    bands = [band.point(lambda value, target=target: 255 if abs(value - target) < 24 else 0)
             for band, target in zip(image.convert("RGB").split(), WORKING_GREEN, strict=True)]
    mask = ImageChops.multiply(ImageChops.multiply(bands[0], bands[1]), bands[2])
    return mask.histogram()[255]


def test_it_writes_the_drawings_as_the_code_draws_them(drawn):
    output, _, printed = drawn
    for name, svg in illustrations.drawings().items():
        assert (output / name).read_text(encoding="utf-8") == svg
    assert f"Drew {2 * len(EXERCISES)} pictures" in printed


def test_each_print_copy_is_a_jpeg_of_its_drawing(drawn):
    output, _, printed = drawn
    assert f"made {2 * len(EXERCISES)} print copies" in printed
    for name, svg in illustrations.drawings().items():
        with Image.open(output / "print" / illustrations.print_copy_name(name)) as copy:
            assert copy.format == "JPEG" and copy.size == (640, 480)
            assert copy.info["comment"].decode() == illustrations.svg_digest(svg)
    with Image.open(output / "print" / "clamshell-band-end.jpg") as copy:
        assert copy.convert("RGB").getpixel((2, 2)) == pytest.approx((255, 255, 255), abs=6)  # white paper
        assert greens(copy) > 500  # the working leg, in its colour


def test_print_copies_made_from_the_drawing_as_it_is_are_left_alone(drawn):
    output, _, _ = drawn
    copy = output / "print" / "single-leg-bridge-start.jpg"
    before = copy.stat().st_mtime_ns
    assert "(0 changed); made 0 print copies" in draw("--output", str(output))
    assert copy.stat().st_mtime_ns == before


def test_a_stale_print_copy_is_made_again(drawn):
    output, _, _ = drawn
    copy = output / "print" / "single-leg-bridge-end.jpg"
    Image.new("RGB", (640, 480), "white").save(copy, "JPEG", comment=b"the digest of an older drawing")
    assert "(0 changed); made 1 print copies" in draw("--output", str(output))
    with Image.open(copy) as image:
        assert image.info["comment"].decode() == illustrations.svg_digest(
            (output / "single-leg-bridge-end.svg").read_text(encoding="utf-8"))
        assert greens(image) > 500


def test_the_contact_sheet_shows_every_picture(drawn):
    _, sheet, printed = drawn
    assert f"Contact sheet: {sheet}" in printed
    with Image.open(sheet) as image:
        assert image.format == "PNG"
        # A row per exercise, two full-size pictures (320 × 240) and the two printed-size ones.
        assert image.width >= 2 * 320 + 2 * 136
        assert image.height >= len(EXERCISES) * 240
        assert greens(image) > len(EXERCISES) * 500


def test_without_chromium_it_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-such-chromium"))
    with pytest.raises(CommandError, match=r"Chromium.*apt-get install chromium"):
        call_command("draw_exercise_pictures", "--output", str(tmp_path), stdout=io.StringIO())
    # The drawings themselves need no browser.
    assert (tmp_path / "single-leg-bridge-start.svg").exists()
