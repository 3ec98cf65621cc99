"""HTML to PDF in an isolated child process, with locked-down fetching.

The one render function of the project; layout lives in templates and print stylesheets.

**Isolation.** Each render runs in a child process with a hard memory cap (``RLIMIT_AS``,
``PDF_RENDER_MEMORY_MB``) and a CPU limit, killed by the parent when it has not answered within
``PDF_RENDER_SECONDS``, so a hostile or huge document ends as ``RenderFailed`` with a plain reason
and never hangs or bloats the process that asked (WeasyPrint's own advice). No signal or alarm is
used in the caller. The children fork from a ``multiprocessing`` fork server that has imported and
warmed up WeasyPrint once (``runphys.pdf_child``, the child's side): a fresh interpreter, so a child inherits neither
the caller's database connections nor its threads, and starts in milliseconds rather than a
second. A child lowers its priority, so the web requests keep the CPU while it renders.

**Fetching.** ``pdf_child.ProjectFetcher`` allows ``data:`` URLs, the project's static files (``/static/...``,
found in ``STATICFILES_DIRS`` and ``STATIC_ROOT`` and checked to lie inside one), the media files the
caller lists in ``allowed_media`` (``/media/...``; so a handout can never pull in another clinic's
picture, whatever the HTML says), and ``file://`` URLs inside those roots and lists. Everything else
(http, https, ftp, other paths, ``..`` escapes, symlinks out of a root) is refused without touching
the network or the disk. The roots come from the caller as plain paths: the child never reads the
settings, so a test's or a command's own settings hold in the render too.
"""

import logging
import multiprocessing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# Relative URLs resolve against this origin, which is never contacted (see ProjectFetcher).
BASE_URL = "https://runphys.invalid/"
MEBIBYTE = 1024 * 1024


class RenderFailed(Exception):
    """The document could not be rendered; the message says why, in words for the clinician."""


class RenderTimeout(RenderFailed):
    pass


class RenderOutOfMemory(RenderFailed):
    pass


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
    base_url: str = BASE_URL


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    fetched: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()


def _render_in_child(job: Job, conn) -> None:
    """The child's entry point. ``runphys.pdf_child`` (WeasyPrint and the fetcher) is imported here
    only: the fork server has it preloaded, and the web and task processes never pay for importing
    WeasyPrint (about a second each)."""
    from runphys import pdf_child

    outcome = pdf_child.render_in_child(job)
    conn.send(outcome if outcome[0] != "ok" else ("ok", Rendered(*outcome[1])))
    conn.close()


def run(job: Job) -> Rendered:
    """Render ``job`` in a fresh child; raise ``RenderFailed`` with the reason when it cannot."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["runphys.pdf_child"])  # read when the fork server starts
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
    return run(job_for(html, allowed_media=allowed_media, stylesheets=stylesheets, seconds=seconds,
                       memory_mb=memory_mb))


def job_for(html: str, *, allowed_media: Iterable[str] = (), stylesheets: Sequence[str] = (),
            seconds: float | None = None, memory_mb: int | None = None) -> Job:
    static_roots = [Path(p) for p in settings.STATICFILES_DIRS] + [Path(settings.STATIC_ROOT)]
    return Job(
        html=html, static_roots=tuple(root.resolve() for root in static_roots), static_url=settings.STATIC_URL,
        media_root=Path(settings.MEDIA_ROOT).resolve(), media_url=settings.MEDIA_URL,
        allowed_media=tuple(allowed_media), stylesheets=tuple(stylesheets),
        seconds=seconds if seconds is not None else settings.PDF_RENDER_SECONDS,
        memory_bytes=(memory_mb if memory_mb is not None else settings.PDF_RENDER_MEMORY_MB) * MEBIBYTE,
    )


def render_pdf(html: str, **options) -> bytes:
    return render(html, **options).pdf
