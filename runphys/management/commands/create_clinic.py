from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from runphys.models import Clinic, Invitation, Membership, User


class Command(BaseCommand):
    help = (
        "Create a real clinic and invite its first clinic admin. Prints the one-time link on which the "
        "admin chooses their password (no password ever passes through the command line)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True, help="The clinic's name as printed on handouts.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="Where RunPhys is served, to build the link (default %(default)s).")

    def handle(self, *args, name: str, admin_email: str, admin_name: str, base_url: str, **options) -> None:
        if User.objects.filter(email__iexact=admin_email).exists():
            raise CommandError(f"{admin_email} already has an account.")
        with transaction.atomic():
            clinic = Clinic.objects.create(name=name)
            _, token = Invitation.issue(clinic=clinic, email=admin_email, role=Membership.Role.ADMIN,
                                        invited_by=None, full_name=admin_name)
        self.stdout.write(f"Created 1 clinic: {clinic.name}")
        self.stdout.write(f"The admin sets a password here: {base_url.rstrip('/')}{Invitation.accept_path(token)}")
