"""bench/pages: the app's main pages as a new user would measure them, over HTTP on loopback.

Starts the app as ``make run`` does (gunicorn, ``runphys.wsgi``, 2 sync workers, an access log) on
a database of its own with the demo data (``manage.py load_demo_data``), logs in with the demo
login (password; a second factor is refused: the demo clinic has none), and drives the dashboard,
the athlete list, an athlete's page, an assessment's page (with its charts), the anonymous login
page and a static stylesheet in interleaved rounds: each round gives every page the same number of
seconds of load from ``--connections`` concurrent connections (a new connection per request, as
gunicorn's sync workers close each one). Prints, per page, requests per second over all rounds
(with the slowest and fastest round), the median and 99th-percentile latency, and the ratio of its
requests per second to the login page's: ratios from one run hold on any machine, absolute figures
do not.

    .venv/bin/python bench/pages.py [--seconds 3] [--rounds 3] [--connections 32] [--port 0]

With DATABASE_URL set (PostgreSQL) it uses that server but a database of its own (``BENCH_DATABASE``
or ``runphys_bench_pages``, created afresh); otherwise a temporary SQLite file. Port 0 picks a free
one. Targets (issue 19): dashboard at least 0.9 of the login page, the athlete list 0.7, the
athlete and assessment pages 0.5.
"""

import argparse
import asyncio
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import ROOT, database_label, percentile, setup  # noqa: E402

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "runphys.wsgi", "--bind", f"{HOST}:{port}", "--workers", "2",
         "--access-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start within 60 s")


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def log_in(port: int, email: str, password: str) -> str:
    """The demo login through the real form; returns the Cookie header of the logged-in session."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    jar = cookies_of(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    connection.close()
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    body = urlencode({"csrfmiddlewaretoken": token, "username": email, "password": password, "next": "/"})
    connection.request("POST", "/accounts/login/", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={jar['csrftoken']}",
        "Referer": f"http://{HOST}:{port}/accounts/login/"})
    response = connection.getresponse()
    response.read()
    location = response.headers.get("Location", "")
    if response.status != 302 or "/login/" in location:
        sys.exit(f"demo login failed ({response.status} to {location!r}): a second factor is not supported here")
    jar.update(cookies_of(response))
    return "; ".join(f"{name}={value}" for name, value in jar.items())


async def fetch(port: int, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    headers = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
    if cookie:
        headers += f"Cookie: {cookie}\r\n"
    writer.write((headers + "\r\n").encode())
    status_line = await reader.readline()
    await reader.read()  # to the end: the server closes the connection
    writer.close()
    elapsed = time.perf_counter() - started
    return int(status_line.split()[1]), elapsed


async def load(port: int, path: str, cookie: str, seconds: float, connections: int) -> tuple[int, list[float], float]:
    """``connections`` clients, each sending one request after another for ``seconds``."""
    latencies: list[float] = []
    failures: list[int] = []
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            status, elapsed = await fetch(port, path, cookie)
            if status != 200:
                failures.append(status)
            latencies.append(elapsed)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    if failures:
        sys.exit(f"{path}: {len(failures)} responses were not 200 (first {failures[0]})")
    return len(latencies), latencies, time.perf_counter() - started


def demo_pages() -> list[tuple[str, str, bool]]:
    """(label, path, logged in) for each page: the demo athlete with the most assessments, and the
    latest of them (the one with the longest charts)."""
    from django.db.models import Count

    from athletes.models import Athlete
    from runphys.management.commands.load_demo import DEMO_CLINIC

    athlete = (Athlete.objects.filter(clinic__name=DEMO_CLINIC).annotate(visits=Count("assessments"))
               .order_by("-visits", "pk").first())
    assessment = athlete.assessments.order_by("-assessed_on", "-pk").first()
    return [
        ("static CSS (whitenoise)", "/static/css/runphys.css", False),
        ("login page, anonymous", "/accounts/login/", False),
        ("dashboard", "/", True),
        ("athlete list (25 rows)", "/athletes/", True),
        ("athlete detail", athlete.get_absolute_url(), True),
        ("assessment detail (charts)", assessment.get_absolute_url(), True),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="load per page per round (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds after one warm-up round (default %(default)s)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (default: a free one)")
    args = parser.parse_args()

    env = setup("pages")
    from django.core.management import call_command
    from django.db import connections

    from runphys.management.commands.load_demo import DEMO_PASSWORD, DEMO_PHYSIOS

    with open(os.devnull, "w") as quiet:
        call_command("load_demo_data", stdout=quiet)
    pages = demo_pages()
    connections.close_all()
    if not (ROOT / "static" / "css" / "runphys.css").exists():
        sys.exit("static/css/runphys.css is missing: choose another static file for the bench")

    port = args.port or free_port()
    server = start_server(env, port)
    try:
        cookie = log_in(port, DEMO_PHYSIOS[0][0], DEMO_PASSWORD)
        per_page: dict[str, dict] = {label: {"count": 0, "time": 0.0, "latencies": [], "rounds": []}
                                     for label, _, _ in pages}

        async def run_rounds() -> None:
            for round_number in range(args.rounds + 1):
                for label, path, logged_in in pages:
                    seconds = 1.0 if round_number == 0 else args.seconds
                    count, latencies, elapsed = await load(port, path, cookie if logged_in else "", seconds,
                                                           args.connections)
                    if round_number == 0:
                        continue  # warm-up: imports, template loading, connection pools
                    stats = per_page[label]
                    stats["count"] += count
                    stats["time"] += elapsed
                    stats["latencies"] += latencies
                    stats["rounds"].append(count / elapsed)

        print(f"Pages: {database_label()}, gunicorn 2 sync workers on {HOST}:{port}, demo data, "
              f"{args.connections} connections, {args.rounds} rounds of {args.seconds:g} s per page, "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        asyncio.run(run_rounds())
    finally:
        server.terminate()
        server.wait(timeout=30)

    login_rate = None
    print(f"{'page':<28}{'req/s':>8}{'rounds min-max':>16}{'p50 ms':>8}{'p99 ms':>8}{'vs login':>10}")
    for label, _, _ in pages:
        stats = per_page[label]
        rate = stats["count"] / stats["time"]
        if label.startswith("login page"):
            login_rate = rate
        latencies = [value * 1000 for value in stats["latencies"]]
        spread = f"{min(stats['rounds']):.0f}-{max(stats['rounds']):.0f}"
        ratio = f"{rate / login_rate:.2f}" if login_rate else ""
        print(f"{label:<28}{rate:>8.1f}{spread:>16}{statistics.median(latencies):>8.1f}"
              f"{percentile(latencies, 0.99):>8.1f}{ratio:>10}")
    print("req/s: requests answered per second over all rounds (a new connection each); p50/p99: latency\n"
          "seen by the client, queueing included; vs login: req/s as a share of the anonymous login page's.\n"
          "Targets (issue 19): dashboard >= 0.9, athlete list >= 0.7, athlete and assessment detail >= 0.5.")


if __name__ == "__main__":
    main()
