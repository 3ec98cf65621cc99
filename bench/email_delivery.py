"""How fast do handout emails leave? 200 deliveries, each with a real PDF attachment rendered by
runphys.pdf, drained by two `manage.py db_worker` processes against a local SMTP server.

Prints deliveries per second and each worker's peak resident memory.
Run: .venv/bin/python bench/email_delivery.py  (DATABASE_URL=postgres://… for PostgreSQL)
"""

import os
import subprocess
import sys
import time

from _setup import ROOT, database_label, setup

DELIVERIES = 200
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def main() -> None:
    env = setup("email")
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from runphys import emails
    from runphys.models import EmailDelivery
    from runphys.pdf import render_pdf
    from tests.smtp import SMTPServer

    pages = "".join(f"<h2>Exercise {n}</h2><p>{'Hold the stretch and breathe. ' * 40}</p>" for n in range(8))
    pdf = render_pdf(f"<h1>Exercise program</h1>{pages}")
    path = default_storage.save("handouts/bench.pdf", ContentFile(pdf))

    smtp = SMTPServer().start()
    context = {"invitation": None, "clinic": None, "accept_url": "https://example.invalid/"}
    for n in range(DELIVERIES):
        emails.queue("invitation", context, f"athlete{n}@example.com", kind=EmailDelivery.Kind.HANDOUT,
                     attachment_path=path, attachment_name="exercise-program.pdf")

    worker_env = {**os.environ, **env, **smtp.env}
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "manage.py", "db_worker", "--batch", "--interval", "0.05",
                          "--no-startup-delay", "--worker-id", f"bench{n}"],
                         cwd=ROOT, env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for n in range(WORKERS)
    ]
    peaks = []
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        peaks.append(usage.ru_maxrss / 1024)
    elapsed = time.perf_counter() - started
    smtp.stop()

    sent = EmailDelivery.objects.filter(status="sent").count()
    received = len(smtp.handler.received)
    ids = {m["Message-ID"] for m in smtp.handler.messages()}
    print(f"database: {database_label()}; {DELIVERIES} deliveries with a {len(pdf) / 1024:.0f} KiB PDF; "
          f"{WORKERS} workers")
    print(f"sent {sent}, received {received}, distinct Message-IDs {len(ids)}")
    print(f"wall time {elapsed:.2f} s (includes worker start-up) -> {sent / elapsed:.1f} deliveries/s")
    first, last = (EmailDelivery.objects.filter(status="sent").order_by(o).values_list("sent_at", flat=True)[0]
                   for o in ("sent_at", "-sent_at"))
    steady = (sent - 1) / max((last - first).total_seconds(), 1e-6)
    print(f"steady state (first to last send, no start-up): {steady:.1f} deliveries/s")
    print("worker peak RSS: " + ", ".join(f"{peak:.0f} MiB" for peak in peaks))
    if sent != DELIVERIES or received != DELIVERIES or len(ids) != DELIVERIES:
        sys.exit("delivery count mismatch")


if __name__ == "__main__":
    main()
