"""Ordered lists of exercise items: a program version's items and a program template's.

Both are shaped the same way in the program builder (add from the picker, drag or move with the
keyboard, edit a dose in place, remove with Undo), so the list mechanics live here once, for any
``Dosage`` model with an ``order``, a ``code`` and an ``exercise``:

- ``reordered`` takes the order a browser sent (every item's code once) and refuses anything
  else, so a stale page or a forged list cannot lose or duplicate an item;
- ``moved`` moves one item by one place (the ↑/↓ buttons, which work without JavaScript);
- a removed item is kept as a snapshot in the clinician's own session (server-side, never in a
  URL or a cookie) so that "Undo" puts it back with the same dose, reason and position. Only the
  last few removals are kept, and nothing else reads them.
"""

from decimal import Decimal
from uuid import UUID

from django.db import models
from django.http import HttpRequest

from exercises.dosage import Dosage

SESSION_KEY = "removed_items"
KEPT_REMOVALS = 10


class NotTheSameItems(ValueError):
    """The order sent does not name every item of the list exactly once."""


def renumber(items: list[Dosage]) -> None:
    """Number the items 1..n in the order given and store only the changed numbers."""
    changed = []
    for position, item in enumerate(items, start=1):
        if item.order != position:
            item.order = position
            changed.append(item)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["order"])


def reordered(items: list[Dosage], codes: list[str]) -> list[Dosage]:
    """The items in the order of ``codes``, which must hold each item's code exactly once."""
    by_code = {str(item.code): item for item in items}
    try:
        wanted = [str(UUID(code)) for code in codes]
    except (ValueError, TypeError) as error:
        raise NotTheSameItems("The order sent names something that is not an item.") from error
    if len(wanted) != len(set(wanted)) or set(wanted) != set(by_code):
        raise NotTheSameItems("The list changed meanwhile (another tab or a colleague): reload to see it.")
    return [by_code[code] for code in wanted]


def moved(items: list[Dosage], item: Dosage, offset: int) -> list[Dosage]:
    """The items with ``item`` moved ``offset`` places (clamped to the ends)."""
    items = list(items)
    index = next(i for i, candidate in enumerate(items) if candidate.pk == item.pk)
    target = min(max(index + offset, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    return items


def removed(items: list[Dosage], item: Dosage) -> Dosage:
    """Delete ``item`` from ``items`` (the whole list, locked, in order) and renumber the rest;
    returns it with ``order`` set to the place it had (1-based), for Undo."""
    removed_pk = item.pk
    item.order = next(i for i, candidate in enumerate(items, start=1) if candidate.pk == removed_pk)
    item.delete()
    renumber([i for i in items if i.pk != removed_pk])
    return item


def put_back(items: list[Dosage], item: Dosage) -> list[Dosage]:
    """The items with ``item`` (a restored one) at its old position ``item.order`` (1-based)."""
    items = [i for i in items if i.pk != item.pk]
    items.insert(min(max(item.order - 1, 0), len(items)), item)
    return items


# --- Undo of a removal -------------------------------------------------------------------------

def snapshot(item: models.Model, fields: tuple[str, ...]) -> dict:
    """The item's own values, as JSON the session can hold."""
    values = {}
    for name in fields:
        value = getattr(item, name)
        values[name] = str(value) if isinstance(value, UUID | Decimal) else value
    return values


def remember_removed(request: HttpRequest, kind: str, parent_id: int, item: models.Model,
                     fields: tuple[str, ...]) -> None:
    removed = request.session.get(SESSION_KEY, {})
    removed[str(item.code)] = {"kind": kind, "parent": parent_id, "name": item.exercise.name,
                               "values": snapshot(item, fields)}
    request.session[SESSION_KEY] = dict(list(removed.items())[-KEPT_REMOVALS:])


def removed_values(request: HttpRequest, kind: str, parent_id: int, code: UUID) -> dict | None:
    """The values of an item this session removed from that list, or None (never removed here,
    already put back, or forgotten)."""
    entry = request.session.get(SESSION_KEY, {}).get(str(code))
    if not entry or entry["kind"] != kind or entry["parent"] != parent_id:
        return None
    return dict(entry["values"])


def removed_notice(request: HttpRequest, kind: str, parent_id: int, code: str | None) -> dict | None:
    """"Removed … — Undo" for a page shown after a removal without JavaScript (``?removed=<code>``)."""
    try:
        entry_code = str(UUID(code)) if code else None
    except ValueError:
        return None
    entry = request.session.get(SESSION_KEY, {}).get(entry_code) if entry_code else None
    if not entry or entry["kind"] != kind or entry["parent"] != parent_id:
        return None
    return {"code": entry_code, "name": entry["name"]}


def forget_removed(request: HttpRequest, code: UUID) -> None:
    removed = request.session.get(SESSION_KEY, {})
    if removed.pop(str(code), None) is not None:
        request.session[SESSION_KEY] = removed


def rebuilt(model: type[models.Model], values: dict, **parent) -> models.Model:
    """An unsaved item from a snapshot (``load_kg`` back to a Decimal)."""
    if values.get("load_kg") is not None:
        values["load_kg"] = Decimal(values["load_kg"])
    return model(**values, **parent)
