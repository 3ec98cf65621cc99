"""bench/athlete_page: the athlete's own program page, opened through their private link.

Prints the page's server time (median and p95 of the whole request through Django's middleware,
templates included, in-process so no network), its query count, and its size in bytes before
pictures (the HTML, its stylesheet and its script, as a phone downloads them), for a program of 6
exercises with 0 and with 8 weeks of logs. Also one log POST. Target (issue 16): under 150 KB
before pictures; the query count does not grow with the logs.

    .venv/bin/python bench/athlete_page.py [--runs 100]

Uses bench/_setup.py: with DATABASE_URL a PostgreSQL database of its own, otherwise a temporary
SQLite file.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import database_label, percentile, setup  # noqa: E402


def build():
    from django.core.management import call_command
    from django.utils import timezone

    from assessments.programs import handouts
    from assessments.programs.models import Program, ProgramLink
    from athletes.models import Athlete
    from exercises.models import Exercise
    from runphys.models import Clinic, Membership, User

    call_command("load_exercise_library", verbosity=0)
    clinic = Clinic.objects.create(name="Bench Physio", email="desk@bench.example", phone="020 0000 0000")
    physio = User.objects.create_user("physio@bench.example", "bench-password-123", full_name="Bench Physio")
    Membership.objects.create(user=physio, clinic=clinic, role=Membership.Role.ADMIN)
    athlete = Athlete(clinic=clinic, first_name="Ada", last_name="Bench", date_of_birth=timezone.localdate().replace(
        year=1990), email="ada@bench.example")
    athlete.record_email_consent(True, by=physio)
    athlete.save()
    program = Program.start(athlete=athlete, by=physio, title="Hip mobility", clinician=physio,
                            starts_on=timezone.localdate())
    for exercise in Exercise.objects.filter(clinic=None)[:6]:
        program.latest.add_exercise(exercise)
    version = program.latest
    handouts.issue(version, by=physio)
    return ProgramLink.objects.get(program=program), version


def time_get(client, path: str, runs: int) -> tuple[list[float], int, bytes]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(5):
        client.get(path)
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return timings, len(queries), response.content


def page_bytes(html: bytes) -> int:
    """The HTML plus the stylesheet and script it links, as served (whitenoise would gzip them)."""
    from django.contrib.staticfiles import finders

    total = len(html)
    for name in ("css/athlete.css", "js/hold-timer.js"):
        total += Path(finders.find(name)).stat().st_size
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    setup("athletepage")
    from django.test import Client
    from django.utils import timezone

    from assessments.programs.models import ExerciseLog

    link, version = build()
    # Ample room: the bench's own requests must not reach the link's throttle.
    from assessments.programs import athlete_views

    athlete_views.PER_LINK_PER_HOUR = athlete_views.PER_ADDRESS_PER_HOUR = 10**9
    client = Client()
    print(f"Athlete page: {database_label()}, 6 exercises, {args.runs} runs each")
    print(f"{'case':<28}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'bytes before pictures':>23}")
    for label in ("no logs", "8 weeks of logs"):
        if label == "8 weeks of logs":
            today = timezone.localdate()
            ExerciseLog.objects.bulk_create(
                ExerciseLog(version=version, item=item, day=today - timedelta(days=day), pain=day % 5)
                for day in range(1, 57) for item in version.items.all())
        timings, queries, html = time_get(client, link.path(), args.runs)
        print(f"{label:<28}{statistics.median(timings):>10.1f}{percentile(timings, 0.95):>9.1f}{queries:>9}"
              f"{page_bytes(html):>23,}")
    item = version.items.first()
    posts = []
    for n in range(args.runs):
        started = time.perf_counter()
        client.post(f"{link.path()}log/", {"item": str(item.code), "day": timezone.localdate().isoformat(),
                                           "pain": str(n % 5)})
        posts.append((time.perf_counter() - started) * 1000)
    print(f"{'log one exercise (POST)':<28}{statistics.median(posts):>10.1f}{percentile(posts, 0.95):>9.1f}")


if __name__ == "__main__":
    main()
