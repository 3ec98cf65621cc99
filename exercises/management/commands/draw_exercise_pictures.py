"""Re-draw the shipped exercises' pictures: the SVGs, their JPEG print copies and a contact sheet.

A developer's tool, run after changing a pose in ``exercises/illustrations.py``; the files it
writes are committed, and nothing in the web app runs it or imports the drawing code.

Print copies. The handout PDF embeds a JPEG of each drawing rather than the SVG, because that is
what makes the PDF fastest: WeasyPrint lays out and paints an SVG's every element on each render
(a few milliseconds a picture, every time a handout is made), while a JPEG is copied into the PDF
as it is. The JPEGs are made here, at build time, by screenshotting each SVG in a headless
Chromium driven by Playwright: WeasyPrint writes PDFs, not pictures, and Pillow cannot read SVG,
while Chromium draws SVG as the browsers showing the web pages do, and the browser tests already
need it (Playwright is a dev dependency; Chromium comes from the system). Nothing home-made is
left to keep in step with the SVG. Each copy is 640 × 480 (the viewBox scaled by two: over
440 dpi at the 36 mm the handout prints it), encoded by Pillow at quality 85, which keeps each
near 20 KB, with no chroma subsampling, so thin coloured lines keep their colour; its JPEG comment
is the SVG's SHA-256. Tests compare that with the SVG on disk, and a print copy whose SVG has not
changed is left alone (another Chromium may anti-alias an edge a shade differently; the committed
JPEGs should not churn for that; ``--force`` re-makes them all).

    manage.py draw_exercise_pictures                      # SVGs, and the print copies that are out of date
    manage.py draw_exercise_pictures --contact-sheet var/exercise-pictures.png
"""

import base64
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from exercises import illustrations
from exercises.library import EXERCISES

PRINT_SIZE = (2 * illustrations.WIDTH, 2 * illustrations.HEIGHT)
JPEG_QUALITY = 85
CHROMIUM_CANDIDATES = ["chromium", "chromium-browser", "google-chrome"]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]
INSTALL_HINT = ("install the dev tools (make install-dev, which brings Playwright) and Chromium "
                "(sudo apt-get install chromium), or point CHROMIUM_PATH at a Chromium")


def find_chromium() -> str | None:
    """The Chromium to drive: $CHROMIUM_PATH if set, else the first on the PATH (as the browser tests do)."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser, or CommandError naming what to install."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise CommandError(f"Drawing print copies needs Playwright, which is missing: {INSTALL_HINT}.") from error
    executable = find_chromium()
    if executable is None:
        raise CommandError(f"Drawing print copies needs Chromium, and none was found: {INSTALL_HINT}.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def data_uri(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def screenshot(page, svg: str) -> Image.Image:
    """The SVG as Chromium paints it, scaled by its viewBox to PRINT_SIZE."""
    width, height = PRINT_SIZE
    page.set_content(
        '<!doctype html><html><body style="margin:0;background:#fff">'
        f'<img src="{data_uri("image/svg+xml", svg.encode("utf-8"))}" width="{width}" height="{height}" '
        'style="display:block"></body></html>'
    )
    page.wait_for_function("document.images[0].complete")
    png = page.screenshot(type="png", clip={"x": 0, "y": 0, "width": width, "height": height})
    return Image.open(BytesIO(png)).convert("RGB")


def print_copy(image: Image.Image, svg: str) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, subsampling=0, optimize=True,
               comment=illustrations.svg_digest(svg).encode("ascii"))
    return buffer.getvalue()


def is_current(path: Path, svg: str) -> bool:
    """Whether the print copy at ``path`` exists and was made from this SVG."""
    if not path.exists():
        return False
    with Image.open(path) as image:
        return image.info.get("comment", b"").decode("ascii", "replace") == illustrations.svg_digest(svg)


def contact_sheet_html(output: Path) -> str:
    """One row per shipped exercise: its name, start and end pictures at full size, and both print
    copies at the size the handout prints them (36 × 27 mm)."""
    rows = []
    for entry in EXERCISES:
        cells = []
        for position in ("start", "end"):
            svg = (output / f"{entry['slug']}-{position}.svg").read_bytes()
            cells.append(f'<td><img src="{data_uri("image/svg+xml", svg)}" width="320" height="240"></td>')
        small = []
        for position in ("start", "end"):
            jpeg = (output / "print" / f"{entry['slug']}-{position}.jpg").read_bytes()
            small.append(f'<img src="{data_uri("image/jpeg", jpeg)}" class="print">')
        rows.append(f'<tr><th>{escape(entry["name"])}<small>{escape(entry["slug"])}</small></th>{"".join(cells)}'
                    f'<td class="small">{"".join(small)}</td></tr>')
    return (
        '<!doctype html><html><head><meta charset="utf-8"><style>'
        "body{margin:12px;font:15px/1.3 sans-serif;color:#102a43;background:#fff}"
        "table{border-collapse:collapse}td,th{padding:6px;border-bottom:1px solid #d9e2ec;vertical-align:middle}"
        "th{width:210px;text-align:left;font-weight:600}small{display:block;font-weight:400;color:#627d98;"
        "font-size:11px;margin-top:4px}img{display:block;border:1px solid #e4e7eb}"
        ".small img{width:36mm;height:27mm;display:inline-block;margin-right:4px}"
        "caption{text-align:left;padding:0 6px 8px;color:#486581}"
        "</style></head><body><table><caption>Shipped exercise pictures: start, end, and both at the "
        "handout's print size (36 × 27 mm)</caption>"
        f'{"".join(rows)}</table></body></html>'
    )


class Command(BaseCommand):
    help = (
        "Re-draw the shipped exercises' start and end pictures (SVG) from their poses, make the JPEG print "
        "copies that are out of date (Chromium through Playwright), and optionally a contact sheet of them all."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", type=Path, default=Path(settings.BASE_DIR) / "static" / "exercises",
                            help="Folder for the SVGs, print copies in its print/ (default static/exercises).")
        parser.add_argument("--contact-sheet", type=Path, metavar="PNG",
                            help="Also write a PNG of all the pictures, e.g. var/exercise-pictures.png.")
        parser.add_argument("--force", action="store_true",
                            help="Re-make every print copy, even those made from the SVG as it is "
                                 "(after changing how they are encoded).")

    def handle(self, *args, output: Path, contact_sheet: Path | None, force: bool, **options) -> None:
        print_folder = output / "print"
        print_folder.mkdir(parents=True, exist_ok=True)
        drawings = illustrations.drawings()
        changed = 0
        for name, svg in drawings.items():
            path = output / name
            if not path.exists() or path.read_text(encoding="utf-8") != svg:
                path.write_text(svg, encoding="utf-8")
                changed += 1
        stale = {name: svg for name, svg in drawings.items()
                 if force or not is_current(print_folder / illustrations.print_copy_name(name), svg)}
        if stale or contact_sheet:
            with chromium() as browser:
                page = browser.new_page(viewport={"width": PRINT_SIZE[0], "height": PRINT_SIZE[1]})
                for name, svg in stale.items():
                    copy = print_copy(screenshot(page, svg), svg)
                    (print_folder / illustrations.print_copy_name(name)).write_bytes(copy)
                page.close()
                if contact_sheet:
                    self.write_contact_sheet(browser, output, contact_sheet)
        self.stdout.write(
            f"Drew {len(drawings)} pictures in {output} ({changed} changed); made {len(stale)} print copies "
            f"({len(drawings) - len(stale)} already up to date)."
        )
        leftovers = sorted({path.name for path in output.glob("*.svg")} - set(drawings))
        if leftovers:
            self.stderr.write(f"Not drawn by the code any more (delete them and their print copies): "
                              f"{', '.join(leftovers)}")
        if contact_sheet:
            self.stdout.write(f"Contact sheet: {contact_sheet}")

    def write_contact_sheet(self, browser, output: Path, path: Path) -> None:
        page = browser.new_page(viewport={"width": 1240, "height": 800})
        page.set_content(contact_sheet_html(output))
        page.wait_for_function("Array.from(document.images).every(image => image.complete)")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(page.screenshot(type="png", full_page=True))
        page.close()
