"""The dashboard in one statement: drawn on the page state this process saw last, and checked by
the statement that writes its audit event.

Every page reads the page state first (``fragments.page_state``: the page generation, and the
user's newest record view) and writes its audit event last: two round trips. On the dashboard,
whose parts are all kept fragments while nothing changes, those two were most of the page's cost
(issue 19). So the dashboard is drawn on the state this process found on the user's previous page
(``fragments.LAST_STATES``), and its "list" event is written by one INSERT that inserts it only if
that state is still the database's (``Guess.check``). If it is, the page goes out as drawn: exactly
what reading the state first would have given, checked at the end of the page rather than at its
start. If it is not (something was written since, or the user opened a record through the other
web process), nothing was inserted: the page is thrown away and drawn again the ordinary way,
reading the state first, and the state read is remembered for the next page. One statement for a
dashboard between writes, the ordinary two plus one after a write.

What the first try must not do is act on what it assumed. It may only read, and where the chain of
middleware would act on the user it assumed, it stops assuming and reads the state first
(``Guess.fits``, in the authentication backend): a session whose password hash is not the kept
user's (Django would end it) and a session that has not passed the second factor its clinic may
require (the two-factor middleware would end it or send it to enrol). A dashboard is tried on a
guess only when the rest of the chain cannot act either (``guess_for``): a GET of the dashboard on
PostgreSQL outside a transaction, with no messages waiting in the session (the first try would
take them) and a login that the absolute time-out will not end within the minute. What a first try
leaves on the request (the user, what the page noted for the audit log, the messages' store, the
URL it resolved) is cleared before the second; the session's own changes (a renewal) are the same
in both. A second factor turned off for a clinic between a member's pages costs at most one more
try, never a logout: the state then differs, so the user kept from before is not used.

PostgreSQL only: what is saved is a round trip to a server, and SQLite is a library in the
process, whose read of the state costs microseconds. The athlete list and the record pages read
the state first, as before: a record page's event is the record's own view, written whatever
happens, and a guess there would save less than it risks.
"""

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from runphys import audit, fragments, sessions, statements
from runphys.models import AuditEvent

# A login this close to its absolute time-out is not tried on a guess: the first try would end it.
ABSOLUTE_MARGIN_SECONDS = 60
MESSAGES_SESSION_KEY = "_messages"  # django.contrib.messages' session storage


@dataclass
class Guess:
    """The page state a page is drawn on: ``standing`` until something made the page read the state
    after all; ``held`` once the page's INSERT found it still the database's."""

    user_id: Any
    token: str
    last_view: int | None
    session_hash: str | None
    second_factor_passed: bool
    standing: bool = True
    held: bool = False

    def fits(self, user) -> bool:
        """Whether the chain can run on ``user`` (kept under the guessed token) with nothing done on
        stale data: the session's password hash is this user's, and no second factor is due."""
        if not self.session_hash or not constant_time_compare(self.session_hash, user.get_session_auth_hash()):
            return False
        clinic = user.clinic
        return self.second_factor_passed or clinic is None or not clinic.require_two_factor

    def check(self, events: list[AuditEvent]) -> None:
        """Write ``events`` if, and only if, the page state is still the guessed one, in one
        statement; ``held`` tells which it was. A page that showed no record reads the state."""
        if not events:
            self.held = fragments.page_state(self.user_id) == (self.token, self.last_view)
            return
        columns, rows, params = audit.insert_rows(events, typed=True)
        sql = (f"{columns} SELECT * FROM (VALUES {rows}) AS shown WHERE EXISTS ("  # noqa: S608
               "SELECT FROM runphys_pagegeneration WHERE id = 1 AND token = %s"
               f" AND ({fragments.LAST_VIEW}) IS NOT DISTINCT FROM %s::bigint){audit.returning_ids(events)}")
        with statements.cursor() as cursor:
            cursor.execute(sql, [*params, self.token, self.user_id, self.last_view])
            written = cursor.fetchall()
        self.held = bool(written)
        if self.held:
            audit.took_ids(events, written)


GUESS: ContextVar[Guess | None] = ContextVar("runphys_page_guess", default=None)


def standing(user_id) -> Guess | None:
    """The guess this request's page is drawn on, for ``user_id``, if it still stands."""
    guess = GUESS.get()
    return guess if guess is not None and guess.standing and guess.user_id == user_id else None


def drop() -> None:
    """The page reads the state after all (the authentication backend did: the guess did not fit)."""
    guess = GUESS.get()
    if guess is not None:
        guess.standing = False


@cache
def guessed_paths() -> frozenset[str]:
    return frozenset({reverse("dashboard")})


def guess_for(request: HttpRequest) -> Guess | None:
    """A guess to draw this request's page on, or None to draw it the ordinary way."""
    if request.method != "GET" or request.path_info not in guessed_paths() or connection.vendor != "postgresql":
        return None
    session = request.session
    raw_id = session.get(SESSION_KEY)
    if raw_id is None or MESSAGES_SESSION_KEY in session:
        return None
    if not connection.get_autocommit() or connection.in_atomic_block:
        return None
    logged_in_at = session.get(sessions.LOGGED_IN_AT)
    if logged_in_at is None or time.time() - logged_in_at > (
            settings.SESSION_ABSOLUTE_AGE.total_seconds() - ABSOLUTE_MARGIN_SECONDS):
        return None
    try:
        user_id = get_user_model()._meta.pk.to_python(raw_id)
    except Exception:  # noqa: BLE001 - a damaged session: Django's own path logs it out
        return None
    known = fragments.LAST_STATES.get(user_id)
    if known is None:
        return None
    return Guess(user_id=user_id, token=known[0], last_view=known[1], session_hash=session.get(HASH_SESSION_KEY),
                 second_factor_passed=sessions.passed_second_factor(request))


class GuessedPageMiddleware:
    """Right after ``SessionMiddleware``: tries a guessed page (``guess_for``) and, when the guess
    did not hold, draws it again from a request cleared of what the first try left on it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        guess = guess_for(request)
        if guess is None:
            return self.get_response(request)
        before = set(request.__dict__)
        reset = GUESS.set(guess)
        try:
            response = self.get_response(request)
        finally:
            GUESS.reset(reset)
        if guess.held or not guess.standing:
            return response
        for name in set(request.__dict__) - before:
            del request.__dict__[name]
        return self.get_response(request)
