"""Everything the demo needs, in one process: ``make demo`` and ``make run`` call this.

Migrates, loads the exercise library, then the demo clinic, its athletes, assessments and programs
(each loader idempotent, and an erased demo athlete stays erased). One process instead of six
saves Django's start-up five times over; the output is the loaders' own.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from runphys.management.commands.load_demo import DEMO_PASSWORD, DEMO_PHYSIOS

STEPS = ("load_exercise_library", "load_demo", "load_demo_athletes", "load_demo_assessments", "load_demo_programs")


class Command(BaseCommand):
    help = "Migrate and load the whole demo (library, clinic, athletes, assessments, programs), in one process."

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0, stdout=self.stdout)
        for step in STEPS:
            call_command(step, stdout=self.stdout)
        email, _, _ = DEMO_PHYSIOS[0]
        self.stdout.write(f"Demo ready. Log in as {email} / {DEMO_PASSWORD} (clinic admin).")
