"""Deletes the handout print copies of exercise pictures and logos that were replaced or removed.

Run it now and then (``make run`` does every five minutes, with the email sweep); see
``assessments.programs.handouts.prune_print_copies``.
"""

from django.core.management.base import BaseCommand

from assessments.programs import handouts


class Command(BaseCommand):
    help = "Delete print copies of pictures that were replaced or removed."

    def handle(self, *args, **options) -> None:
        deleted = handouts.prune_print_copies()
        self.stdout.write(f"Deleted {deleted} print {'copy' if deleted == 1 else 'copies'} of removed pictures.")
