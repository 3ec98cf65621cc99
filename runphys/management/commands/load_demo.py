from django.core.management.base import BaseCommand
from django.db import transaction

from runphys.models import Clinic, Membership, User

DEMO_CLINIC = "Riverside Running Physio (demo)"
DEMO_PASSWORD = "riverside-demo-2026"  # noqa: S105  (printed for the demo; never a real clinic)
DEMO_PHYSIOS = [
    ("maya.okafor@demo.runphys.example", "Maya Okafor", Membership.Role.ADMIN),
    ("tom.reyes@demo.runphys.example", "Tom Reyes", Membership.Role.CLINICIAN),
]


class Command(BaseCommand):
    help = "Create the demo clinic with two demo physios (idempotent) and print the demo login."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        clinic, created = Clinic.objects.get_or_create(
            name=DEMO_CLINIC,
            defaults={
                "address": "12 Towpath Lane\nRiverside RS1 2AB",
                "phone": "+44 20 7946 0000",
                "email": "hello@demo.runphys.example",
                "handout_footer": "Questions about your exercises? Call us or reply to the email this came with.",
            },
        )
        made = 0
        for email, full_name, role in DEMO_PHYSIOS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
                made += 1
            Membership.objects.get_or_create(user=user, clinic=clinic, defaults={"role": role})
        self.stdout.write(f"Demo clinic {'created' if created else 'already there'}; {made} demo physios created.")
        self.stdout.write(f"Demo login: {DEMO_PHYSIOS[0][0]} / {DEMO_PASSWORD}  (clinic admin)")
        self.stdout.write(f"            {DEMO_PHYSIOS[1][0]} / {DEMO_PASSWORD}  (clinician)")
