"""Page fragments kept ready between writes: the parts of the busiest pages that cost queries
(the dashboard's worklist, "needs attention" and recently seen; an athlete's profile and timeline
and an assessment's readings, findings and charts, each with the record it was drawn from; the
logged-in user with their clinic) are built once and reused until anything a page shows changes.
What differs per request (forms and their CSRF tokens, nonces, what the user's role allows, the
audit event) stays outside them: a fragment is rendered without the request.

How a change is seen. Every database connection runs its statements through ``watch`` (installed
by ``runphys.apps`` on each connection). A statement that writes (INSERT, UPDATE, DELETE, and
the other row changes in ``WRITES``) to a table other than those in ``UNSEEN_TABLES`` (the audit
log, sessions, throttle records, the task queue, ...) schedules ``renew`` for after its
transaction commits, once per transaction: ``renew`` gives ``PageGeneration`` a new random token.
A page reads the token first (the authentication backend, ``runphys.throttle``, which keeps the
logged-in user under it too) and keys every fragment under it, so after a write the next page
builds afresh. Nothing has to remember to call anything: a queryset ``update()``, a bulk write,
the task worker's conditional updates, a management command and the admin are all seen alike.

Why it is safe:
- the token changes after the commit, and a page reads it before it reads any data: a fragment is
  never older than the token it is kept under (the dashboard may instead assume the token its
  process saw last and check it in the same statement as its audit event, sending nothing drawn
  on a token that was no longer current: ``runphys.guesses``);
- a connection with a write not yet committed (a test's transaction, a view inside ``atomic``) or
  that wrote since the page read the token sees data others do not: it neither reads nor keeps
  fragments (``usable``);
- a process that dies between its commit and ``renew`` would leave fragments one write behind: they
  are kept ``settings.FRAGMENT_SECONDS`` at most, which also bounds what the clock alone changes
  (a failed email leaving the 30-day window mid-day); the date is part of every key.

Kept where. In each web process's memory (the ``fragments`` cache, ``LocMemCache``): the fragments
hold health data, which then never reaches a disk, and a read costs no file or network call. Two
processes each build their own copy once per token.

Audit. A fragment remembers what its building noted with ``audit.shown``; serving it notes the same
records again, so the "list" event of a page is the same whether it was built or reused.

The token is global, not per clinic: a write in one clinic retires every clinic's fragments. For the
one clinic of a one-machine set-up that is exact; for many busy clinics on one server it costs them
hit rate, never correctness.
"""

import re
import uuid
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection
from django.http import HttpRequest
from django.utils.safestring import SafeString

from runphys import audit, statements

# Writes that change no page a fragment is part of. Each table here must stay out of every
# fragment: the audit log (recently seen reads it, outside any fragment), sessions, login throttle,
# one-time submission keys, the task queue, the admin's history and the token itself.
UNSEEN_TABLES = frozenset({
    "runphys_auditevent", "django_session", "runphys_authattempt", "runphys_submissionkey",
    "django_tasks_database_dbtaskresult", "django_admin_log", "runphys_pagegeneration",
})
# Statements that change rows. Schema changes (CREATE, ALTER, DROP, TRUNCATE) are not among them: a
# migration's data changes are, and a flushed table loses its token, which turns fragments off.
WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "COPY", "WITH")
WRITTEN_TABLE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
CHANGES = "runphys_page_changes"  # writes seen on a connection, a counter on its wrapper


def changes_pages(sql: str) -> bool:
    if not sql.lstrip()[:7].upper().startswith(WRITES):
        return False
    match = WRITTEN_TABLE.match(sql)
    return match is None or match.group(1).lower() not in UNSEEN_TABLES


def renew(alias: str = DEFAULT_DB_ALIAS) -> None:
    """A new token, so that every fragment kept so far is retired."""
    from runphys.models import PageGeneration

    token = uuid.uuid4().hex
    generations = PageGeneration.objects.using(alias)
    try:
        if not generations.filter(pk=1).update(token=token):
            generations.get_or_create(pk=1, defaults={"token": token})
    except DatabaseError:
        # Only before the table's migration has run (``migrate`` itself writes); after a commit the
        # connection is in autocommit, so a failed statement leaves nothing half done.
        pass


def pending_renewal(db) -> bool:
    """Whether ``db`` has written in a transaction that has not committed yet."""
    return any(getattr(callback, "func", None) is renew for _, callback, _ in db.run_on_commit)


def watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    db = context["connection"]
    # Only the project's databases: not the bare server connection that creates a test database.
    if db.alias in settings.DATABASES and changes_pages(sql):
        setattr(db, CHANGES, getattr(db, CHANGES, 0) + 1)
        if not pending_renewal(db):
            if db.in_atomic_block:
                db.on_commit(partial(renew, db.alias))
            else:
                renew(db.alias)  # autocommit: the write is committed already
    return result


def install(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver; the wrapper object outlives its connections (a pool hands a
    new one to the same wrapper), so it is installed once."""
    if watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch)


def changes_seen() -> int:
    return getattr(connection, CHANGES, 0)


# The id of a user's newest record view of an athlete: the head of the audit log's index
# ``audit_actor_views_at_id``, which keys the dashboard's recently seen. Its one parameter is the user.
LAST_VIEW = ("SELECT id FROM runphys_auditevent WHERE actor_id = %s AND action = 'view'"
             " AND target_type = 'athlete' ORDER BY at DESC, id DESC LIMIT 1")
# The page state each user's latest page in this process found (``page_state``), which a guessed
# page assumes (``runphys.guesses``); a few dozen bytes a user, forgotten all at once past the bound.
LAST_STATES: dict[Any, tuple[str, int | None]] = {}
LAST_STATES_KEPT = 10_000


def page_state(user_id) -> tuple[str | None, int | None]:
    """What decides whether this request's fragments are fresh, read by its first query (plain SQL:
    it runs on every page): the page generation, and the id of the newest record view of an athlete
    by ``user_id`` (``LAST_VIEW``), which keys the dashboard's recently seen; the audit log retires
    no fragment, so a view must be seen this way. (None, None) while this connection holds
    uncommitted writes."""
    if pending_renewal(connection):
        return None, None
    with statements.cursor() as cursor:
        cursor.execute(f"SELECT token, ({LAST_VIEW}) FROM runphys_pagegeneration WHERE id = 1", [user_id])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None, None
    remember_state(user_id, row[0], row[1])
    return row[0], row[1]


def remember_state(user_id, token: str, last_view: int | None) -> None:
    if len(LAST_STATES) >= LAST_STATES_KEPT:
        LAST_STATES.clear()
    LAST_STATES[user_id] = (token, last_view)


def viewed(user_id, event_id: int) -> None:
    """``user_id`` has just opened an athlete's record (its audit event is ``event_id``): their next
    page assumes it is their newest view, as the database will say."""
    known = LAST_STATES.get(user_id)
    if known is not None:
        LAST_STATES[user_id] = (known[0], event_id)


def recall(key: str):
    return caches["fragments"].get(key)


def keep(key: str, value) -> None:
    caches["fragments"].set(key, value, settings.FRAGMENT_SECONDS)


def usable(request: HttpRequest) -> str | None:
    """The token to keep this request's fragments under, or None when it must build afresh."""
    user = getattr(request, "user", None)
    membership = getattr(user, "membership", None) if getattr(user, "is_authenticated", False) else None
    token = getattr(membership, "page_generation", None)
    if not token or getattr(membership, "page_changes", None) != changes_seen() or pending_renewal(connection):
        return None
    return token


def key_of(name: str, token: str, parts: tuple[Hashable, ...]) -> str:
    return f"{name}:{token}:" + ":".join(str(part) for part in parts)


def kept(request: HttpRequest, name: str, parts: tuple[Hashable, ...], build: Callable[[], SafeString]) -> SafeString:
    """The fragment ``name`` for ``parts`` (what it depends on besides the data: a user, a record,
    the date), built by ``build`` (a rendered template) when none is kept under the current token."""
    return kept_record(request, name, parts, lambda: None, lambda _: build())[1]


def kept_record(request: HttpRequest, name: str, parts: tuple[Hashable, ...], load: Callable[[], Any],
                draw: Callable[[Any], SafeString]) -> tuple[Any, SafeString]:
    """A record's page part: ``load`` finds the record (raising ``Http404`` when the user may not
    see it), ``draw`` renders the part from it. Both are kept together, so a page served from the
    fragment has the record for what stays per request (its forms, the audit event) and runs no
    query for it. ``parts`` must hold what scoped the lookup (the clinic), or one clinic's fragment
    would answer another's URL; a record that changes or moves retires the token anyway."""
    token = usable(request)
    if token is None:
        record = load()
        return record, drawn(draw(record))
    key = key_of(name, token, parts)
    found = recall(key)
    if found is not None:
        record, html, noted = found
        for target_type, codes in noted.items():
            audit.shown_codes(request, target_type, codes)
        return record, html
    record = load()
    with audit.noting(request) as noted:
        html = drawn(draw(record))
    keep(key, (record, html, {target_type: list(codes) for target_type, codes in noted.items() if codes}))
    return record, html


def kept_value(request: HttpRequest, name: str, parts: tuple[Hashable, ...], compute: Callable[[], Any]) -> Any:
    """A value a fragment's key is made from (not drawn, so nothing to audit), kept like one."""
    token = usable(request)
    if token is None:
        return compute()
    key = key_of(name, token, parts)
    found = recall(key)
    if found is None:
        found = (compute(),)  # in a tuple: an empty list is a value too
        keep(key, found)
    return found[0]


def drawn(html: SafeString) -> SafeString:
    """A fragment is a rendered template, escaped by it; plain text would reach the page unescaped."""
    if not isinstance(html, SafeString):
        raise TypeError("A kept fragment must be a rendered template (SafeString).")
    return html
