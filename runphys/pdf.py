"""HTML to PDF in an isolated child process, with locked-down fetching.

The one render function of the project; layout lives in templates and print stylesheets.

**Isolation.** Each render runs in a child process with a hard memory cap (``RLIMIT_AS``,
``PDF_RENDER_MEMORY_MB``) and a CPU limit, killed by the parent when it has not answered within
``PDF_RENDER_SECONDS``, so a hostile or huge document ends as ``RenderFailed`` with a plain reason
and never hangs or bloats the process that asked (WeasyPrint's own advice). No signal or alarm is
used in the caller. The children fork from a ``multiprocessing`` fork server that has imported and
warmed up WeasyPrint once (``runphys.pdf_warmup``): a fresh interpreter, so a child inherits neither
the caller's database connections nor its threads, and starts in milliseconds rather than a
second. A child lowers its priority, so the web requests keep the CPU while it renders.

**Fetching.** ``ProjectFetcher`` allows ``data:`` URLs, the project's static files (``/static/...``,
found in ``STATICFILES_DIRS`` and ``STATIC_ROOT`` and checked to lie inside one), the media files the
caller lists in ``allowed_media`` (``/media/...``; so a handout can never pull in another clinic's
picture, whatever the HTML says), and ``file://`` URLs inside those roots and lists. Everything else
(http, https, ftp, other paths, ``..`` escapes, symlinks out of a root) is refused without touching
the network or the disk. The roots come from the caller as plain paths: the child never reads the
settings, so a test's or a command's own settings hold in the render too.
"""

import logging
import multiprocessing
import os
import resource
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative URLs resolve against this origin, which is never contacted (see ProjectFetcher).
BASE_URL = "https://runphys.invalid/"
# WeasyPrint's HTTPS handler loads the system's certificates on every render (about 0.1 s); this
# fetcher opens no connection, so they all share one empty context.
NO_NETWORK_SSL_CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
MEBIBYTE = 1024 * 1024


class RenderFailed(Exception):
    """The document could not be rendered; the message says why, in words for the clinician."""


class RenderTimeout(RenderFailed):
    pass


class RenderOutOfMemory(RenderFailed):
    pass


class FetchRefused(ValueError):
    """A resource outside the project's own files was asked for."""


@dataclass(frozen=True)
class Job:
    """One render, as plain data for the child."""

    html: str
    static_roots: tuple[Path, ...]
    static_url: str
    media_root: Path
    media_url: str
    allowed_media: tuple[str, ...] = ()
    stylesheets: tuple[str, ...] = ()  # static files, e.g. "css/handout.css"
    seconds: float = 20
    memory_bytes: int = 768 * MEBIBYTE


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    fetched: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()


def inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path.resolve().is_relative_to(root) for root in roots)


class ProjectFetcher(URLFetcher):
    def __init__(self, job: Job) -> None:
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
        if parts.scheme == "https" and parts.netloc == urlsplit(BASE_URL).netloc:
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


def _render_in_child(job: Job, conn) -> None:
    """The child's whole life: cap itself, render, send the result (or why not), exit."""
    resource.setrlimit(resource.RLIMIT_AS, (job.memory_bytes, job.memory_bytes))
    cpu = max(1, int(job.seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    os.nice(10)
    try:
        fetcher = ProjectFetcher(job)
        sheets = []
        for name in job.stylesheets:
            path = fetcher.project_path(job.static_url + name)
            if path is None:
                raise FetchRefused(name)
            # Its relative url()s resolve as in the browser: to the static files beside it.
            sheets.append(CSS(filename=str(path), url_fetcher=fetcher,
                              base_url=BASE_URL + job.static_url.lstrip("/") + name))
        data = HTML(string=job.html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(stylesheets=sheets)
        conn.send(("ok", Rendered(data, tuple(fetcher.fetched), tuple(fetcher.refused))))
    except MemoryError:
        conn.send(("memory", ""))
    except Exception as error:  # the parent decides what the clinician reads
        conn.send(("error", type(error).__name__))


def run(job: Job) -> Rendered:
    """Render ``job`` in a fresh child; raise ``RenderFailed`` with the reason when it cannot."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["runphys.pdf_warmup"])  # read when the fork server starts
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_render_in_child, args=(job, sender), daemon=True)
    child.start()
    sender.close()
    try:
        outcome = receiver.recv() if receiver.poll(job.seconds) else ("timeout", "")
    except EOFError:  # died without a word: killed by a limit (SIGXCPU, SIGKILL) or a failed allocation
        outcome = None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome is None:
        outcome = ("timeout", "") if child.exitcode in (-24, -9) else ("memory", "")
    kind, result = outcome
    if kind == "ok":
        return result
    if kind == "timeout":
        raise RenderTimeout(f"It took longer than the {job.seconds:g} s allowed for one PDF.")
    if kind == "memory":
        raise RenderOutOfMemory(f"It needed more than the {job.memory_bytes // MEBIBYTE} MiB of memory allowed "
                                "for one PDF (a very large picture?).")
    logger.error("PDF render failed in the child process: %s", result)
    raise RenderFailed(f"The PDF could not be produced ({result}).")


def render(html: str, *, allowed_media: Iterable[str] = (), stylesheets: Sequence[str] = (),
           seconds: float | None = None, memory_mb: int | None = None) -> Rendered:
    """Render already-escaped HTML (from a template): the PDF, and what was fetched and refused.

    ``allowed_media``: files under MEDIA_ROOT (as stored in FileFields) this document may embed.
    ``stylesheets``: static files applied on top of the HTML's own. The limits default to
    ``PDF_RENDER_SECONDS`` and ``PDF_RENDER_MEMORY_MB``.
    """
    static_roots = [Path(p) for p in settings.STATICFILES_DIRS] + [Path(settings.STATIC_ROOT)]
    return run(Job(
        html=html, static_roots=tuple(root.resolve() for root in static_roots), static_url=settings.STATIC_URL,
        media_root=Path(settings.MEDIA_ROOT).resolve(), media_url=settings.MEDIA_URL,
        allowed_media=tuple(allowed_media), stylesheets=tuple(stylesheets),
        seconds=seconds if seconds is not None else settings.PDF_RENDER_SECONDS,
        memory_bytes=(memory_mb if memory_mb is not None else settings.PDF_RENDER_MEMORY_MB) * MEBIBYTE,
    ))


def render_pdf(html: str, **options) -> bytes:
    return render(html, **options).pdf
