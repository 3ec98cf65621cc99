"""load_demo_athletes: twenty realistic athletes in the demo clinic, once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from athletes.models import Athlete
from runphys.models import AuditEvent, Clinic

pytestmark = pytest.mark.django_db


def test_adds_about_twenty_valid_athletes_to_the_demo_clinic_once():
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_demo_athletes", stdout=out)
    assert "20 demo athletes created; 0 already there." in out.getvalue()
    demo = Clinic.objects.get()
    athletes = Athlete.objects.for_clinic(demo)
    assert athletes.count() == 20
    for athlete in athletes:
        athlete.full_clean()
        assert 10 <= athlete.age <= 100
        assert athlete.primary_clinician.clinic == demo
        assert athlete.email.endswith("@demo.runphys.example")
    assert {a.sport for a in athletes} == {"runner", "triathlete", "other"}
    assert athletes.filter(consent_email=True).exists() and athletes.filter(consent_email=False).exists()
    assert AuditEvent.objects.filter(action="create", target_type="athlete").count() == 20

    again = StringIO()
    call_command("load_demo_athletes", stdout=again)
    assert "0 demo athletes created; 20 already there." in again.getvalue()
    assert Athlete.objects.count() == 20


def test_needs_the_demo_clinic_first():
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_athletes", stdout=StringIO())
