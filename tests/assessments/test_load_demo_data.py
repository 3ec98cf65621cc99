"""make demo in one process: migrate and every demo loader, idempotent, and erasure is respected."""

import io

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from assessments.programs.models import Program
from athletes import erasure
from athletes.models import Athlete
from runphys.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def load() -> str:
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_the_whole_demo_loads_once_and_says_how_to_log_in():
    out = load()
    assert "Demo ready. Log in as maya.okafor@demo.runphys.example / riverside-demo-2026" in out
    counts = (Athlete.objects.count(), Assessment.objects.count(), Program.objects.count())
    assert counts[0] == 20 and counts[1] > 0 and counts[2] == 3
    load()
    assert (Athlete.objects.count(), Assessment.objects.count(), Program.objects.count()) == counts


def test_an_erased_demo_athlete_stays_erased():
    load()
    admin = User.objects.get(email="maya.okafor@demo.runphys.example")
    unassessed = Athlete.objects.filter(assessments__isnull=True).first()
    assessed = Athlete.objects.filter(assessments__isnull=False).distinct().first()
    names = {(a.first_name, a.last_name) for a in (unassessed, assessed)}
    assert erasure.erase(unassessed, actor=admin) == erasure.Outcome.DELETED
    assert erasure.erase(assessed, actor=admin) == erasure.Outcome.ANONYMISED
    load()
    assert Athlete.objects.count() == 19  # the deleted one is not made again
    assert not any(Athlete.objects.filter(first_name=first, last_name=last).exists() for first, last in names)
