"""HTML to PDF, with locked-down fetching and a time limit.

The one render function of the project. Layout lives in templates and print stylesheets; this
module only turns rendered HTML into PDF bytes. WeasyPrint fetches every image, stylesheet and
attachment through ``ProjectFetcher``, which allows:

- ``data:`` URLs;
- the project's static files, addressed as ``/static/...`` (resolved through the staticfiles
  finders, then checked to lie inside a static root);
- media files, addressed as ``/media/...``, **only** those the caller lists in ``allowed_media``
  (so a handout can never pull in another clinic's picture, whatever the HTML says);
- ``file://`` URLs that resolve inside those same roots and lists.

Everything else (http, https, ftp, other ``file://`` paths, ``..`` escapes, symlinks out of a
root) is refused without touching the network or the disk, so no redirect can ever be followed.
"""

import logging
import signal
import ssl
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative URLs in handout templates resolve against this origin, which is never contacted:
# the fetcher maps its /static/ and /media/ paths to files and refuses everything else.
BASE_URL = "https://runphys.invalid/"
DEFAULT_TIMEOUT_SECONDS = 20
# WeasyPrint's fetcher builds an HTTPS handler, which by default loads the system's certificate
# store: about 0.1 s on every render. This fetcher never opens a connection, so all of them share
# one context with no certificates, made once.
NO_NETWORK_SSL_CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class RenderTimeout(Exception):
    """Rendering took longer than its time limit."""


class FetchRefused(ValueError):
    """A resource outside the project's own files was asked for."""


def static_roots() -> list[Path]:
    roots = [Path(p) for p in settings.STATICFILES_DIRS]
    roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def inside(path: Path, roots: Iterable[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root) for root in roots)


class ProjectFetcher(URLFetcher):
    def __init__(self, allowed_media: Iterable[str] = ()) -> None:
        super().__init__(allowed_protocols={"data", "file", "https"}, allow_redirects=False, fail_on_errors=False,
                         ssl_context=NO_NETWORK_SSL_CONTEXT)
        media_root = Path(settings.MEDIA_ROOT).resolve()
        # Resolved, and kept only if still inside MEDIA_ROOT: a symlink cannot lead out of it.
        resolved = ((media_root / name).resolve() for name in allowed_media)
        self.allowed_media = {path for path in resolved if path.is_relative_to(media_root)}
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            if url.startswith("data:"):
                response = super().fetch(url, headers)
            else:
                response = self.open_project_file(url)
        except FetchRefused:
            self.refused.append(url)
            logger.warning("PDF render refused a resource (scheme %s)", urlsplit(url).scheme or "none")
            raise
        self.fetched.append(url)
        return response

    def open_project_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.netloc == urlsplit(BASE_URL).netloc:
            path = self.project_path(unquote(parts.path))
        elif parts.scheme == "file" and parts.netloc in {"", "localhost"}:
            path = Path(unquote(parts.path))
            if not (inside(path, static_roots()) or path.resolve() in self.allowed_media):
                raise FetchRefused(url)
        else:
            raise FetchRefused(url)
        if path is None or not path.is_file():
            raise FetchRefused(url)
        return URLFetcherResponse(path.resolve().as_uri(), body=path.read_bytes(), headers={})

    def project_path(self, path: str) -> Path | None:
        if path.startswith(settings.STATIC_URL):
            relative = path.removeprefix(settings.STATIC_URL)
            if ".." in Path(relative).parts:
                return None
            found = finders.find(relative)
            if found and inside(Path(found), static_roots()):
                return Path(found)
            return None
        if path.startswith(settings.MEDIA_URL):
            candidate = (Path(settings.MEDIA_ROOT) / path.removeprefix(settings.MEDIA_URL)).resolve()
            return candidate if candidate in self.allowed_media else None
        return None


# After the limit, the alarm repeats this often until its exception gets out of the render.
ALARM_REPEAT_SECONDS = 0.1


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` with RenderTimeout.

    Uses SIGALRM, which Python delivers only in the main thread: gunicorn's sync workers and the
    task worker render there. In another thread (Django's threaded development and test servers)
    the limit cannot be imposed from inside the process and the block runs unbounded; gunicorn's
    own worker timeout still ends a runaway request in production.

    The handler's exception can be swallowed: raised while Python runs a weakref callback or a
    destructor it is reported as "ignored", and WeasyPrint catches broad exceptions around images.
    So the alarm repeats every ``ALARM_REPEAT_SECONDS`` until one gets out, and the handler does
    nothing once the block is left. Should an alarm land in the clean-up itself and cut it short,
    the next one finds the block's caller gone from the stack and stops the alarm for good. While
    the block runs, a swallowed RenderTimeout is not reported through ``sys.unraisablehook``
    either: it is expected, and the report (a traceback, read from the source files) is slow work
    that the next alarm would interrupt in turn.
    """
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return
    inside_block = True
    caller = sys._getframe(2)  # the with statement's frame (contextmanager's __enter__ is between)

    def on_alarm(signum, frame):
        while frame is not None and frame is not caller:
            frame = frame.f_back
        if frame is None:  # the caller has returned, its clean-up cut short: stop for good
            signal.setitimer(signal.ITIMER_REAL, 0)
        elif inside_block:
            raise RenderTimeout(f"PDF rendering took longer than {seconds} s")

    report_unraisable = sys.unraisablehook

    def unless_swallowed_alarm(unraisable) -> None:
        if not isinstance(unraisable.exc_value, RenderTimeout):
            report_unraisable(unraisable)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    sys.unraisablehook = unless_swallowed_alarm
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT_SECONDS)
    try:
        yield
    finally:
        while inside_block:
            try:
                inside_block = False  # from here on the handler does nothing
            except RenderTimeout:  # an alarm just before the assignment: the render is over anyway
                continue
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = report_unraisable


def render_pdf(html: str, *, allowed_media: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT_SECONDS,
               fetcher: ProjectFetcher | None = None, stylesheets: Sequence[CSS] = ()) -> bytes:
    """Render already-escaped HTML (from a template) to PDF bytes.

    ``allowed_media`` names the files under MEDIA_ROOT (relative paths, as stored in FileFields)
    that this document may embed; any other media file is refused. ``stylesheets`` are parsed
    ``weasyprint.CSS`` objects applied on top of the HTML's own, so that a caller can parse a
    project stylesheet once per process instead of on every render.
    """
    fetcher = fetcher or ProjectFetcher(allowed_media)
    with time_limit(timeout):
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=list(stylesheets))
