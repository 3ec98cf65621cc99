"""The drawn SVGs are small, self-contained and safe for CSP-strict pages and PDFs, and the files
on disk are exactly what exercises/illustrations.py draws."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

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


def test_every_drawing_has_a_print_copy_made_from_it_as_it_is_now():
    copies = sorted((STATIC_EXERCISES / "print").glob("*.jpg"))
    assert {path.name for path in copies} == {illustrations.print_copy_name(path.name) for path in svg_files()}
    for svg in svg_files():
        with Image.open(STATIC_EXERCISES / "print" / illustrations.print_copy_name(svg.name)) as copy:
            assert copy.format == "JPEG" and copy.size == (640, 480)
            assert copy.info["comment"].decode() == illustrations.svg_digest(svg.read_text(encoding="utf-8")), (
                f"the print copy of {svg.name} is stale: re-draw with python -m exercises.illustrations")


def test_the_print_copy_is_the_drawing():
    """Rasterised, the drawing keeps its colours where the SVG puts them: white paper in a corner,
    the head (the one circle) in the ink colour, and the working leg's green somewhere."""
    svg = (STATIC_EXERCISES / "clamshell-band-end.svg").read_text(encoding="utf-8")
    import io

    with Image.open(io.BytesIO(illustrations.raster(svg))) as image:
        image = image.convert("RGB")
        head = ET.fromstring(svg).find(f".//{SVG}circle")  # noqa: S314
        x, y = (round(float(head.get(name)) * illustrations.PRINT_SCALE) for name in ("cx", "cy"))
        assert image.getpixel((2, 2)) == pytest.approx((255, 255, 255), abs=6)
        assert image.getpixel((x, y)) == pytest.approx((0x24, 0x3B, 0x53), abs=12)
        working = (0x0F, 0x7A, 0x5F)
        greens = [pixel for pixel in image.get_flattened_data()
                  if all(abs(channel - target) < 20 for channel, target in zip(pixel, working, strict=True))]
        assert len(greens) > 500
