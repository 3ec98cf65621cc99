"""The child side of ``runphys.pdf``: WeasyPrint, the locked-down fetcher and the render itself.

Imported by the PDF fork server (it preloads this module, then forks every render's child from
itself), never by the web or task processes: they only hand a ``pdf.Job`` to a child and read its
answer. The module renders a tiny document at import, so that every child starts with fonts,
Pango and fontconfig already initialised (about 15–45 ms less per render on a 2-core machine).
It imports nothing of the project: the job carries the roots, so the child never reads settings.

The handout's stylesheet is parsed once, in the fork server (``PRELOADED_STYLESHEETS``): parsing it
costs about 75 ms, a sixth of an 8-exercise render, and every child inherits the parsed copy. A
render uses that copy only while the file is unchanged (same path, size and modification time)
and resolves its ``url()``s against the same base; otherwise it parses the file itself. Parsing
fetches nothing (``REFUSE_ALL``): the stylesheet's pictures are fetched when the document is laid
out, through the job's own locked-down fetcher, so the cache changes nothing of what may be fetched.
"""

import logging
import os
import resource
import ssl
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# WeasyPrint's HTTPS handler loads the system's certificates on every render (about 0.1 s); this
# fetcher opens no connection, so they all share one empty context.
NO_NETWORK_SSL_CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
# The fork server's copy of these stylesheets (under the project's static/) is parsed at import.
PRELOADED_STYLESHEETS = ("css/handout.css",)
PROJECT_STATIC = Path(__file__).resolve().parent.parent / "static"
PRELOAD_BASE_URL = "https://runphys.invalid/static/"  # runphys.pdf.BASE_URL + the default STATIC_URL
WARM_UP_CSS = "body { font-family: 'Liberation Sans', 'DejaVu Sans', sans-serif } b { font-weight: bold }"


class FetchRefused(ValueError):
    """A resource outside the project's own files was asked for."""


def _refuse_all(url: str, *args, **kwargs):
    raise FetchRefused(url)


REFUSE_ALL = _refuse_all
_parsed: dict[tuple[str, int, int, str], CSS] = {}


def stylesheet(path: Path, base_url: str) -> CSS:
    """The parsed stylesheet at ``path`` (see the module's docstring for the cache)."""
    status = path.stat()
    key = (str(path), status.st_size, status.st_mtime_ns, base_url)
    if key not in _parsed:
        _parsed[key] = CSS(filename=str(path), url_fetcher=REFUSE_ALL, base_url=base_url)
    return _parsed[key]


def inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path.resolve().is_relative_to(root) for root in roots)


class ProjectFetcher(URLFetcher):
    def __init__(self, job) -> None:  # a runphys.pdf.Job
        super().__init__(allowed_protocols={"data", "file", "https"}, allow_redirects=False, fail_on_errors=False,
                         ssl_context=NO_NETWORK_SSL_CONTEXT)
        self.job = job
        # Resolved, and kept only if still inside the media root: a symlink cannot lead out of it.
        resolved = ((job.media_root / name).resolve() for name in job.allowed_media)
        self.allowed_media = {path for path in resolved if path.is_relative_to(job.media_root)}
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            response = super().fetch(url, headers) if url.startswith("data:") else self.open_project_file(url)
        except FetchRefused:
            self.refused.append(url)
            logger.warning("PDF render refused a resource (scheme %s)", urlsplit(url).scheme or "none")
            raise
        self.fetched.append(url)
        return response

    def open_project_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        path = None
        if parts.scheme == "https" and parts.netloc == urlsplit(self.job.base_url).netloc:
            path = self.project_path(unquote(parts.path))
        elif parts.scheme == "file" and parts.netloc in {"", "localhost"}:
            path = Path(unquote(parts.path))
            if not (inside(path, self.job.static_roots) or path.resolve() in self.allowed_media):
                path = None
        if path is None or not path.is_file():
            raise FetchRefused(url)
        return URLFetcherResponse(path.resolve().as_uri(), body=path.read_bytes(), headers={})

    def project_path(self, path: str) -> Path | None:
        job = self.job
        if path.startswith(job.static_url):
            relative = path.removeprefix(job.static_url)
            candidates = [] if ".." in Path(relative).parts else [root / relative for root in job.static_roots]
            # In the order the staticfiles finders search them.
            return next((c for c in candidates if c.is_file() and inside(c, job.static_roots)), None)
        if path.startswith(job.media_url):
            candidate = (job.media_root / path.removeprefix(job.media_url)).resolve()
            return candidate if candidate in self.allowed_media else None
        return None


def render_in_child(job) -> tuple:
    """Cap this process, render, and say how it went: ("ok", (pdf, fetched, refused)), ("memory", ""),
    or ("error", the exception's name)."""
    resource.setrlimit(resource.RLIMIT_AS, (job.memory_bytes, job.memory_bytes))
    cpu = max(1, int(job.seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    os.nice(10)
    try:
        return "ok", write(job)
    except MemoryError:
        return "memory", ""
    except Exception as error:  # the parent decides what the clinician reads
        return "error", type(error).__name__


def write(job) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    """The render itself, uncapped: (pdf, fetched, refused). Only the capped child calls it in
    the app; ``bench/handout_render.py`` calls it in its own process to read CPU time."""
    fetcher = ProjectFetcher(job)
    sheets = []
    for name in job.stylesheets:
        path = fetcher.project_path(job.static_url + name)
        if path is None:
            raise FetchRefused(name)
        # Its relative url()s resolve as in the browser: to the static files beside it.
        sheets.append(stylesheet(path.resolve(), job.base_url + job.static_url.lstrip("/") + name))
    data = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).write_pdf(stylesheets=sheets)
    return data, tuple(fetcher.fetched), tuple(fetcher.refused)


HTML(string="<p>Warm <b>up</b></p>").write_pdf(stylesheets=[CSS(string=WARM_UP_CSS)])
for _name in PRELOADED_STYLESHEETS:
    if (PROJECT_STATIC / _name).is_file():
        stylesheet((PROJECT_STATIC / _name).resolve(), PRELOAD_BASE_URL + _name)
