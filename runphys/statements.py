"""The few statements every page runs, prepared once per database connection on PostgreSQL.

Django's psycopg cursors bind parameters on the client: each statement reaches PostgreSQL as new
text, to be parsed and planned again. For the statements of every page (the page state,
``fragments.page_state``; the audit INSERT, ``audit.write``; the dashboard's checked INSERT,
``runphys.guesses``) that planning was much of the database's work: the page state took 0.17 ms
and the checked INSERT 0.39 ms bound on the client, against 0.13 and 0.18 ms prepared (issue 19,
one connection on loopback). ``cursor`` gives Django's own cursor wrapper (its execute
wrappers run: ``fragments.watch``, the query log of tests) around a cursor that binds on the server
and prepares what it runs. The connection pool keeps connections, and their prepared statements,
between requests.

Only these statements are prepared: ``settings`` sets psycopg's ``prepare_threshold`` so high that
nothing else ever is (``None`` would refuse even these), so the ORM's statements, whose text
carries their values, do not fill the connection's cache of prepared statements. Elsewhere (SQLite)
``cursor`` is the ordinary one.
"""

from functools import cache

from django.db import connection
from django.db.backends.utils import CursorWrapper


@cache
def prepared_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True)

    return PreparedCursor


def cursor() -> CursorWrapper:
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = prepared_cursor_class()(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
