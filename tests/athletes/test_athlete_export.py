"""Downloading one athlete's record: who may, what the file holds, and the audit entry."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from athletes import export
from runphys.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def url(athlete) -> str:
    return reverse("athlete_export", args=[athlete.code])


def exported(content: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(content)).read("athlete.json"))


@pytest.fixture(autouse=True)
def _empty_registries(monkeypatch):
    monkeypatch.setattr(export, "_sections", {})
    monkeypatch.setattr(export, "_files", {})


@pytest.mark.parametrize("user", ["alice", "bob"])  # alice: clinic admin; bob: treating clinician
def test_admin_and_treating_clinician_download_the_json_and_it_is_audited(request, user, athlete):
    client, actor = request.getfixturevalue(f"{user}_client"), request.getfixturevalue(user)
    response = client.post(url(athlete))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="athlete-{athlete.code}.zip"'
    assert "Hannah" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.target_id, event.clinic) == (actor, str(athlete.code), athlete.clinic)


def test_the_json_holds_the_whole_profile(alice_client, alice, athlete):
    athlete.record_email_consent(True, by=alice)
    athlete.save()
    document = exported(alice_client.post(url(athlete)).content)
    assert document["format"] == "runphys-athlete-export" and document["version"] == 1
    assert document["clinic"]["name"] == "Clinic A Physio"
    data = document["athlete"]
    assert data["code"] == str(athlete.code)
    assert (data["first_name"], data["last_name"], data["date_of_birth"]) == ("Hannah", "Ilves", "1992-06-15")
    assert data["email"] == "hannah.ilves@example.com" and data["phone"] == "+44 7700 900123"
    assert data["complaint"] == "Right anterior hip pain on long runs"
    assert data["injury_history"] == "Stress fracture 2019" and data["notes"] == "Prefers early appointments"
    assert data["weekly_volume_km"] == "50.00" and data["sex"] == "female"
    assert data["primary_clinician"] == "Bob Baker" and data["consent_email_by"] == "Alice Archer"
    assert data["consent_email"] is True and data["age"] == athlete.age
    assert "id" not in data


def test_registered_sections_join_the_json(alice_client, athlete):
    export.register_section("assessments", lambda a: [{"athlete": str(a.code), "ir_left": 31.5}])
    document = exported(alice_client.post(url(athlete)).content)
    assert document["assessments"] == [{"athlete": str(athlete.code), "ir_left": 31.5}]


def test_registered_files_turn_the_export_into_a_zip(alice_client, athlete):
    export.register_file("handouts", lambda a: [("program-1.pdf", b"%PDF-1.7 first"), ("../../evil.pdf", b"x")])
    response = alice_client.post(url(athlete))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="athlete-{athlete.code}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["athlete.json", "handouts/evil.pdf", "handouts/program-1.pdf", "summary.html"]
    assert archive.read("handouts/program-1.pdf") == b"%PDF-1.7 first"
    document = json.loads(archive.read("athlete.json"))
    assert document["files"] == ["handouts/program-1.pdf", "handouts/evil.pdf"]


def test_a_clinician_who_is_not_treating_gets_403_and_nothing_is_logged(clinic_a, athlete):
    from tests.helpers import logged_in

    dora = make_user("dora@clinic-a.example", "Dora Diaz", clinic_a)
    assert logged_in(dora).post(url(athlete)).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_another_clinic_gets_404(charlie_client, athlete):
    assert charlie_client.post(url(athlete)).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_anonymous_is_sent_to_login(client, athlete):
    response = client.post(url(athlete))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_get_is_not_allowed(alice_client, athlete):
    assert alice_client.get(url(athlete)).status_code == 405
    assert not AuditEvent.objects.filter(action="export").exists()
