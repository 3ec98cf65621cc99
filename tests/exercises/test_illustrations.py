"""The drawn SVGs are small, self-contained and safe for CSP-strict pages and PDFs, the files on
disk are exactly what exercises/illustrations.py draws, each has a JPEG print copy made from it as
it is now, and nothing the web app runs imports the drawing code."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, JpegImagePlugin

from exercises import illustrations
from exercises.library import EXERCISES

STATIC_EXERCISES = Path(settings.BASE_DIR) / "static" / "exercises"
SVG = "{http://www.w3.org/2000/svg}"
ALLOWED_ELEMENTS = {f"{SVG}{name}" for name in (
    "svg", "title", "rect", "g", "line", "polygon", "polyline", "circle", "ellipse", "path")}
REDRAW = "re-draw with: python manage.py draw_exercise_pictures"


def svg_files() -> list[Path]:
    return sorted(STATIC_EXERCISES.glob("*.svg"))


def test_there_is_a_start_and_an_end_drawing_for_every_library_entry_and_nothing_else():
    expected = {f"{entry['slug']}-{position}.svg" for entry in EXERCISES for position in ("start", "end")}
    assert {path.name for path in svg_files()} == expected


def test_the_files_on_disk_are_what_the_drawing_code_produces():
    drawn = illustrations.drawings()
    assert set(drawn) == {path.name for path in svg_files()}
    for name, svg in drawn.items():
        assert (STATIC_EXERCISES / name).read_text(encoding="utf-8") == svg, f"{name} is stale: {REDRAW}"


def test_the_drawing_code_is_deterministic():
    assert illustrations.drawings() == illustrations.drawings()


@pytest.mark.parametrize("path", svg_files(), ids=lambda p: p.name)
def test_each_drawing_is_valid_self_contained_svg(path):
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)  # noqa: S314  (our own committed files, not user input)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 320 240"
    assert root.find(f"{SVG}title").text.endswith("position")
    for element in root.iter():
        assert element.tag in ALLOWED_ELEMENTS, element.tag
        for attribute in element.attrib:
            assert not attribute.startswith("on"), attribute
            assert attribute not in {"style", "href", "{http://www.w3.org/1999/xlink}href", "class"}, attribute
    assert "url(" not in text and "<script" not in text and "http://" not in text.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert not any(name.startswith("font") for element in root.iter() for name in element.attrib)


@pytest.mark.parametrize("path", svg_files(), ids=lambda p: p.name)
def test_each_drawing_is_a_figure_with_a_body_and_the_working_leg_in_its_colour(path):
    """Not a blank placeholder: filled limbs and trunk (a path each), a head, the working leg's
    green; and the end picture has the ghost of the start position and the arrow of the movement."""
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)  # noqa: S314
    assert len(root.findall(f".//{SVG}path")) >= 2 * 17  # each part drawn with its edge, then filled
    assert root.findall(f".//{SVG}circle")  # the head
    fills = {element.get("fill") for element in root.iter()}
    assert fills & {illustrations.TONES["working"], illustrations.TONES["working_far"]}
    if path.name.endswith("-end.svg"):
        assert illustrations.GHOST_FILL in fills and illustrations.ARROW in fills
    else:
        assert illustrations.GHOST_FILL not in fills


@pytest.mark.parametrize("path", svg_files(), ids=lambda p: p.name)
def test_each_drawing_has_a_print_copy_made_from_it_as_it_is_now(path):
    copy_path = STATIC_EXERCISES / "print" / illustrations.print_copy_name(path.name)
    assert copy_path.exists(), f"{path.name} has no print copy: {REDRAW}"
    with Image.open(copy_path) as copy:
        assert copy.format == "JPEG" and copy.mode == "RGB" and copy.size == (640, 480)
        # No chroma subsampling (4:4:4), so thin coloured lines keep their colour in print.
        assert JpegImagePlugin.get_sampling(copy) == 0
        assert copy.info["comment"].decode() == illustrations.svg_digest(path.read_text(encoding="utf-8")), (
            f"the print copy of {path.name} is stale: {REDRAW}")


def test_there_is_no_print_copy_without_its_drawing():
    copies = {path.name for path in (STATIC_EXERCISES / "print").iterdir()}
    assert copies == {illustrations.print_copy_name(path.name) for path in svg_files()}


def test_nothing_the_web_app_runs_imports_the_drawing_code_or_playwright():
    """Every module of the apps except management commands and migrations, imported in a fresh
    interpreter, leaves the drawing module and Playwright unloaded."""
    script = """
import importlib, pkgutil, sys
import django
django.setup()
import runphys.wsgi, runphys.urls
for package in ("runphys", "athletes", "exercises", "assessments"):
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, package + "."):
        if ".management" in module.name or ".migrations" in module.name or module.name == "exercises.illustrations":
            continue
        importlib.import_module(module.name)
loaded = sorted(name for name in sys.modules if name == "exercises.illustrations" or name.startswith("playwright"))
print(",".join(loaded))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "runphys.settings"}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
