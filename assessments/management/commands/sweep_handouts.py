"""Queues again the handout renders a dead task worker left behind (``handouts.sweep``)."""

from django.core.management.base import BaseCommand

from assessments.programs import handouts


class Command(BaseCommand):
    help = (
        "Queue again handout renders left 'rendering' by a task worker that died, and re-enqueue queued "
        "ones whose task is overdue. Run it every few minutes (cron or a systemd timer), with sweep_deliveries."
    )

    def handle(self, *args, **options) -> None:
        count = handouts.sweep()
        self.stdout.write(f"Queued {count} handout {'render' if count == 1 else 'renders'} again.")
