"""Pages of the athlete list that cost the same on the first page and the last of 100,000 athletes.

Django's ``Paginator`` counts every matching row on every page and reaches page *n* with
``OFFSET``, which walks all the rows before it; both grow with the clinic. Here:

- A page starts after (or before) a boundary athlete: the sort key of that row is compared with
  the rows' keys in the query (a keyset, served by the list's partial indexes), so the database
  reads one page's rows wherever it is. "Last" reads the order backwards.
- The cursor is a signed token naming the boundary athlete by its code and the direction, never a
  name or a sort value; it travels in the filter form's POST body like the search itself. The
  boundary is looked up within the user's clinic (a subquery of the page's own query), so a
  forged or foreign code is no position at all, and a tampered token is the first page.
- The count stops at ``settings.ATHLETE_LIST_COUNT_CAP`` ("more than 10,000 athletes"), and a
  first page that is not full is its own count: no query for it.

A page number is carried along in the cursor for the "page 3 of 9" line; it is exact as long as
nobody adds athletes meanwhile, which is all a page number ever was.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Count, F, Func, Subquery, Window
from django.db.models.functions import Lower
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual

from athletes.models import Athlete, AthleteQuerySet, assessed_sort_key, search_rank

SALT = "athletes.list.page"
NEXT, PREVIOUS, LAST = "n", "p", "l"


def sort_keys(sort: str) -> list[tuple[models.Expression, bool]]:
    """(expression, descending) in the order of the list's indexes (``Athlete.Meta.indexes``)."""
    by_name = [(Lower("last_name"), False), (Lower("first_name"), False), (F("id"), False)]
    if sort == "last_assessed":
        return [(assessed_sort_key(), True), *by_name]
    return by_name


class Row(Func):
    """A row value, ``(a, b, c)``, compared element by element (PostgreSQL and SQLite alike)."""

    template = "(%(expressions)s)"
    output_field = models.Field()


def beyond(keys: list[tuple[models.Expression, bool]], bounds: list[Subquery], *, backwards: bool):
    """The condition "after the boundary in this order" (before it, ``backwards``). Keys sorted the
    same way compare as one row; where the direction changes, the first run must be strictly beyond,
    or equal and the rest beyond; the first run's non-strict bound lets the index start there."""
    run = 1
    while run < len(keys) and keys[run][1] == keys[0][1]:
        run += 1
    values = [key for key, _ in keys[:run]]
    limits = bounds[:run]
    left, right = (values[0], limits[0]) if run == 1 else (Row(*values), Row(*limits))
    ascending = keys[0][1] == backwards
    strictly = GreaterThan(left, right) if ascending else LessThan(left, right)
    if run == len(keys):
        return strictly
    at_most = GreaterThanOrEqual(left, right) if ascending else LessThanOrEqual(left, right)
    return at_most & (strictly | (Exact(left, right) & beyond(keys[run:], bounds[run:], backwards=backwards)))


def order_of(keys, *, backwards: bool) -> list[models.OrderBy]:
    return [key.desc() if descending != backwards else key.asc() for key, descending in keys]


@dataclass
class AthletePage:
    athletes: list[Athlete]
    per_page: int
    number: int | None  # None: somewhere after the last page was opened with a capped count
    count: int
    count_capped: bool
    has_previous: bool
    has_next: bool
    cursors: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Athlete]:
        return iter(self.athletes)

    def __len__(self) -> int:
        return len(self.athletes)

    @property
    def count_display(self) -> str:
        return f"{self.count:,}"

    @property
    def num_pages(self) -> int | None:
        return None if self.count_capped else max(1, math.ceil(self.count / self.per_page))

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_cursor(self) -> str:
        return self.cursors.get(NEXT, "")

    @property
    def previous_cursor(self) -> str:
        return self.cursors.get(PREVIOUS, "")

    @property
    def last_cursor(self) -> str:
        return signing.dumps([LAST], salt=SALT)


def cursor(direction: str, athlete: Athlete, number: int | None) -> str:
    return signing.dumps([direction, str(athlete.code), number], salt=SALT)


def read_cursor(token: str | None) -> tuple[str, str | None, int | None]:
    """(direction, boundary code, page number); anything unreadable is the first page."""
    if token:
        try:
            value = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            value = None
        if value == [LAST]:
            return LAST, None, None
        if isinstance(value, list) and len(value) == 3 and value[0] in (NEXT, PREVIOUS):
            return value[0], value[1], value[2] if isinstance(value[2], int) else None
    return NEXT, None, 1


def page_of(athletes: AthleteQuerySet, *, clinic_athletes: AthleteQuerySet, sort: str, per_page: int,
            token: str | None, search: str = "") -> AthletePage:
    """The page of ``athletes`` (filtered, unordered) that ``token`` points at. ``clinic_athletes``
    is the user's whole clinic, where the boundary athlete is looked up. With a ``search``, whole
    matches come first, then names starting with it, then the rest (``search_rank``), each in the
    chosen sort."""
    direction, code, number = read_cursor(token)
    keys = ([(search_rank(search), False)] if search else []) + sort_keys(sort)
    backwards = direction in (PREVIOUS, LAST)
    rows = athletes.order_by(*order_of(keys, backwards=backwards))
    # A search's first page reads every match to rank them. It counts them in that same query (a
    # window), rather than in a second one reading them all again, and ranks only their ids: the
    # page's rows, with their clinician, are read by id after (issue 19: a common surname's 3,800
    # matches among 100,000 athletes took 26 ms with the count apart, 12 ms of it in the database).
    counted_here = bool(search) and direction == NEXT and code is None
    if code is not None:
        boundary = clinic_athletes.filter(code=code)
        bounds = [Subquery(boundary.annotate(_key=key).values("_key")[:1]) for key, _ in keys]
        rows = rows.filter(beyond(keys, bounds, backwards=backwards))
    matches = 0
    if counted_here:
        ranked = list(rows.annotate(_matches=Window(Count("pk"))).values_list("pk", "_matches")[:per_page + 1])
        matches = ranked[0][1] if ranked else 0
        by_pk = athletes.in_bulk([pk for pk, _ in ranked])  # no query when nothing matched
        found = [by_pk[pk] for pk, _ in ranked if pk in by_pk]
    else:
        found = list(rows[:per_page + 1])
    more = len(found) > per_page
    found = found[:per_page]
    if backwards:
        found.reverse()
    if direction == PREVIOUS and not more:
        if len(found) < per_page:  # fewer than a page before the boundary (or it is gone): the first page
            return page_of(athletes, clinic_athletes=clinic_athletes, sort=sort, per_page=per_page, token=None,
                       search=search)
        direction, code, number = NEXT, None, 1  # exactly the first page
        more = True
    elif direction == NEXT and code is not None and not found:  # the boundary is gone
        return page_of(athletes, clinic_athletes=clinic_athletes, sort=sort, per_page=per_page, token=None,
                       search=search)

    cap = settings.ATHLETE_LIST_COUNT_CAP
    if direction == NEXT and code is None and not more:
        count, capped = len(found), False  # a first page that is not full is the whole list
    else:
        count = matches if counted_here else athletes.order_by()[:cap + 1].count()
        count, capped = min(count, cap), count > cap
    if direction == LAST:
        number = None if capped else max(1, math.ceil(count / per_page))
    if direction == NEXT:
        has_previous, has_next = code is not None, more
    else:
        has_previous, has_next = more, direction == PREVIOUS
    page = AthletePage(found, per_page, number, count, capped, has_previous, has_next)
    if found:
        if has_next:
            page.cursors[NEXT] = cursor(NEXT, found[-1], number + 1 if number else None)
        if has_previous:
            page.cursors[PREVIOUS] = cursor(PREVIOUS, found[0], number - 1 if number else None)
    return page
