from django.core.management.base import BaseCommand

from exercises.library import load_library


class Command(BaseCommand):
    help = (
        "Load or update the exercise library and program templates shipped with RunPhys (idempotent: "
        "run it after every deploy; existing rows keep their codes)."
    )

    def handle(self, *args, **options) -> None:
        result = load_library()
        self.stdout.write(
            f"Exercise library: {result.created} exercises created, {result.updated} updated, "
            f"{result.archived} retired; {result.templates} program templates loaded."
        )
