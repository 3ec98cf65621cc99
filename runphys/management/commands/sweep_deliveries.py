from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from runphys import emails, task_queue


class Command(BaseCommand):
    help = (
        "Re-queue email deliveries whose claim's lease ended in 'sending' (their worker died), "
        "re-enqueue queued ones whose task is overdue, and mark failed the task rows a dead worker "
        "left 'running'. Run it every minute (cron or a systemd timer)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", type=int, default=None,
                            help="Seconds a delivery may stay 'sending' (default: EMAIL_SENDING_LEASE).")

    def handle(self, *args, older_than: int | None, **options) -> None:
        limit = timedelta(seconds=older_than) if older_than is not None else settings.EMAIL_SENDING_LEASE
        count = emails.sweep(limit)
        self.stdout.write(f"Re-queued {count} email deliveries.")
        orphans = task_queue.fail_orphans()
        self.stdout.write(f"Marked {orphans} orphaned task {'row' if orphans == 1 else 'rows'} failed.")
