"""The render function: real WeasyPrint PDFs in an isolated child process with memory and time caps,
nothing fetched outside the project's own files."""

import io

import pytest

from runphys.pdf import RenderFailed, RenderOutOfMemory, RenderTimeout, render, render_pdf
from tests.helpers import embedded_files, pdf_text


def test_renders_a_real_pdf_with_the_text():
    data = render_pdf("<h1>Hip rotation program</h1><p>Ana Runner</p>")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Hip rotation program" in text and "Ana Runner" in text


def test_project_static_files_are_fetched():
    rendered = render('<link rel="stylesheet" href="/static/css/runphys.css"><img src="/static/img/favicon.svg">')
    assert rendered.fetched == ("https://runphys.invalid/static/css/runphys.css",
                                "https://runphys.invalid/static/img/favicon.svg")
    assert rendered.refused == ()


def test_a_project_stylesheet_applies():
    rendered = render("<p>Styled</p>", stylesheets=["css/handout.css"])
    assert "Styled" in pdf_text(rendered.pdf) and rendered.refused == ()


def test_data_urls_are_allowed():
    svg = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/%3E"
    rendered = render(f'<img src="{svg}">')
    assert rendered.fetched == (svg,) and rendered.refused == ()


def test_hostile_html_fetches_nothing_and_embeds_nothing(http_server, tmp_path):
    origin, hits = http_server
    hostile = f"""
      <img src="file:///etc/passwd">
      <a rel="attachment" href="file:///etc/hostname">notes</a>
      <link rel="attachment" href="file:///etc/hostname">
      <div style="background: url({origin}/css-background)">x</div>
      <style>@import url({origin}/imported.css); p {{ background: url('{origin}/style-block') }}</style>
      <img src="{origin}/image.png">
      <img src="/static/../../../../etc/passwd">
      <img src="/media/../../etc/passwd">
      <p>done</p>
    """
    rendered = render(hostile)
    assert rendered.pdf.startswith(b"%PDF-")
    assert hits == []
    assert rendered.fetched == ()
    assert len(rendered.refused) >= 8
    assert embedded_files(rendered.pdf) == []
    assert b"root:" not in rendered.pdf


def test_media_files_only_when_listed(settings, tmp_path):
    """The child reads the caller's settings (here a test's own MEDIA_ROOT), not its own."""
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "exercises").mkdir()
    ours = tmp_path / "exercises" / "ours.svg"
    theirs = tmp_path / "exercises" / "theirs.svg"
    for path in (ours, theirs):
        path.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>")
    rendered = render('<img src="/media/exercises/ours.svg"><img src="/media/exercises/theirs.svg">'
                      f'<img src="file://{theirs}">', allowed_media=["exercises/ours.svg"])
    assert rendered.fetched == ("https://runphys.invalid/media/exercises/ours.svg",)
    assert len(rendered.refused) == 2


def test_symlink_out_of_the_media_root_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "escape.txt").symlink_to("/etc/hostname")
    rendered = render('<a rel="attachment" href="/media/escape.txt">x</a>', allowed_media=["escape.txt"])
    assert rendered.fetched == () and embedded_files(rendered.pdf) == []


HEAVY = "<table>" + "".join(f"<tr><td>row {n}</td><td>{'x ' * 40}</td></tr>" for n in range(6000)) + "</table>"


def test_a_render_over_its_time_limit_is_stopped_and_the_caller_carries_on():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(RenderTimeout, match="longer than the 0.3 s allowed"):
        render_pdf(HEAVY, seconds=0.3)
    assert signal.getsignal(signal.SIGALRM) is before  # no alarm or handler in the caller
    assert render_pdf("<p>next</p>").startswith(b"%PDF-")


def test_the_time_limit_comes_from_the_settings(settings):
    settings.PDF_RENDER_SECONDS = 0.3
    with pytest.raises(RenderTimeout):
        render_pdf(HEAVY)


def huge_image_url(side: int) -> str:
    import base64

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (200, 30, 30)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_render_over_its_memory_cap_fails_with_the_reason_and_the_caller_carries_on():
    """A 12,000-pixel square picture decodes to over 400 MB; with its copies it passes the
    default 768 MiB cap."""
    with pytest.raises(RenderOutOfMemory, match="more than the 768 MiB"):
        render_pdf(f'<img src="{huge_image_url(12_000)}">')
    assert render_pdf("<p>next</p>").startswith(b"%PDF-")


def test_the_memory_cap_comes_from_the_settings(settings):
    settings.PDF_RENDER_MEMORY_MB = 200
    with pytest.raises(RenderFailed, match="200 MiB"):
        render_pdf(f'<img src="{huge_image_url(6_000)}">')


def test_a_stylesheet_is_parsed_once_until_its_file_changes(tmp_path):
    from runphys import pdf_child

    sheet = tmp_path / "sheet.css"
    sheet.write_text("p { color: red }")
    first = pdf_child.stylesheet(sheet, "https://runphys.invalid/static/sheet.css")
    assert pdf_child.stylesheet(sheet, "https://runphys.invalid/static/sheet.css") is first
    assert pdf_child.stylesheet(sheet, "https://runphys.invalid/other/sheet.css") is not first  # another base
    sheet.write_text("p { color: blue; }")
    assert pdf_child.stylesheet(sheet, "https://runphys.invalid/static/sheet.css") is not first


def test_the_handout_stylesheet_is_parsed_in_the_fork_server_and_fetches_nothing_then():
    from runphys import pdf_child

    path = (pdf_child.PROJECT_STATIC / "css/handout.css").resolve()
    status = path.stat()
    key = (str(path), status.st_size, status.st_mtime_ns, pdf_child.PRELOAD_BASE_URL + "css/handout.css")
    assert key in pdf_child._parsed
    # The preloaded copy's base is the one renders use, so it is the copy they get.
    from django.conf import settings

    from runphys import pdf
    assert pdf.BASE_URL + settings.STATIC_URL.lstrip("/") == pdf_child.PRELOAD_BASE_URL
    with pytest.raises(pdf_child.FetchRefused):
        pdf_child.REFUSE_ALL("https://example.org/x.css")
