"""A few months of hip-rotation assessments for the demo athletes of ``load_demo_athletes``."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, Reading, update_athlete_summary
from athletes.models import Athlete
from runphys import audit
from runphys.management.commands.load_demo import DEMO_CLINIC, DEMO_PHYSIOS
from runphys.models import Clinic, User

ASSESSED_ATHLETES = 10


def half(value: float) -> Decimal:
    return Decimal(round(value * 2)) / 2


class Command(BaseCommand):
    help = (f"Give the first {ASSESSED_ATHLETES} demo athletes (by name) two or three prone hip-rotation "
            "assessments over recent weeks (idempotent: assessed athletes are skipped).")

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        clinic = Clinic.objects.filter(name=DEMO_CLINIC).first()
        if clinic is None:
            raise CommandError("The demo clinic does not exist yet: run 'manage.py load_demo' first.")
        physios = list(User.objects.filter(email__in=[email for email, _, _ in DEMO_PHYSIOS]).order_by("email"))
        if not physios:
            raise CommandError("The demo physios do not exist yet: run 'manage.py load_demo' first.")
        athletes = list(Athlete.objects.for_clinic(clinic).active().by_name()[:ASSESSED_ATHLETES])
        today = timezone.localdate()
        created = 0
        for athlete in athletes:
            if athlete.assessments.exists():
                continue
            rng = random.Random(str(athlete.code))  # the same demo every time
            limited = athlete.complaint_side if athlete.complaint_side in ("left", "right") else "right"
            ir = {"left": rng.uniform(30, 42), "right": rng.uniform(30, 42)}
            ir[limited] -= rng.uniform(10, 16)
            er = {side: rng.uniform(34, 48) for side in ("left", "right")}
            visits = rng.choice((2, 3))
            for visit in range(visits):
                assessed_on = today - timedelta(weeks=4 * (visits - visit) - 3)
                clinician = physios[(visit + len(athlete.last_name)) % len(physios)]
                assessment = Assessment.objects.create(
                    athlete=athlete, clinician=clinician, created_by=clinician, assessed_on=assessed_on,
                    complaint=athlete.complaint[:300], pain_running=max(0, 5 - 2 * visit),
                    knee_valgus=visit == 0 and rng.random() < 0.4,
                    pelvis_early_rotation=visit == 0 and rng.random() < 0.4,
                )
                Reading.objects.bulk_create(
                    Reading(assessment=assessment, side=side, movement=movement, degrees=half(values[side]),
                            end_feel="firm")
                    for movement, values in (("ir", ir), ("er", er)) for side in ("left", "right")
                )
                audit.record("create", target=assessment, clinic=clinic, fields=["readings"])
                created += 1
                ir[limited] += rng.uniform(3, 8)  # the limited side gains range between visits
                er = {side: value + rng.uniform(-2, 2) for side, value in er.items()}
            update_athlete_summary(athlete)
        self.stdout.write(f"{created} demo assessments created.")
