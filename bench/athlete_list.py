"""bench/athlete_list: the athlete list page with 10,000 athletes in one clinic among 20 clinics.

Prints the page's server-side time (median and p95 of the whole request through Django's middleware,
templates included, in-process so no network) and its query count for page sizes 25, 50 and 100,
plus a search and the sort by last assessment.

    .venv/bin/python bench/athlete_list.py [--athletes 100000]

``--athletes`` sets the big clinic's size (default 10,000). From 50,000 on, the bench also times what
gets slow at scale (issue 19): a name fragment ('okafor', and 'kafo' from the middle of the surname),
a search that matches nothing, a page in the middle and the last page, each against the plain first
page (targets: search p95 at most 2x the first page's, middle and last pages at most 1.5x).

With DATABASE_URL set it uses that PostgreSQL server but a database of its own
(runphys_bench_athletes or BENCH_DATABASE, created afresh and dropped at the end); otherwise a temporary SQLite file.
Every case is timed drawn afresh: the page fragments a repeat visit reuses (runphys.fragments) are
dropped before each request, outside the timing, except in the "kept" case, which is the first page as
a repeat visit serves it. Target on a 2-core machine: at most 4 queries in all at every page size, p95 at most 25 ms on
PostgreSQL. The "by page" column leaves out the session and user lookups every logged-in page pays.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = os.environ.get("BENCH_DATABASE") or "runphys_bench_athletes"
CLINICS, BIG_CLINIC, OTHER_CLINICS_EACH = 20, 10_000, 500
WARM_UP, RUNS = 10, 100
# As the page sends them: the first load is a GET, filters and searches are POSTed (htmx or not).
CASES = [
    ("25 a page (GET)", None),
    ("25 a page", {"per_page": 25}),
    ("50 a page", {"per_page": 50}),
    ("100 a page", {"per_page": 100}),
    ("search 'an', 25", {"per_page": 25, "q": "an"}),
    ("by last assessment, 100", {"per_page": 100, "sort": "last_assessed"}),
    ("page 200 of 400, 25", {"per_page": 25, "page": 200}),
    ("25 a page, kept", {"per_page": 25}),
]
# Every case is drawn afresh (the fragments kept between requests are dropped before each one, out of
# the timing), so that searches and deep pages are weighed against a first page that also runs its
# queries; the "kept" case is the first page as a repeat visit serves it (runphys.fragments).
KEPT = ", kept"
# A page number in a case stands for the cursor the list's Next button carries to that page
# (athletes/paging.py: pages are keyset cursors); "last" for its Last button.
SCALE_FROM = 50_000


def scale_cases(athletes: int) -> list[tuple[str, dict]]:
    """What a big clinic makes slow: searches over every row, and pages far from the first."""
    pages = -(-athletes // 25)
    return [
        ("25 a page", {"per_page": 25}),
        ("search 'okafor', 25", {"per_page": 25, "q": "okafor"}),
        ("search 'kafo', 25", {"per_page": 25, "q": "kafo"}),
        ("search, no match", {"per_page": 25, "q": "qqzzxx"}),
        (f"middle page ({pages // 2} of {pages})", {"per_page": 25, "page": pages // 2}),
        (f"last page ({pages} of {pages})", {"per_page": 25, "page": "last"}),
        ("25 a page, kept", {"per_page": 25}),
        ("by last assessment, 25", {"per_page": 25, "sort": "last_assessed"}),
    ]


def with_cursor(data: dict | None, user) -> dict | None:
    """The case's page number replaced by the cursor of that page, as the page's buttons send it."""
    from athletes import paging
    from athletes.models import Athlete

    if not data or "page" not in data:
        return data
    if data["page"] == "last":
        return {**data, "page": paging.signing.dumps([paging.LAST], salt=paging.SALT)}
    number, per_page = data["page"], data["per_page"]
    keys = paging.sort_keys(data.get("sort", "name"))
    before = (Athlete.objects.for_user(user).active().order_by(*paging.order_of(keys, backwards=False))
              [(number - 1) * per_page - 1])
    return {**data, "page": paging.cursor(paging.NEXT, before, number)}


def postgres_admin(url: str, statement: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(BENCH_DATABASE)))


def choose_database() -> tuple[str, callable]:
    """Point the settings at the bench database before Django starts; return a label and a clean-up."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        postgres_admin(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
        postgres_admin(url, "CREATE DATABASE {}")
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path="/" + BENCH_DATABASE))
        return "PostgreSQL", lambda: postgres_admin(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    directory = tempfile.mkdtemp(prefix="runphys-bench-")
    os.environ["SQLITE_PATH"] = os.path.join(directory, "bench.sqlite3")
    return "SQLite", lambda: shutil.rmtree(directory, ignore_errors=True)


def is_session_or_auth(sql: str) -> bool:
    return (
        '"django_session"' in sql
        or sql.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT"))  # around the session save
        or (sql.startswith('SELECT "runphys_user"') and 'WHERE "runphys_user"."id" =' in sql)
        # the user with their membership and clinic (runphys.models.UserManager.for_request)
        or (sql.startswith('SELECT "runphys_membership"') and 'INNER JOIN "runphys_user"' in sql)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--athletes", type=int, default=BIG_CLINIC,
                        help="athletes in the big clinic (default %(default)s)")
    args = parser.parse_args()
    big_clinic = args.athletes
    cases = scale_cases(big_clinic) if big_clinic >= SCALE_FROM else CASES
    label, clean_up = choose_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "runphys.settings")
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from runphys.models import User

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("generate_athletes", clinics=CLINICS, per_clinic=OTHER_CLINICS_EACH, first_clinic=big_clinic)
        with connection.cursor() as cursor:
            # Planner statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) keeps them.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"{label}: data ready in {time.perf_counter() - started:.0f} s "
              f"({big_clinic} athletes in clinic 01, {OTHER_CLINICS_EACH} in each of {CLINICS - 1} others)")

        client = Client()
        user = User.objects.get(email="clinician01@synthetic.runphys.example")
        client.force_login(user)
        cases = [(name, with_cursor(data, user)) for name, data in cases]
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{'case':<26} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} {'queries':>8} {'by page':>8} "
              f"{'p95 vs 1st':>11}")
        fetchers = {}
        for name, data in cases:
            def fetch(data=data):
                return client.get("/athletes/") if data is None else client.post("/athletes/", data)

            fetchers[name] = fetch
            for _ in range(WARM_UP):
                assert fetch().status_code == 200
        def warm(name, fetch) -> None:
            """Untimed: a drawn case starts with nothing kept; the kept case has its page and user kept
            (the other cases' clearing dropped them)."""
            caches["fragments"].clear()
            if name.endswith(KEPT):
                fetch()

        # Interleaved (one request of each case in turn), so that other work on the machine weighs on
        # every case alike and the ratios to the first case hold.
        timings = {name: [] for name in fetchers}
        cpu = {name: [] for name in fetchers}
        for _ in range(RUNS):
            for name, fetch in fetchers.items():
                warm(name, fetch)
                start, start_cpu = time.perf_counter(), time.process_time()
                response = fetch()
                timings[name].append((time.perf_counter() - start) * 1000)
                cpu[name].append((time.process_time() - start_cpu) * 1000)
                assert response.status_code == 200
        first_page_p95 = None
        for name, fetch in fetchers.items():
            warm(name, fetch)
            with CaptureQueriesContext(connection) as captured:
                fetch()
            statements = [query["sql"] for query in captured.captured_queries]
            by_page = [sql for sql in statements if not is_session_or_auth(sql)]
            p95 = statistics.quantiles(timings[name], n=20)[-1]
            first_page_p95 = first_page_p95 or p95
            print(f"{name:<26} {statistics.median(timings[name]):9.1f} {p95:7.1f} "
                  f"{statistics.median(cpu[name]):7.1f} {len(statements):8d} {len(by_page):8d} "
                  f"{p95 / first_page_p95:11.2f}")
        print("ms: wall clock of the whole request in-process; CPU ms: median CPU time of the Django process alone\n"
              "(without the database server's), which other work on the machine inflates far less.\n"
              "queries: every statement of the request; by page: without the session read and save (with its\n"
              "BEGIN/COMMIT) and the user lookup that every logged-in page makes; p95 vs 1st: p95 over the first\n"
              "case's p95.")
    finally:
        connections.close_all()
        clean_up()


if __name__ == "__main__":
    main()
