"""Writing to the audit log.

Every view and change of a clinical record calls ``record`` (reads in the view, writes in the
model or queryset method that performs them). Authentication events arrive through Django's auth
signals, connected in ``runphys.apps``.

A page that lists records (the athlete list and its search, the dashboard, the assessment and
program lists) calls ``shown`` with what it displayed; ``runphys.middleware.AuditMiddleware``
writes it after the view as one "list" event per kind of record holding their codes, in one
INSERT, however many rows the page showed. On PostgreSQL, page reads commit without waiting
for the disk (``flushes_later``). A 404 on a URL naming a record is logged as "denied"
(``denied``) whether or not the record exists in another clinic: the log does not look, and the
user sees the same 404.

The log's vocabulary is closed: an action or record type must be one of ``AuditEvent.Action`` or
``AuditEvent.RecordType``, each with the words the audit-log page shows, so no event can reach the
log that a person could not read.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from runphys import statements
from runphys.models import AuditEvent, Clinic, User


class UnknownAuditCode(ValueError):
    """An action or record type with no words in ``AuditEvent.Action`` / ``AuditEvent.RecordType``."""


def check_codes(action: str, target_type: str) -> None:
    if action not in AuditEvent.Action.values:
        raise UnknownAuditCode(f"Unknown audit action {action!r}: add it with its label to AuditEvent.Action.")
    # A denied attempt names the page (its URL name), not a kind of record: the log does not look.
    if target_type and action != AuditEvent.Action.DENIED and target_type not in AuditEvent.RecordType.values:
        raise UnknownAuditCode(
            f"Unknown audit record type {target_type!r}: add it with its label to AuditEvent.RecordType.")


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The right-most address is the one our own proxy appended; the rest is client-supplied.
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    target=None,
    target_type: str = "",
    target_id: str = "",
    clinic: Clinic | None = None,
    fields: Iterable[str] = (),
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event. ``target`` is a model instance with a ``code`` UUID (or pass the type and
    id explicitly); ``fields`` are field names only. The client address is the request's, or
    ``ip_address`` for an event recorded by the task worker on a request's behalf."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or str(getattr(target, "code", target.pk))
        if clinic is None:
            clinic = getattr(target, "clinic", None)
    if clinic is None and actor is not None:
        clinic = actor.clinic
    check_codes(action, target_type)
    event = AuditEvent(
        action=action,
        actor=actor,
        clinic=clinic,
        target_type=target_type,
        target_id=target_id,
        fields=sorted(set(fields)),
        ip_address=client_ip(request) if request is not None else ip_address,
    )
    write(event)
    return event


# What a page that only reads writes: a record opened, a list shown, the athlete's own link opened.
PAGE_READS = frozenset({AuditEvent.Action.VIEW, AuditEvent.Action.LIST, AuditEvent.Action.LINK_VIEW})


def flushes_later(events: Iterable[AuditEvent]) -> bool:
    """Whether ``events`` are committed without waiting for the disk: on PostgreSQL, page reads
    written in a transaction of their own (autocommit).

    Every GET of a record writes its event, and on PostgreSQL the commit then waits for the write-
    ahead log to reach the disk: on the machines of issue 19 that wait (0.15-0.2 ms, more under
    load) was the largest single cost of the dashboard, a page of two short queries. Committed with
    ``synchronous_commit`` off, the event is in the table and visible to every connection (the
    audit-log page, recently seen) the moment the statement returns, and reaches the disk with the
    next synchronous commit or within PostgreSQL's ``wal_writer_delay`` (200 ms by default),
    whichever comes first; a crash of the database server inside that window loses the read events
    of that fraction of a second and nothing else (the database stays consistent; no write is
    affected). That is the durability SQLite gives every commit here (``synchronous=NORMAL`` in WAL
    mode, ``runphys.settings``). Anything written in a transaction (a change and its event, which
    must never part), and every event that is not a page read (logins, refusals, exports,
    erasures, denied URLs), keeps waiting for the disk."""
    return (connection.vendor == "postgresql" and connection.get_autocommit() and not connection.in_atomic_block
            and all(event.action in PAGE_READS for event in events))


def write(*events: AuditEvent) -> None:
    """Append ``events`` in one INSERT built from the model's own fields and their conversions.

    Every page writes an event, so this skips what ``Model.save`` and ``bulk_create`` do around the
    statement (signals, the compiler, a transaction for the batch): about 0.3 ms a page of the
    0.7 ms the ORM took (issue 19). The log is append-only and has no signal receivers; the ids come
    back where the database can return them (PostgreSQL, SQLite), as ``save`` would set them."""
    columns, rows, params = insert_rows(events)
    sql = f"{columns} VALUES {rows}"
    returning = connection.features.can_return_rows_from_bulk_insert
    if returning:
        sql += returning_ids(events)
    with statements.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            took_ids(events, cursor.fetchall())


def insert_rows(events: Iterable[AuditEvent], *, typed: bool = False) -> tuple[str, str, list]:
    """``INSERT INTO`` the log with its columns, the rows of ``events`` as placeholders, and their
    parameters. ``typed`` casts each placeholder to its column's type, for rows selected from a
    ``VALUES`` list rather than inserted straight from it (``runphys.guesses``)."""
    events = list(events)
    fields, columns, row = insert_shape(connection.vendor, typed)
    params = [field.get_db_prep_save(field.pre_save(event, True), connection) for event in events for field in fields]
    return columns, ", ".join([row] * len(events)), params


@cache
def insert_shape(vendor: str, typed: bool) -> tuple[list, str, str]:
    """The log's fields, its ``INSERT INTO`` with their columns, and one row of placeholders: built
    once per database vendor (about 40 microseconds a page, issue 19)."""
    meta = AuditEvent._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    casts = [f"::{field.db_type(connection)}" if typed else "" for field in fields]
    # Only the model's own table and column names, quoted, and placeholders: the values are parameters.
    columns = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"
    return fields, columns, "(" + ", ".join(f"%s{cast}" for cast in casts) + ")"


def returning_ids(events: Iterable[AuditEvent]) -> str:
    sql = f" RETURNING {connection.ops.quote_name(AuditEvent._meta.pk.column)}"
    if flushes_later(events):
        # Evaluated while the statement runs, so it governs the commit of this statement's own
        # transaction (autocommit) and lapses with it: the connection stays synchronous.
        sql += ", set_config('synchronous_commit', 'off', true)"
    return sql


def took_ids(events: Iterable[AuditEvent], rows: list[tuple]) -> None:
    for event, (pk, *_) in zip(events, rows, strict=True):
        event.pk = pk
        event._state.adding = False


SHOWN = "_audit_shown"


def shown(request: HttpRequest, target_type: str, records: Iterable) -> None:
    """Note that this request's page showed ``records`` (instances with a ``code``); written once,
    after the view, by ``flush_shown``. Calling it twice for one type adds to the same event."""
    shown_codes(request, target_type, (str(record.code) for record in records))


def shown_codes(request: HttpRequest, target_type: str, codes: Iterable[str]) -> None:
    """``shown`` for records known by their codes only (a kept fragment, ``runphys.fragments``)."""
    noted = getattr(request, SHOWN, None)
    if noted is None:
        noted = {}
        setattr(request, SHOWN, noted)
    listed = noted.setdefault(target_type, {})
    for code in codes:
        listed.setdefault(code, None)  # a dict keeps the order shown, without repeats


@contextmanager
def noting(request: HttpRequest) -> Iterator[dict[str, dict[str, None]]]:
    """What ``shown`` notes inside the block, by record type (a kept fragment remembers it, to note
    it again when it is reused); it is noted for the request as well."""
    outer = getattr(request, SHOWN, None)
    inner: dict[str, dict[str, None]] = {}
    setattr(request, SHOWN, inner)
    try:
        yield inner
    finally:
        setattr(request, SHOWN, outer)
        for target_type, codes in inner.items():
            shown_codes(request, target_type, codes)


def shown_events(request: HttpRequest) -> list[AuditEvent]:
    """One "list" event per type of record the page showed (none written yet); what was noted is
    cleared, so a page's records are logged once."""
    codes = getattr(request, SHOWN, None)
    if not codes or not any(codes.values()) or not request.user.is_authenticated:
        return []
    setattr(request, SHOWN, None)
    ip_address = client_ip(request)
    return [
        AuditEvent(action="list", actor=request.user, clinic=request.user.clinic, target_type=target_type,
                   target_ids=list(listed), ip_address=ip_address)
        for target_type, listed in codes.items() if listed
    ]


def flush_shown(request: HttpRequest) -> None:
    """The page's "list" events (``shown_events``), in a single INSERT."""
    events = shown_events(request)
    if events:
        write(*events)


def denied(request: HttpRequest) -> None:
    """Log a 404 on a URL that names a record (a UUID in its path) as a denied attempt: another
    clinic's code and one that exists nowhere are logged alike, and the response is not touched."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return
    codes = [str(value) for value in match.kwargs.values() if isinstance(value, UUID)]
    if codes:
        record("denied", request=request, target_type=match.view_name[:40], target_id=codes[-1])
