"""Twenty plausible athletes for the demo clinic of ``manage.py load_demo``."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from athletes.models import Athlete
from runphys.management.commands.load_demo import DEMO_CLINIC, DEMO_PHYSIOS
from runphys.models import AuditEvent, Clinic, User

# Codes derive from a fixed namespace so that running the command again finds the same athletes.
DEMO_NAMESPACE = uuid.UUID("6f1f4a52-3b8e-4c1e-9a57-1d2f0c7e9b31")

# first, last, born, sex, sport, km/week, long run km, days/week, years, goal (name, weeks ahead),
# stance leg, complaint side, complaint began (weeks ago), complaint, history, email consent
DEMO_ATHLETES = [
    ("Amara", "Okonkwo", date(1991, 3, 14), "female", "runner", 55, 24, 5, 9, ("Riverside Half Marathon", 10),
     "right", "right", 6, "Deep ache at the front of the right hip late in long runs.", "Left ankle sprain 2019.",
     True),
    ("Ben", "Hartley", date(1984, 11, 2), "male", "runner", 70, 32, 6, 15, ("Valley Marathon", 16),
     "left", "left", 10, "Tightness in the left groin on faster sessions.", "Hamstring strain 2021.", True),
    ("Chloe", "Vance", date(1998, 7, 23), "female", "triathlete", 35, 16, 4, 4, ("Lakeside Olympic Triathlon", 8),
     "right", "both", 3, "Both hips feel stiff when pushing off on the run leg.", "", True),
    ("Dev", "Raman", date(1979, 1, 30), "male", "runner", 40, 18, 4, 20, None,
     "right", "right", 20, "Pain at the outside of the right hip when running downhill.",
     "Right knee arthroscopy 2012.", False),
    ("Elif", "Kaya", date(2002, 5, 9), "female", "runner", 65, 22, 6, 7, ("County Cross-Country Championships", 6),
     "left", "left", 4, "Pinching at the front of the left hip when the leg swings behind.", "", True),
    ("Finn", "O'Sullivan", date(1995, 9, 17), "male", "triathlete", 30, 14, 3, 3, ("Coastal Sprint Triathlon", 12),
     "right", "", None, "", "Shoulder impingement 2022 (swimming).", True),
    ("Grace", "Mensah", date(1988, 12, 1), "female", "runner", 48, 20, 5, 11, ("Riverside 10K", 5),
     "right", "right", 8, "Buttock ache on the right after tempo runs.", "Plantar heel pain 2020.", False),
    ("Hugo", "Lindqvist", date(1972, 4, 12), "male", "runner", 60, 28, 5, 28, ("Valley Marathon", 16),
     "left", "both", 26, "Morning stiffness in both hips, easing after ten minutes of running.",
     "Lower back pain on and off since 2015.", True),
    ("Isla", "McKenzie", date(2008, 2, 20), "female", "runner", 32, 12, 5, 4, ("Schools Cross-Country Final", 9),
     "right", "right", 2, "Sharp pain at the right hip crest after sprint sessions.", "", False),
    ("Jonah", "Adeyemi", date(1990, 8, 5), "male", "other", 20, 10, 3, 2, None,
     "right", "left", 12, "Left hip catches when turning on the football pitch.", "Groin strain 2023.", True),
    ("Kasia", "Nowak", date(1986, 6, 28), "female", "runner", 80, 35, 6, 18, ("Mountain Ultra 50K", 20),
     "left", "left", 14, "Outer left hip pain building over long trail runs.", "Iliotibial band pain 2018.", True),
    ("Liam", "Brennan", date(1993, 10, 11), "male", "runner", 45, 19, 4, 6, ("Riverside Half Marathon", 10),
     "right", "", None, "", "", True),
    ("Mei", "Chen", date(1981, 3, 3), "female", "triathlete", 38, 18, 4, 12, ("Ironman 70.3 Harbour", 22),
     "right", "right", 5, "Front of the right hip feels blocked in late stance.", "Stress reaction, left tibia 2017.",
     False),
    ("Nathan", "Price", date(1967, 12, 19), "male", "runner", 35, 16, 4, 35, None,
     "left", "both", 52, "Both hips feel short of movement; stride has shortened this year.",
     "Right calf tears 2014 and 2019.", True),
    ("Olivia", "Grant", date(2000, 1, 25), "female", "runner", 58, 21, 6, 8, ("Track 5000 m club championship", 7),
     "right", "left", 3, "Ache in the left groin on bends of the track.", "", True),
    ("Priya", "Sharma", date(1989, 7, 7), "female", "runner", 28, 13, 3, 2, ("First half marathon", 18),
     "right", "right", 7, "Right hip soreness since the weekly mileage went up.", "", True),
    ("Quentin", "Moreau", date(1976, 9, 30), "male", "triathlete", 42, 20, 5, 16, ("Lakeside Olympic Triathlon", 8),
     "left", "left", 9, "Left hip flexor tightness after cycling into a run.", "Collarbone fracture 2016 (bike crash).",
     False),
    ("Rosa", "Delgado", date(1997, 4, 16), "female", "runner", 62, 26, 6, 10, ("Valley Marathon", 16),
     "right", "right", 11, "Lateral right hip pain when lying on that side at night.", "", True),
    ("Sam", "Whitaker", date(2005, 11, 8), "other", "runner", 40, 15, 5, 5, ("Regional 10K", 4),
     "left", "", None, "", "Osgood-Schlatter as a teenager.", True),
    ("Tariq", "Hussain", date(1983, 2, 14), "male", "runner", 52, 23, 5, 13, ("Riverside Half Marathon", 10),
     "right", "right", 16, "Deep right hip pain in the last kilometres of long runs.", "Achilles tendon pain 2020.",
     True),
]


def demo_code(first: str, last: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{first} {last}")


class Command(BaseCommand):
    help = "Add about twenty realistic athletes to the demo clinic of 'load_demo' (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        clinic = Clinic.objects.filter(name=DEMO_CLINIC).first()
        if clinic is None:
            raise CommandError("The demo clinic does not exist yet: run 'manage.py load_demo' first.")
        physios = list(User.objects.filter(email__in=[email for email, _, _ in DEMO_PHYSIOS]).order_by("email"))
        existing = set(Athlete.objects.for_clinic(clinic).values_list("code", flat=True))
        # An erased demo athlete stays erased: the audit log remembers whom erasure deleted.
        erased = set(AuditEvent.objects.filter(clinic=clinic, action="erase", target_type="athlete")
                     .values_list("target_id", flat=True))
        today = timezone.localdate()
        created = 0
        for index, row in enumerate(DEMO_ATHLETES):
            (first, last, born, sex, sport, weekly, long_run, days, years, goal, leg, side, weeks_ago, complaint,
             history, consent) = row
            code = demo_code(first, last)
            if code in existing or str(code) in erased:
                continue
            clinician = physios[index % len(physios)] if physios else None
            athlete = Athlete(
                code=code, clinic=clinic, primary_clinician=clinician, first_name=first, last_name=last,
                date_of_birth=born, sex=sex, sport=sport,
                email=f"{first}.{last}@demo.runphys.example".lower().replace("'", ""),
                phone=f"+44 7700 900{index:03d}",
                weekly_volume_km=Decimal(weekly), long_run_km=Decimal(long_run),
                training_days_per_week=days, years_running=years,
                goal_event=goal[0] if goal else "",
                goal_event_on=today + timedelta(weeks=goal[1]) if goal else None,
                dominant_leg=leg, complaint_side=side,
                complaint_onset_on=today - timedelta(weeks=weeks_ago) if weeks_ago else None,
                complaint=complaint, injury_history=history,
                privacy_info_given_on=today - timedelta(days=index + 1),
            )
            athlete.record_email_consent(consent, by=clinician)
            athlete.save()
            created += 1
        self.stdout.write(f"{created} demo athletes created; {len(DEMO_ATHLETES) - created} already there.")
