"""Synthetic clinics full of synthetic athletes, for benchmarks and load tests. Never for production."""

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from athletes.models import Athlete
from runphys.models import Clinic, Membership, User

FIRST_NAMES = [
    "Aisha", "Alex", "Ana", "Ben", "Carla", "Chen", "Dan", "Eva", "Femi", "Grace", "Hana", "Ian", "Ines", "Jack",
    "Jade", "Kai", "Lena", "Luca", "Maria", "Mo", "Nia", "Olga", "Omar", "Pia", "Raj", "Rosa", "Sean", "Sofia",
    "Tom", "Uma", "Vik", "Yara", "Zoe",
]
LAST_NAMES = [
    "Adams", "Bauer", "Costa", "Dlamini", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Khan", "Lopez",
    "Murphy", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Taylor", "Ueda", "Varga", "Walsh", "Xu",
    "Young", "Zielinski",
]
GOALS = ["City Marathon", "Spring Half Marathon", "Park 10K", "Trail 30K", "Olympic Triathlon", "Club 5000 m"]
BATCH = 2000


def synthetic_clinic_name(number: int) -> str:
    return f"Synthetic clinic {number:02d}"


def synthetic_athlete(rng: random.Random, clinic: Clinic, clinician: User) -> Athlete:
    today = timezone.localdate()
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    age_days = rng.randint(16 * 365, 70 * 365)
    sport = rng.choices(["runner", "triathlete", "other"], weights=[8, 2, 1])[0]
    weekly = Decimal(rng.randint(10, 120))
    has_goal = rng.random() < 0.5
    return Athlete(
        clinic=clinic, primary_clinician=clinician, first_name=first, last_name=last,
        date_of_birth=today - timedelta(days=age_days),
        sex=rng.choices(["female", "male", "other", "not_recorded"], weights=[48, 48, 2, 2])[0],
        email=f"{first}.{last}.{rng.randint(1, 10**6)}@synthetic.runphys.example".lower(),
        sport=sport, weekly_volume_km=weekly, long_run_km=min(weekly / 2 + 5, Decimal(60)),
        training_days_per_week=rng.randint(2, 7), years_running=rng.randint(0, age_days // 365 - 15),
        goal_event=rng.choice(GOALS) if has_goal else "",
        goal_event_on=today + timedelta(days=rng.randint(14, 300)) if has_goal else None,
        dominant_leg=rng.choice(["left", "right"]),
        consent_email=False,
        archived_at=timezone.now() if rng.random() < 0.05 else None,
    )


class Command(BaseCommand):
    help = (
        "Create synthetic clinics (one clinician each) and top them up to a number of synthetic athletes, "
        "for benchmarks. Running it again adds only what is missing. Refused under DJANGO_ENV=production."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--clinics", type=int, default=20, help="How many clinics (default %(default)s).")
        parser.add_argument("--per-clinic", type=int, default=100, help="Athletes per clinic (default %(default)s).")
        parser.add_argument("--first-clinic", type=int, default=None,
                            help="Athletes in clinic 01 instead of --per-clinic, to make one big clinic.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default %(default)s).")

    def handle(self, *args, clinics: int, per_clinic: int, first_clinic: int | None, seed: int, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("Synthetic athletes are never generated in production.")
        if clinics < 1 or per_clinic < 0 or (first_clinic is not None and first_clinic < 0):
            raise CommandError("--clinics must be at least 1, and the athlete counts 0 or more.")
        rng = random.Random(seed)
        created = 0
        for number in range(1, clinics + 1):
            target = first_clinic if number == 1 and first_clinic is not None else per_clinic
            with transaction.atomic():
                clinic, clinician = self.synthetic_clinic(number)
                missing = target - Athlete.objects.for_clinic(clinic).count()
                for start in range(0, max(missing, 0), BATCH):
                    batch = [synthetic_athlete(rng, clinic, clinician) for _ in range(min(BATCH, missing - start))]
                    Athlete.objects.bulk_create(batch)
                    created += len(batch)
        total = Athlete.objects.filter(clinic__name__startswith="Synthetic clinic ").count()
        self.stdout.write(f"Created {created} synthetic athletes in {clinics} clinics ({total} synthetic in all).")

    def synthetic_clinic(self, number: int) -> tuple[Clinic, User]:
        clinic, _ = Clinic.objects.get_or_create(name=synthetic_clinic_name(number))
        email = f"clinician{number:02d}@synthetic.runphys.example"
        clinician = User.objects.filter(email=email).first()
        if clinician is None:
            clinician = User.objects.create_user(email, None, full_name=f"Synthetic Clinician {number:02d}")
        Membership.objects.get_or_create(user=clinician, clinic=clinic, defaults={"role": Membership.Role.ADMIN})
        return clinic, clinician
