from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from runphys import emails


class Command(BaseCommand):
    help = (
        "Re-queue email deliveries left in 'sending' by a worker that died, and re-enqueue queued "
        "ones whose task is overdue. Run it every few minutes (cron or a systemd timer)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", type=int, default=None,
                            help="Seconds a delivery may stay 'sending' (default: EMAIL_SENDING_TIMEOUT).")

    def handle(self, *args, older_than: int | None, **options) -> None:
        limit = timedelta(seconds=older_than) if older_than is not None else settings.EMAIL_SENDING_TIMEOUT
        count = emails.sweep(limit)
        self.stdout.write(f"Re-queued {count} email deliveries.")
