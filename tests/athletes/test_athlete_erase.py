"""Erasure by a clinic admin: password again, the retention rule shown, then delete or anonymise."""

import json
from datetime import date

import pytest
from django.urls import reverse

from athletes import erasure, export
from athletes.models import Athlete
from runphys.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

IDENTIFYING = ["first_name", "last_name", "email", "phone", "complaint", "injury_history", "notes", "goal_event"]


def url(athlete) -> str:
    return reverse("athlete_erase", args=[athlete.code])


@pytest.fixture(autouse=True)
def _no_registered_checks(monkeypatch):
    monkeypatch.setattr(erasure, "_checks", [])


@pytest.fixture
def with_clinical_record():
    erasure.register_clinical_records(lambda athlete: True)


def confirm(password: str = PASSWORD) -> dict:
    return {"reviewed": "on", "password": password}


def test_the_page_shows_the_retention_rule_and_what_will_happen(alice_client, athlete):
    response = alice_client.get(url(athlete))
    assert response.status_code == 200
    assert "at least 8 years after their last treatment" in response.text
    assert "no clinical record, so their profile is <strong>deleted</strong>" in response.text
    assert AuditEvent.objects.filter(action="view", target_id=str(athlete.code)).exists()


def test_the_page_gives_the_retention_date_after_an_assessment(alice_client, athlete, with_clinical_record):
    athlete.set_assessment_summary(last_assessed_on=date(2024, 3, 1), open_findings_count=0)
    response = alice_client.get(url(athlete))
    assert "kept until at least <strong>1 Mar 2032</strong>" in response.text
    assert "<strong>anonymised</strong>" in response.text


def test_admin_erases_an_athlete_without_clinical_records_by_deleting(alice_client, alice, athlete):
    code = athlete.code
    response = alice_client.post(url(athlete), confirm())
    assert response.status_code == 302 and response["Location"] == reverse("athlete_list")
    assert not Athlete.objects.filter(code=code).exists()
    event = AuditEvent.objects.get(action="erase")
    assert (event.actor, event.target_id, event.clinic) == (alice, str(code), athlete.clinic)


def test_admin_erases_an_athlete_with_clinical_records_by_anonymising(
    alice_client, alice, athlete, with_clinical_record
):
    before = {name: getattr(athlete, name) for name in IDENTIFYING}
    response = alice_client.post(url(athlete), confirm())
    assert response.status_code == 302 and response["Location"] == athlete.get_absolute_url()
    athlete.refresh_from_db()
    assert athlete.is_anonymised and athlete.is_archived
    stored = json.dumps(export.athlete_data(athlete), default=str)
    for name, value in before.items():
        assert value not in stored, name
    assert "1992-06-15" not in stored and "Bob Baker" in stored  # birth year kept, clinician is not the subject
    assert athlete.weekly_volume_km == 50 and athlete.sex == "female"
    event = AuditEvent.objects.get(action="anonymise")
    assert event.actor == alice and set(IDENTIFYING) <= set(event.fields)
    page = alice_client.get(athlete.get_absolute_url())
    assert "Hannah" not in page.text and "anonymised" in page.text


def test_wrong_password_re_renders_and_erases_nothing(alice_client, athlete):
    response = alice_client.post(url(athlete), confirm("not-my-password"))
    assert response.status_code == 200
    assert "That is not your password." in response.text
    assert Athlete.objects.filter(pk=athlete.pk, first_name="Hannah").exists()
    assert not AuditEvent.objects.filter(action__in=["erase", "anonymise"]).exists()


def test_the_erasure_password_is_throttled_and_audited(alice_client, alice, athlete):
    for _ in range(10):
        assert "That is not your password." in alice_client.post(url(athlete), confirm("guess")).text
    failed = AuditEvent.objects.filter(action="erasure_confirmation_failed")
    assert failed.count() == 10 and {(e.actor, e.target_id) for e in failed} == {(alice, str(alice.pk))}
    assert AuditEvent.objects.filter(action="login_locked", target_id=str(alice.pk)).count() == 1
    refused = alice_client.post(url(athlete), confirm())
    assert refused.status_code == 200 and "Too many attempts" in refused.text
    assert Athlete.objects.filter(pk=athlete.pk, first_name="Hannah").exists()
    assert AuditEvent.objects.filter(action="erasure_confirmation_refused", actor=alice).count() == 1


def test_the_review_must_be_confirmed(alice_client, athlete):
    response = alice_client.post(url(athlete), {"password": PASSWORD})
    assert response.status_code == 200 and "reviewed" in response.context["form"].errors
    assert Athlete.objects.filter(pk=athlete.pk).exists()


def test_a_clinician_gets_403_even_when_treating(bob_client, athlete):
    assert bob_client.get(url(athlete)).status_code == 403
    assert bob_client.post(url(athlete), confirm()).status_code == 403
    assert Athlete.objects.filter(pk=athlete.pk).exists()


def test_another_clinics_admin_gets_404(charlie_client, athlete):
    assert charlie_client.get(url(athlete)).status_code == 404
    assert charlie_client.post(url(athlete), confirm()).status_code == 404
    assert Athlete.objects.filter(pk=athlete.pk).exists()


def test_anonymous_is_sent_to_login(client, athlete):
    response = client.post(url(athlete), confirm())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Athlete.objects.filter(pk=athlete.pk).exists()


def test_wrong_method(alice_client, athlete):
    assert alice_client.put(url(athlete)).status_code == 405
