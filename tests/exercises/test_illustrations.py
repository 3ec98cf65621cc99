"""The drawn SVGs are small, self-contained and safe for CSP-strict pages and PDFs, and the files
on disk are exactly what exercises/illustrations.py draws."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from exercises import illustrations
from exercises.library import EXERCISES

STATIC_EXERCISES = Path(settings.BASE_DIR) / "static" / "exercises"
SVG = "{http://www.w3.org/2000/svg}"
ALLOWED_ELEMENTS = {f"{SVG}{name}" for name in ("svg", "title", "rect", "g", "line", "polygon", "polyline", "circle")}


def svg_files() -> list[Path]:
    return sorted(STATIC_EXERCISES.glob("*.svg"))


def test_there_is_a_start_and_an_end_drawing_for_every_library_entry_and_nothing_else():
    expected = {f"{entry['slug']}-{position}.svg" for entry in EXERCISES for position in ("start", "end")}
    assert {path.name for path in svg_files()} == expected


def test_the_files_on_disk_are_what_the_drawing_code_produces():
    drawn = illustrations.drawings()
    assert set(drawn) == {path.name for path in svg_files()}
    for name, svg in drawn.items():
        assert (STATIC_EXERCISES / name).read_text(encoding="utf-8") == svg, f"{name} is stale: re-draw it"


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
    # A figure is drawn, not a blank placeholder: limbs, a head and furniture or floor.
    assert len(root.findall(f".//{SVG}line")) >= 12
    assert len(root.findall(f".//{SVG}circle")) == 1
