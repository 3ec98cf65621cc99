"""HTML to PDF in an isolated child process, with locked-down fetching.

The one render function of the project. Layout lives in templates and print stylesheets; this
module only turns rendered HTML into PDF bytes.

**Isolation.** Every render runs in a child process of its own with a hard memory cap
(``RLIMIT_AS``, ``PDF_RENDER_MEMORY_MB``) and a CPU limit, and the parent kills it when it has not
answered within ``PDF_RENDER_SECONDS`` of wall time. A hostile or merely huge document (a giant
image, a megabyte of text) therefore ends as ``RenderFailed`` with a plain reason, and never hangs
or bloats the process that asked: no signal handlers, no alarms, nothing in the caller but a pipe
and a wait. This is WeasyPrint's own advice for untrusted input. The children are forked from a
``multiprocessing`` fork server that has already imported WeasyPrint (about a second of imports
that each render would otherwise pay again); the fork server is a fresh interpreter, so a child
inherits neither the caller's database connections nor its threads (psycopg's pool runs some).
The child also lowers its own scheduling priority, so on a small machine the web requests keep
the CPU while a handout renders beside them.

**Fetching.** WeasyPrint fetches every image, stylesheet and attachment through ``ProjectFetcher``,
which allows:

- ``data:`` URLs;
- the project's static files, addressed as ``/static/...`` (found in the static roots, the
  ``STATICFILES_DIRS`` and ``STATIC_ROOT``, and checked to lie inside one);
- media files, addressed as ``/media/...``, **only** those the caller lists in ``allowed_media``
  (so a handout can never pull in another clinic's picture, whatever the HTML says);
- ``file://`` URLs that resolve inside those same roots and lists.

Everything else (http, https, ftp, other ``file://`` paths, ``..`` escapes, symlinks out of a
root) is refused without touching the network or the disk, so no redirect can ever be followed.
The fetcher gets its roots from the parent as plain paths: the child never reads Django's
settings, so a test's or a command's own settings hold in the render too.
"""

import logging
import multiprocessing
import os
import resource
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative URLs in handout templates resolve against this origin, which is never contacted:
# the fetcher maps its /static/ and /media/ paths to files and refuses everything else.
BASE_URL = "https://runphys.invalid/"
# WeasyPrint's fetcher builds an HTTPS handler, which by default loads the system's certificate
# store: about 0.1 s on every render. This fetcher never opens a connection, so all of them share
# one context with no certificates, made once.
NO_NETWORK_SSL_CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
CHILD_NICENESS = 10
MEBIBYTE = 1024 * 1024


class RenderFailed(Exception):
    """The document could not be rendered; the message says why, in words for the clinician."""


class RenderTimeout(RenderFailed):
    """Rendering took longer than its time limit."""


class RenderOutOfMemory(RenderFailed):
    """Rendering needed more memory than its cap."""


class FetchRefused(ValueError):
    """A resource outside the project's own files was asked for."""


@dataclass(frozen=True)
class Roots:
    """Where the fetcher may read, resolved by the caller from its settings."""

    static: tuple[Path, ...]
    static_url: str
    media: Path
    media_url: str

    @classmethod
    def from_settings(cls) -> "Roots":
        roots = [Path(p) for p in settings.STATICFILES_DIRS] + [Path(settings.STATIC_ROOT)]
        return cls(static=tuple(root.resolve() for root in roots), static_url=settings.STATIC_URL,
                   media=Path(settings.MEDIA_ROOT).resolve(), media_url=settings.MEDIA_URL)


def inside(path: Path, roots: Iterable[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root) for root in roots)


class ProjectFetcher(URLFetcher):
    def __init__(self, allowed_media: Iterable[str] = (), *, roots: Roots | None = None) -> None:
        super().__init__(allowed_protocols={"data", "file", "https"}, allow_redirects=False, fail_on_errors=False,
                         ssl_context=NO_NETWORK_SSL_CONTEXT)
        self.roots = roots or Roots.from_settings()
        # Resolved, and kept only if still inside the media root: a symlink cannot lead out of it.
        resolved = ((self.roots.media / name).resolve() for name in allowed_media)
        self.allowed_media = {path for path in resolved if path.is_relative_to(self.roots.media)}
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
            if not (inside(path, self.roots.static) or path.resolve() in self.allowed_media):
                raise FetchRefused(url)
        else:
            raise FetchRefused(url)
        if path is None or not path.is_file():
            raise FetchRefused(url)
        return URLFetcherResponse(path.resolve().as_uri(), body=path.read_bytes(), headers={})

    def project_path(self, path: str) -> Path | None:
        if path.startswith(self.roots.static_url):
            relative = path.removeprefix(self.roots.static_url)
            if ".." in Path(relative).parts:
                return None
            for root in self.roots.static:  # in the order the staticfiles finders search them
                candidate = root / relative
                if candidate.is_file() and inside(candidate, self.roots.static):
                    return candidate
            return None
        if path.startswith(self.roots.media_url):
            candidate = (self.roots.media / path.removeprefix(self.roots.media_url)).resolve()
            return candidate if candidate in self.allowed_media else None
        return None


@dataclass(frozen=True)
class Job:
    """Everything a child needs for one render, as plain data."""

    html: str
    roots: Roots
    allowed_media: tuple[str, ...] = ()
    stylesheets: tuple[str, ...] = ()  # static-relative names, e.g. "css/handout.css"
    seconds: float = 20
    memory_bytes: int = 768 * MEBIBYTE


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    fetched: tuple[str, ...] = field(default=())
    refused: tuple[str, ...] = field(default=())


def _render_in_child(job: Job, conn) -> None:
    """The child's whole life: cap itself, render, send the result (or why not) and exit."""
    resource.setrlimit(resource.RLIMIT_AS, (job.memory_bytes, job.memory_bytes))
    cpu = max(1, int(job.seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    os.nice(CHILD_NICENESS)
    try:
        fetcher = ProjectFetcher(job.allowed_media, roots=job.roots)
        stylesheets = []
        for name in job.stylesheets:
            path = fetcher.project_path(job.roots.static_url + name)
            if path is None:
                raise FetchRefused(name)
            # Its relative url()s resolve as in the browser: to the static files beside it.
            stylesheets.append(CSS(filename=str(path), base_url=BASE_URL + job.roots.static_url.lstrip("/") + name,
                                   url_fetcher=fetcher))
        data = HTML(string=job.html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(stylesheets=stylesheets)
        conn.send(("ok", Rendered(data, tuple(fetcher.fetched), tuple(fetcher.refused))))
    except MemoryError:
        conn.send(("memory", ""))
    except Exception as error:  # reported to the parent, which decides what the clinician reads
        conn.send(("error", type(error).__name__))
    finally:
        conn.close()


_context = None


def context():
    """The fork server's context, set up once per process."""
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["runphys.pdf_warmup"])
    return _context


def run(job: Job) -> Rendered:
    """Render ``job`` in a fresh child; raise ``RenderFailed`` (with the reason) when it cannot."""
    ctx = context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_render_in_child, args=(job, sender), daemon=True)
    child.start()
    sender.close()
    outcome = None
    try:
        if receiver.poll(job.seconds):
            try:
                outcome = receiver.recv()
            except EOFError:  # the child died without a word: killed by a limit, or crashed
                outcome = None
        else:
            outcome = ("timeout", "")
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome is None:
        # RLIMIT_CPU ends a child with SIGXCPU (or SIGKILL past the hard limit); an allocation
        # refused inside the C libraries may abort it instead of raising MemoryError.
        outcome = ("timeout", "") if child.exitcode in (-24, -9) else ("memory", str(child.exitcode))
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
    """Render already-escaped HTML (from a template) to a PDF, with what was fetched and refused.

    ``allowed_media`` names the files under MEDIA_ROOT (relative paths, as stored in FileFields)
    that this document may embed; any other media file is refused. ``stylesheets`` are static
    files (``"css/handout.css"``) applied on top of the HTML's own. The limits default to
    ``PDF_RENDER_SECONDS`` and ``PDF_RENDER_MEMORY_MB``.
    """
    return run(Job(
        html=html, roots=Roots.from_settings(), allowed_media=tuple(allowed_media), stylesheets=tuple(stylesheets),
        seconds=seconds if seconds is not None else settings.PDF_RENDER_SECONDS,
        memory_bytes=(memory_mb if memory_mb is not None else settings.PDF_RENDER_MEMORY_MB) * MEBIBYTE,
    ))


def render_pdf(html: str, **options) -> bytes:
    """``render``, for callers that want only the bytes."""
    return render(html, **options).pdf
