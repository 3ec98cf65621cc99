"""athletes.erasure: the clinical-record checks, the retention date and the fallback to anonymising."""

from datetime import date

import pytest
from django.db.models import ProtectedError

from athletes import erasure
from athletes.models import Athlete
from runphys.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_registered_checks(monkeypatch):
    monkeypatch.setattr(erasure, "_checks", [])


def test_without_checks_no_clinical_record_exists_and_the_athlete_is_deleted(athlete):
    assert not erasure.has_clinical_records(athlete)
    assert erasure.erase(athlete) is erasure.Outcome.DELETED
    assert not Athlete.objects.exists()


def test_a_registered_check_decides(athlete, clinic_a):
    from tests.factories import make_athlete

    other = make_athlete(clinic_a, first_name="Other")
    erasure.register_clinical_records(lambda a: a.pk == athlete.pk)
    erasure.register_clinical_records(lambda a: False)
    assert erasure.planned_outcome(athlete) is erasure.Outcome.ANONYMISED
    assert erasure.planned_outcome(other) is erasure.Outcome.DELETED
    assert erasure.erase(athlete) is erasure.Outcome.ANONYMISED
    assert Athlete.objects.get(pk=athlete.pk).is_anonymised


def test_a_protected_relation_no_check_knew_about_makes_it_anonymise(athlete, monkeypatch):
    def refuse(self, **kwargs):
        raise ProtectedError("protected", set())

    monkeypatch.setattr(Athlete, "delete", refuse)
    assert erasure.erase(athlete) is erasure.Outcome.ANONYMISED
    assert Athlete.objects.get(pk=athlete.pk).is_anonymised
    assert not AuditEvent.objects.filter(action="erase").exists()


@pytest.mark.parametrize(
    ("last", "until"),
    [(None, None), (date(2020, 5, 17), date(2028, 5, 17)), (date(2024, 2, 29), date(2032, 2, 29)),
     (date(2092, 2, 29), date(2100, 2, 28))],
)
def test_retention_ends_8_years_after_the_last_assessment(athlete, last, until):
    athlete.last_assessed_on = last
    assert erasure.retention_ends_on(athlete) == until
