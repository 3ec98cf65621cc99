"""generate_athletes: synthetic clinics topped up to a number of athletes, for benchmarks."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from athletes.models import Athlete
from runphys.models import AuditEvent, Clinic

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_athletes", *args, stdout=out)
    return out.getvalue()


def test_creates_clinics_with_a_clinician_and_tops_them_up_to_the_count():
    assert "Created 23 synthetic athletes in 3 clinics (23 synthetic in all)." in generate(
        "--clinics", "3", "--per-clinic", "4", "--first-clinic", "15")
    big = Clinic.objects.get(name="Synthetic clinic 01")
    assert Athlete.objects.for_clinic(big).count() == 15
    assert Athlete.objects.filter(clinic__name="Synthetic clinic 03").count() == 4
    clinician = big.memberships.get().user
    assert not clinician.has_usable_password()
    assert set(Athlete.objects.for_clinic(big).values_list("primary_clinician", flat=True)) == {clinician.pk}
    for athlete in Athlete.objects.all():
        athlete.full_clean()
    assert AuditEvent.objects.filter(action="create", target_type="athlete").count() == 23

    assert "Created 2 synthetic athletes in 3 clinics (25 synthetic in all)." in generate(
        "--clinics", "3", "--per-clinic", "5", "--first-clinic", "15")
    assert Clinic.objects.count() == 3


def test_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        generate("--clinics", "1")
    assert not Athlete.objects.exists()


def test_refuses_nonsense_counts():
    with pytest.raises(CommandError):
        generate("--clinics", "0")
