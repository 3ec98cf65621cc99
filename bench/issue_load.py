"""Issuing programs under load: how long an issue click holds the web server, and what concurrent
issues do to everyone else's pages (issue #13).

    .venv/bin/python bench/issue_load.py [--rounds 8] [--physios 4] [--list-requests 200] [--single 10]

Starts the app as ``make run`` does: ``gunicorn runphys.wsgi --workers 2`` on a free local port plus
one ``manage.py db_worker`` (so that code rendering handouts in the task worker is measured the same
way), against a throwaway database of its own (``bench/_setup.py``: ``runphys_bench_issue`` on the
DATABASE_URL server, or a temporary SQLite file) loaded with the demo data. Every client talks HTTP
to gunicorn as the demo clinic admin, one login (session) per simulated physio, and fetches the
program page for its CSRF token before each issue click, as a browser does. The drafts to issue
(8 shipped exercises each) are made beforehand through the ORM.

Prints, for each phase, median and p95 in milliseconds and a rate:

- idle: the athlete list (GET /athletes/), one client, sequential requests;
- one at a time: issue clicks (POST /programs/<code>/issue/, time to its redirect) and click to PDF
  ready (until the issued version's ``pdf`` is stored, polled through the ORM);
- under load: ``--physios`` clients each issuing ``--rounds`` drafts in turn (click, wait for the
  PDF, next draft) while one more client GETs the athlete list sequentially until they are done.

Measured on the code of issue #13: one click holds a worker 0.6-1.1 s (27x an athlete-list GET) and
with 4 physios issuing the list's p95 goes from 32-41 ms to 1.2-3.4 s. Target once handout renders
move to the task worker: during 4 concurrent issues the list's p95 stays within 1.5x of its idle
p95. Figures only, no pass or fail; other work on the machine shows in them (the load average is
printed before and after).
"""

import argparse
import http.cookiejar
import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from _setup import ROOT, database_label, percentile, setup

EXERCISES_PER_PROGRAM = 8
WARM_UP_ISSUES = 4  # concurrently in pairs, so that both gunicorn workers have rendered once
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Do not follow redirects: the issue click's time is until its redirect arrives."""

    def redirect_request(self, *args, **kwargs):
        return None


class Physio:
    """One browser: its own cookie jar (session and CSRF cookies), logged in over HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), KeepRedirects()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """Status, body and Location of one request (redirects are returned, not followed)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=120) as response:
                return response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:  # 3xx and 4xx/5xx alike
            with error:
                return error.code, error.read().decode(errors="replace"), error.headers.get("Location", "")

    def csrf_token(self, path: str) -> str:
        status, body, _ = self.request(path)
        match = CSRF_FIELD.search(body)
        if status != 200 or match is None:
            raise RuntimeError(f"GET {path}: {status}, no CSRF token in the page")
        return match.group(1)

    def log_in(self, email: str, password: str) -> "Physio":
        token = self.csrf_token("/accounts/login/")
        status, _, location = self.request(
            "/accounts/login/", {"username": email, "password": password, "csrfmiddlewaretoken": token}
        )
        if status != 302 or "login" in location:
            raise RuntimeError(f"login as {email} failed: {status} -> {location!r}")
        return self

    def get_list(self) -> float:
        started = time.perf_counter()
        status, _, _ = self.request("/athletes/")
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"GET /athletes/: {status}")
        return elapsed

    def issue(self, program, poll: float, timeout: float = 120) -> tuple[float, float]:
        """Open the program page, click Issue; return (click, click to PDF ready) in seconds."""
        path = f"/programs/{program.code}/"
        token = self.csrf_token(path)
        started = time.perf_counter()
        status, _, location = self.request(f"{path}issue/", {"csrfmiddlewaretoken": token})
        click = time.perf_counter() - started
        if status != 302:
            raise RuntimeError(f"POST {path}issue/: {status} -> {location!r}")
        while not pdf_stored(program):
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"program {program.code}: no PDF {timeout:.0f} s after the click")
            time.sleep(poll)
        return click, time.perf_counter() - started


def pdf_stored(program) -> bool:
    latest = program.versions.order_by("-number").first()
    return bool(latest and latest.pdf)


@dataclass
class Timings:
    values: list[float] = field(default_factory=list)
    seconds: float = 0.0  # the phase's wall time, for the rate

    def row(self, label: str, rate_unit: str = "") -> str:
        values = self.values
        rate = f"{len(values) / self.seconds:8.1f} {rate_unit}" if rate_unit and self.seconds else ""
        return (f"{label:<36} {len(values):>4} {statistics.median(values) * 1000:>9.0f} "
                f"{percentile(values, 0.95) * 1000:>7.0f} {rate}").rstrip()


def make_drafts(count: int) -> tuple[list, int]:
    """``count`` draft programs of 8 shipped exercises for the demo clinic's athletes."""
    from assessments.models import Program
    from athletes.models import Athlete
    from exercises.models import Exercise
    from runphys.management.commands.load_demo import DEMO_PHYSIOS
    from runphys.models import User

    user = User.objects.get(email=DEMO_PHYSIOS[0][0])
    athletes = list(Athlete.objects.for_user(user).order_by("pk"))
    exercises = list(Exercise.objects.shipped().active().order_by("name"))
    drafts = []
    for number in range(count):
        program = Program.start(athlete=athletes[number % len(athletes)], by=user, title=f"Bench program {number + 1}",
                                clinician=user, starts_on=date.today())
        draft = program.latest
        for offset in range(EXERCISES_PER_PROGRAM):
            draft.add_exercise(exercises[(number * 3 + offset) % len(exercises)])
        drafts.append(program)
    return drafts, len(athletes)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(env: dict[str, str], port: int, log: Path) -> list[subprocess.Popen]:
    """gunicorn (2 workers) and one db_worker, as ``make run`` starts them, each in its own process group."""
    bin_dir = Path(sys.executable).parent
    environment = {**os.environ, **env, "LOG_LEVEL": "WARNING"}
    with log.open("ab") as output:
        commands = [
            [str(bin_dir / "gunicorn"), "runphys.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            [sys.executable, "manage.py", "db_worker"],
        ]
        return [subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                 start_new_session=True) for command in commands]


def stop_app(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_serving(base_url: str, processes: list[subprocess.Popen], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        try:
            with urllib.request.urlopen(base_url + "/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the app did not start; its log:\n{log.read_text()[-3000:]}")


def run_threads(targets) -> None:
    """Run the callables in threads, each with its own database connection; re-raise the first error."""
    from django.db import connection

    errors = []

    def wrapped(target):
        try:
            target()
        except BaseException as error:  # re-raised below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapped, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="drafts each physio issues under load (default 8)")
    parser.add_argument("--physios", type=int, default=4, help="physios issuing at once under load (default 4)")
    parser.add_argument("--list-requests", type=int, default=200,
                        help="sequential athlete-list GETs of the idle phase (default 200)")
    parser.add_argument("--single", type=int, default=10, help="issues one at a time (default 10)")
    parser.add_argument("--poll", type=float, default=0.05,
                        help="seconds between checks for the stored PDF (default 0.05)")
    args = parser.parse_args()
    if min(args.rounds, args.physios, args.list_requests, args.single) < 1:
        parser.error("--rounds, --physios, --list-requests and --single must be at least 1")

    started = time.perf_counter()
    env = setup("issue")
    from django.core.management import call_command

    from runphys.management.commands.load_demo import DEMO_PASSWORD, DEMO_PHYSIOS

    for command in ("load_exercise_library", "load_demo", "load_demo_athletes", "load_demo_assessments"):
        call_command(command, stdout=io.StringIO())
    drafts, athletes = make_drafts(WARM_UP_ISSUES + args.single + args.physios * args.rounds)
    print(f"Issue load: {database_label()}, demo clinic with {athletes} athletes, {len(drafts)} drafts of "
          f"{EXERCISES_PER_PROGRAM} exercises; data ready in {time.perf_counter() - started:.0f} s")

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="runphys-bench-log-")) / "app.log"
    processes = start_app(env, port, log)
    try:
        wait_until_serving(base_url, processes, log)
        email = DEMO_PHYSIOS[0][0]
        physios = [Physio(base_url).log_in(email, DEMO_PASSWORD) for _ in range(args.physios + 1)]
        reader, issuers = physios[0], physios[1:]
        queue = iter(drafts)

        # Warm-up: both workers load templates, fonts and the stylesheet; not counted.
        for _ in range(20):
            reader.get_list()
        for _ in range(WARM_UP_ISSUES // 2):
            pair = [next(queue), next(queue)]
            run_threads([lambda p=p, program=program: p.issue(program, args.poll)
                         for p, program in zip(issuers[:2], pair, strict=False)])

        print(f"gunicorn on port {port}, 2 workers, and 1 db_worker; {os.cpu_count()} CPUs, "
              f"load average {load_average()}")
        print(f"{'phase':<36} {'n':>4} {'median ms':>9} {'p95 ms':>7} {'rate':>8}")

        idle = Timings()
        phase = time.perf_counter()
        idle.values = [reader.get_list() for _ in range(args.list_requests)]
        idle.seconds = time.perf_counter() - phase
        print(idle.row("idle: athlete list", "req/s"))

        single_click, single_ready = Timings(), Timings()
        phase = time.perf_counter()
        for _ in range(args.single):
            click, ready = issuers[0].issue(next(queue), args.poll)
            single_click.values.append(click)
            single_ready.values.append(ready)
        single_ready.seconds = time.perf_counter() - phase
        print(single_click.row("one at a time: issue click"))
        print(single_ready.row("one at a time: click to PDF ready", "issues/s"))

        loaded, load_click, load_ready = Timings(), Timings(), Timings()
        mine = [[next(queue) for _ in range(args.rounds)] for _ in issuers]
        done = threading.Event()
        remaining = [len(issuers)]
        lock = threading.Lock()

        def issue_all(physio: Physio, programs: list) -> None:
            try:
                for program in programs:
                    click, ready = physio.issue(program, args.poll)
                    with lock:
                        load_click.values.append(click)
                        load_ready.values.append(ready)
            finally:
                with lock:
                    remaining[0] -= 1
                    if not remaining[0]:
                        done.set()

        def read_list() -> None:
            while not done.is_set():
                loaded.values.append(reader.get_list())

        phase = time.perf_counter()
        run_threads([read_list] + [lambda p=p, programs=programs: issue_all(p, programs)
                                   for p, programs in zip(issuers, mine, strict=True)])
        loaded.seconds = load_ready.seconds = time.perf_counter() - phase
        label = f"{args.physios} issuing"
        print(loaded.row(f"{label}: athlete list", "req/s"))
        print(load_click.row(f"{label}: issue click"))
        print(load_ready.row(f"{label}: click to PDF ready", "issues/s"))

        ratio = percentile(loaded.values, 0.95) / percentile(idle.values, 0.95)
        print(f"athlete list p95 while {args.physios} issue / idle p95: {ratio:.1f}x (target after the refactor: "
              f"at most 1.5x)")
        print(f"issue click median / idle athlete list median: "
              f"{statistics.median(single_click.values) / statistics.median(idle.values):.0f}x")
        print(f"load average after: {load_average()}")
        print("click: POST until its redirect arrives; click to PDF ready: until the issued version's PDF is "
              "stored (checked every\n"
              f"{args.poll * 1000:.0f} ms through the ORM). Each issue also GETs the program page first (its CSRF "
              "token), not timed. Rates: list\nrequests or issues (click to PDF) per second of the phase's wall time.")
    except BaseException:
        print(f"app log (last lines):\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
        raise
    finally:
        stop_app(processes)
        from django.db import connections

        connections.close_all()
        shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)
        shutil.rmtree(log.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
