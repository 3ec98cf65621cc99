"""The render function: real WeasyPrint PDFs, nothing fetched outside the project's own files."""

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader

from runphys.pdf import ProjectFetcher, RenderTimeout, render_pdf


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def embedded_files(data: bytes) -> list:
    reader = PdfReader(io.BytesIO(data))
    names = list(reader.attachments)
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            if annotation.get_object().get("/Subtype") == "/FileAttachment":
                names.append("annotation")
    return names


@pytest.fixture
def http_server():
    """A loopback HTTP server that counts every request made to it."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def test_renders_a_real_pdf_with_the_text():
    data = render_pdf("<h1>Hip rotation program</h1><p>Ana Runner</p>")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Hip rotation program" in text and "Ana Runner" in text


def test_project_static_files_are_fetched():
    fetcher = ProjectFetcher()
    render_pdf('<link rel="stylesheet" href="/static/css/runphys.css"><img src="/static/img/favicon.svg">',
               fetcher=fetcher)
    assert fetcher.fetched == ["https://runphys.invalid/static/css/runphys.css",
                               "https://runphys.invalid/static/img/favicon.svg"]
    assert fetcher.refused == []


def test_data_urls_are_allowed():
    fetcher = ProjectFetcher()
    svg = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/%3E"
    render_pdf(f'<img src="{svg}">', fetcher=fetcher)
    assert fetcher.fetched == [svg] and fetcher.refused == []


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
    fetcher = ProjectFetcher()
    data = render_pdf(hostile, fetcher=fetcher)
    assert data.startswith(b"%PDF-")
    assert hits == []
    assert fetcher.fetched == []
    assert len(fetcher.refused) >= 8
    assert embedded_files(data) == []
    assert b"root:" not in data


def test_media_files_only_when_listed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "exercises").mkdir()
    ours = tmp_path / "exercises" / "ours.svg"
    theirs = tmp_path / "exercises" / "theirs.svg"
    for path in (ours, theirs):
        path.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>")
    fetcher = ProjectFetcher(allowed_media=["exercises/ours.svg"])
    render_pdf('<img src="/media/exercises/ours.svg"><img src="/media/exercises/theirs.svg">'
               f'<img src="file://{theirs}">', fetcher=fetcher)
    assert fetcher.fetched == ["https://runphys.invalid/media/exercises/ours.svg"]
    assert len(fetcher.refused) == 2


def test_symlink_out_of_the_media_root_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "escape.txt").symlink_to("/etc/hostname")
    fetcher = ProjectFetcher(allowed_media=["escape.txt"])
    data = render_pdf('<a rel="attachment" href="/media/escape.txt">x</a>', fetcher=fetcher)
    assert fetcher.fetched == [] and embedded_files(data) == []


def test_rendering_has_a_time_limit():
    heavy = "<table>" + "".join(f"<tr><td>row {n}</td><td>{'x ' * 40}</td></tr>" for n in range(6000)) + "</table>"
    with pytest.raises(RenderTimeout):
        render_pdf(heavy, timeout=0.05)


def test_the_time_limit_holds_when_its_first_alarm_is_swallowed():
    """An alarm that fires while Python runs a weakref callback, or inside code that catches every
    exception, is lost: the limit fires again until one gets out."""
    import time

    from runphys.pdf import time_limit

    swallowed = 0
    started = time.perf_counter()
    with pytest.raises(RenderTimeout), time_limit(0.05):
        while True:
            try:
                time.sleep(0.01)
            except RenderTimeout:
                if swallowed == 2:
                    raise
                swallowed += 1
    assert swallowed == 2 and time.perf_counter() - started < 2
    time.sleep(0.25)  # the alarm is off after the block: nothing fires here


def test_a_swallowed_alarm_is_not_reported_but_other_unraisable_errors_are(monkeypatch):
    import sys
    from types import SimpleNamespace

    from runphys.pdf import time_limit

    seen = []

    def hook(unraisable):
        seen.append(type(unraisable.exc_value))

    monkeypatch.setattr(sys, "unraisablehook", hook)
    with time_limit(5):
        sys.unraisablehook(SimpleNamespace(exc_value=RenderTimeout("swallowed in a destructor")))
        sys.unraisablehook(SimpleNamespace(exc_value=ValueError("a real problem")))
    assert seen == [ValueError] and sys.unraisablehook is hook


def test_an_alarm_left_running_by_a_cut_short_clean_up_stops_itself():
    """If the block's clean-up were cut short, the alarm would keep firing into whatever runs
    next; the handler sees that the block's caller has returned and stops it instead."""
    import signal
    import time

    from runphys.pdf import time_limit

    def render_whose_clean_up_never_runs():
        limit = time_limit(5)
        limit.__enter__()  # and never __exit__
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)

    import sys

    previous, hook = signal.getsignal(signal.SIGALRM), sys.unraisablehook
    try:
        render_whose_clean_up_never_runs()
        time.sleep(0.2)  # alarms fire here, outside the block: none may raise
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = hook
