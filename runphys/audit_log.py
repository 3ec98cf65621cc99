"""The audit log read by people: the clinic admin's page and the CSV for the data-protection lead.

The log keeps codes (a record type and the record's UUID, a user's id); what each event is about is
named only when a page or an export shows a batch of events, with one query per record type in the
batch whatever its size, and always among the records of the clinic whose log it is. runphys
imports no domain app, so the apps that hold the records say how to name them, and which records
belong to an athlete, by registering in their ``AppConfig.ready()``:

- ``register_names(record_type, namer)``: ``namer(clinic, ids)`` returns ``{id: name}`` for the
  ids it found among the clinic's records. A record it did not find is named by ``GONE``: "erased
  athlete" for an athlete (whose row goes only with an erasure), "no longer exists" otherwise.
- ``register_athlete_records(finder)``: ``finder(clinic, codes)`` yields ``(record_type, ids)``
  pairs, the records of those athletes (their assessments, programs, ...), so that "this athlete's
  events" takes them in.
- ``register_athlete_search(search)``: ``search(clinic, text, limit)`` returns the codes of at
  most ``limit`` athletes of the clinic whose name matches ``text``.
"""

import csv
import itertools
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from runphys.models import AuditEvent, Clinic, Invitation, Membership, User

Namer = Callable[[Clinic, set[str]], dict[str, str]]
AthleteRecords = Callable[[Clinic, list[uuid.UUID]], Iterable[tuple[str, Iterable]]]
AthleteSearch = Callable[[Clinic, str, int], list[uuid.UUID]]

ERASED_ATHLETE = "erased athlete"
GONE = {AuditEvent.RecordType.ATHLETE: ERASED_ATHLETE}
NO_LONGER_EXISTS = "no longer exists"

_namers: dict[str, Namer] = {}
_athlete_records: list[AthleteRecords] = []
_athlete_search: list[AthleteSearch] = []


def register_names(record_type: str, namer: Namer) -> None:
    if record_type not in AuditEvent.RecordType.values:
        raise ValueError(f"{record_type!r} is not an AuditEvent.RecordType.")
    # ready() can run twice in tests: the same namer again is harmless, another one is an error.
    if _namers.setdefault(record_type, namer) is not namer:
        raise ValueError(f"Records of type {record_type!r} are already named.")


def register_athlete_records(finder: AthleteRecords) -> None:
    if finder not in _athlete_records:
        _athlete_records.append(finder)


def register_athlete_search(search: AthleteSearch) -> None:
    if search not in _athlete_search:
        _athlete_search.append(search)


def uuids(ids: Iterable[str]) -> list[uuid.UUID]:
    """The ids that are UUIDs (a record's code); anything else cannot name a record."""
    found = []
    for value in ids:
        try:
            found.append(uuid.UUID(value))
        except (TypeError, ValueError):
            continue
    return found


# --- Naming ---------------------------------------------------------------------------------------

def person(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


def name_records(events: Iterable[AuditEvent], clinic: Clinic) -> list[AuditEvent]:
    """Set ``record_name`` on each event, the words for what it is about ("" when it names no
    record, e.g. a failed log-in with an unknown address), and ``shown_names``, those of the
    records a list page showed (``target_ids``), in the order shown."""
    events = list(events)
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.target_type in _namers:
            wanted[event.target_type].update([event.target_id] if event.target_id else [])
            wanted[event.target_type].update(event.target_ids or [])
    names = {record_type: _namers[record_type](clinic, ids) for record_type, ids in wanted.items() if ids}

    def name(record_type: str, record_id: str) -> str:
        if record_type not in names:
            return ""
        return names[record_type].get(record_id, GONE.get(record_type, NO_LONGER_EXISTS))

    for event in events:
        event.record_name = name(event.target_type, event.target_id) if event.target_id else ""
        event.shown_names = [name(event.target_type, shown) or shown for shown in event.target_ids or []]
    return events


def user_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    pks = [int(value) for value in ids if value.isdigit()]
    users = User.objects.filter(pk__in=pks, memberships__clinic=clinic).only("full_name", "email")
    return {str(user.pk): person(user) for user in users}


def member_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    memberships = Membership.objects.filter(clinic=clinic, code__in=uuids(ids)).select_related("user")
    return {str(membership.code): person(membership.user) for membership in memberships}


def invitation_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    invitations = Invitation.objects.filter(clinic=clinic, code__in=uuids(ids))
    return {str(invitation.code): invitation.full_name or invitation.email for invitation in invitations}


def clinic_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    """Only the clinic itself: its log never names another."""
    return {str(clinic.code): clinic.name} if str(clinic.code) in ids else {}


def clinic_defaults_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    """The assessment defaults are the clinic's own, named by the clinic's code."""
    return clinic_names(clinic, ids)


register_names(AuditEvent.RecordType.USER, user_names)
register_names(AuditEvent.RecordType.MEMBERSHIP, member_names)
register_names(AuditEvent.RecordType.INVITATION, invitation_names)
register_names(AuditEvent.RecordType.CLINIC, clinic_names)
register_names(AuditEvent.RecordType.ASSESSMENT_DEFAULTS, clinic_defaults_names)


# --- Filtering ------------------------------------------------------------------------------------

class TooManyAthletes(Exception):
    pass


ATHLETES_AT_MOST = 20


def find_athletes(clinic: Clinic, text: str) -> list[uuid.UUID]:
    """The codes of the clinic's athletes whose name matches ``text``; ``TooManyAthletes`` past
    ``ATHLETES_AT_MOST`` (the admin types more of the name)."""
    codes = []
    for search in _athlete_search:
        codes.extend(search(clinic, text, ATHLETES_AT_MOST + 1))
    if len(codes) > ATHLETES_AT_MOST:
        raise TooManyAthletes
    return codes


def about_athletes(events, clinic: Clinic, codes: list[uuid.UUID]):
    """The events about these athletes or any of their records."""
    ids: dict[str, set[str]] = defaultdict(set)
    for finder in _athlete_records:
        for record_type, found in finder(clinic, codes):
            ids[record_type].update(str(value) for value in found)
    conditions = [Q(target_type=record_type, target_id__in=sorted(found)) for record_type, found in ids.items()
                  if found]
    # The list pages that showed them: a code is a whole UUID, so a match in the JSON text is exact
    # (JSON containment has no SQLite form; this reads the same on both databases).
    conditions += [Q(action=AuditEvent.Action.LIST, target_type=AuditEvent.RecordType.ATHLETE,
                     target_ids__icontains=str(code)) for code in codes]
    return events.filter(reduce(or_, conditions)) if conditions else events.none()


def about_person(events, membership: Membership):
    """What a member did, and what was done to their account or membership."""
    return events.filter(Q(actor_id=membership.user_id)
                         | Q(target_type=AuditEvent.RecordType.USER, target_id=str(membership.user_id))
                         | Q(target_type=AuditEvent.RecordType.MEMBERSHIP, target_id=str(membership.code)))


# --- The CSV --------------------------------------------------------------------------------------

CSV_HEADER = ["When", "Who", "Who (email)", "Action", "Action code", "Record type", "Record", "Record code",
              "Fields", "From address"]
CSV_BATCH = 500
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_row(event: AuditEvent) -> list[str]:
    return [csv_cell(value) for value in (
        timezone.localtime(event.at).isoformat(timespec="seconds"),
        event.who,
        event.actor.email if event.actor else "",
        event.action_label,
        event.action,
        event.record_type_label,
        "; ".join(event.shown_names) if event.target_ids else event.record_name,
        " ".join(event.target_ids) if event.target_ids else event.target_id,
        " ".join(event.fields or []),
        event.ip_address or "",
    )]


class _Line:
    """The file-like object ``csv.writer`` writes one line into, returned instead of kept."""

    def write(self, line: str) -> str:
        return line


def csv_lines(events, clinic: Clinic) -> Iterator[str]:
    """The events as CSV lines, for a streaming response: read and named a batch at a time, so an
    export of the whole log never holds it in memory. The byte-order mark makes spreadsheets read
    the names as UTF-8."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for batch in itertools.batched(events.select_related("actor").iterator(chunk_size=CSV_BATCH), CSV_BATCH):
        for event in name_records(batch, clinic):
            yield writer.writerow(csv_row(event))
