"""Exercise programs for a few demo athletes, made the way a physio makes them: from the latest
assessment's suggestions, then issued (which renders and stores the handout PDF), so a new
installation shows a program, its handout and the email form straight away."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, reference_table
from assessments.programs import handouts, suggestions
from assessments.programs.models import Program
from athletes.models import Athlete
from runphys import audit
from runphys.management.commands.load_demo import DEMO_CLINIC
from runphys.models import Clinic

PROGRAM_ATHLETES = 3  # assessed demo athletes (by name) with something to treat; all but the last get theirs issued
REVIEW_AFTER = timedelta(weeks=4)


class Command(BaseCommand):
    help = (f"Give {PROGRAM_ATHLETES} assessed demo athletes a program built from their latest assessment's "
            "suggestions, and issue all but one of them (idempotent: nothing is done once the demo clinic "
            "has a program).")

    def handle(self, *args, **options) -> None:
        clinic = Clinic.objects.filter(name=DEMO_CLINIC).first()
        if clinic is None:
            raise CommandError("The demo clinic does not exist yet: run 'manage.py load_demo' first.")
        athletes = Athlete.objects.for_clinic(clinic).active().filter(last_assessed_on__isnull=False).by_name()
        if not athletes.exists():
            raise CommandError("No demo athlete has an assessment yet: run 'manage.py load_demo_assessments' first.")
        made: list[Program] = []
        if not Program.objects.filter(athlete__clinic=clinic).exists():
            table = reference_table(clinic)
            for athlete in athletes:
                if len(made) == PROGRAM_ATHLETES:
                    break
                program = self.program_for(athlete, table, clinic)
                if program is not None:
                    made.append(program)
        for program in made[:-1]:  # the last stays a draft, to show the editing screen
            draft = program.latest
            handouts.issue(draft, by=draft.clinician)
            handouts.render_version(draft.pk)  # now, as the worker would: the demo opens with its PDFs
            audit.record("issue", actor=draft.clinician, target=draft, clinic=clinic, fields=["status", "pdf"])
        self.stdout.write(f"{len(made)} demo programs created, {max(len(made) - 1, 0)} issued.")

    @staticmethod
    @transaction.atomic
    def program_for(athlete, table, clinic) -> Program | None:
        """A draft from the latest assessment's suggestions, or None when it suggests nothing."""
        assessment = Assessment.objects.with_readings().filter(athlete=athlete).latest("assessed_on", "pk")
        physio = assessment.clinician
        suggested = suggestions.for_report(assessment.report(table), physio)
        if not suggested.items:
            return None
        program = suggestions.start_from_assessment(assessment, by=physio, chosen=suggested.items, details={
            "title": "Hip rotation: first block", "clinician": physio,
            "starts_on": timezone.localdate(), "review_on": timezone.localdate() + REVIEW_AFTER,
        })
        audit.record("create", actor=physio, target=program, clinic=clinic, fields=["items"])
        return program
