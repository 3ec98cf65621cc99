"""Shared start-up for bench scripts: a throwaway database of their own, then Django.

With DATABASE_URL set (PostgreSQL), the bench uses a separate database on the same server
(``runphys_bench_<suffix>``, or ``BENCH_DATABASE`` when set, so that two people sharing one server
keep apart), created afresh; otherwise a temporary SQLite file. Never the
development or production database.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(suffix: str) -> dict[str, str]:
    """Point Django at a fresh bench database, migrate it, and return the environment that
    worker processes of the bench must use."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "runphys.settings")
    url = os.environ.get("DATABASE_URL", "")
    env: dict[str, str] = {}
    if url.startswith("postgres"):
        import psycopg

        base, _, _ = url.rpartition("/")
        name = os.environ.get("BENCH_DATABASE") or f"runphys_bench_{suffix}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = env["DATABASE_URL"] = f"{base}/{name}"
    else:
        path = Path(tempfile.mkdtemp(prefix="runphys-bench-")) / "bench.sqlite3"
        os.environ["SQLITE_PATH"] = env["SQLITE_PATH"] = str(path)
    media = tempfile.mkdtemp(prefix="runphys-bench-media-")
    os.environ["MEDIA_ROOT"] = env["MEDIA_ROOT"] = media

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return env


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def database_label() -> str:
    from django.db import connection

    return connection.vendor
