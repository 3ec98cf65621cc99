"""Export of one athlete's whole record (GDPR Art. 15 access and Art. 20 portability).

The athletes app knows only its own data. Apps that hold more of the record (assessments,
programs) add it without athletes importing them, by registering in their ``AppConfig.ready()``:

- ``register_section(name, builder, summary="")``: ``builder(athlete)`` returns JSON-serialisable
  data (``DjangoJSONEncoder`` handles dates, decimals and UUIDs), stored under ``name``;
  ``summary`` names a template that shows that data to a person in the readable summary;
- ``register_file(name, builder)``: ``builder(athlete)`` yields ``(filename, bytes)`` pairs, e.g.
  the PDFs of handouts, stored under ``<name>/``.

The export is a zip: ``athlete.json`` (everything, for another system), ``summary.html`` (the
same record for a person to read: details, assessments with findings, programs, emails; one
self-contained page that opens in any browser, with no script and nothing fetched) and the files.
File names never carry personal data: ``athlete-<uuid>.zip``.
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone

from athletes.models import Athlete
from runphys.concurrency import BOOKKEEPING_FIELDS

FORMAT = "runphys-athlete-export"
VERSION = 1
RESERVED_NAMES = {"format", "version", "exported_at", "clinic", "athlete", "files"}

SectionBuilder = Callable[[Athlete], Any]
FileBuilder = Callable[[Athlete], Iterable[tuple[str, bytes]]]

_sections: dict[str, SectionBuilder] = {}
_summaries: dict[str, str] = {}
_files: dict[str, FileBuilder] = {}
SUMMARY_TEMPLATE = "athletes/export_summary.html"


def _register(registry: dict, name: str, builder: Callable) -> None:
    # ready() can run twice in tests, so the same builder again is harmless; another one is an error.
    if registry.get(name) is builder:
        return
    if name in RESERVED_NAMES or name in _sections or name in _files:
        raise ValueError(f"The export already has a part named {name!r}.")
    registry[name] = builder


def register_section(name: str, builder: SectionBuilder, summary: str = "") -> None:
    """Add a JSON section (e.g. "assessments") to every export, shown in the summary by the
    template ``summary`` (given the section's data as ``section``)."""
    _register(_sections, name, builder)
    if summary:
        _summaries[name] = summary


def register_file(name: str, builder: FileBuilder) -> None:
    """Add files (e.g. "handouts" PDFs) to every export; they go in the zip under ``<name>/``."""
    _register(_files, name, builder)


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes


def athlete_data(athlete: Athlete) -> dict[str, Any]:
    """Every stored field of the athlete, people by name rather than by internal id."""
    data: dict[str, Any] = {}
    for field in athlete._meta.concrete_fields:
        # Internal: a row number, a copy made for search, the edit forms' version counter.
        if field.name in {"id", "search_text", *BOOKKEEPING_FIELDS}:
            continue
        if field.is_relation:
            related = getattr(athlete, field.name)
            data[field.name] = None if related is None else str(related)
        else:
            data[field.name] = getattr(athlete, field.attname)
    data["age"] = athlete.age
    return data


def build(athlete: Athlete) -> Export:
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now(),
        "clinic": {"name": athlete.clinic.name, "address": athlete.clinic.address, "email": athlete.clinic.email,
                   "phone": athlete.clinic.phone},
        "athlete": athlete_data(athlete),
    }
    for name, builder in _sections.items():
        document[name] = builder(athlete)

    files: list[tuple[str, bytes]] = []
    for name, builder in _files.items():
        for filename, content in builder(athlete):
            safe = PurePosixPath(filename).name
            if not safe or safe in {".", ".."}:
                raise ValueError(f"Export file builder {name!r} gave an unusable file name.")
            path = f"{name}/{safe}"
            if path in dict(files):
                raise ValueError(f"Export file builder {name!r} gave {safe!r} twice.")
            files.append((path, content))

    document["files"] = [path for path, _ in files]
    body = json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()
    summary = render_to_string(SUMMARY_TEMPLATE, {
        "document": document, "athlete": athlete,
        "sections": [(_summaries[name], document[name]) for name in _sections if name in _summaries],
    })
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("athlete.json", body)
        archive.writestr("summary.html", summary)
        for path, content in files:
            archive.writestr(path, content)
    return Export(f"athlete-{athlete.code}.zip", "application/zip", buffer.getvalue())
