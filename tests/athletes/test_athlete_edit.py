"""Editing an athlete: changes saved and audited by field name; errors save nothing."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from athletes.models import Athlete
from runphys.models import AuditEvent
from tests.factories import make_user
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def url(athlete) -> str:
    return reverse("athlete_edit", args=[athlete.code])


def form_data(client, athlete, **changes) -> dict:
    """The form as the browser would send it back, with some fields changed."""
    form = client.get(url(athlete)).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else (value.isoformat() if isinstance(value, date) else str(value))
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_clinic_members_edit_and_the_update_is_audited_by_field_name(request, user, athlete):
    client, actor = request.getfixturevalue(f"{user}_client"), request.getfixturevalue(user)
    response = client.post(url(athlete), form_data(client, athlete, notes="Moved to evening slots", phone=""))
    assert response.status_code == 302 and response["Location"] == athlete.get_absolute_url()
    athlete.refresh_from_db()
    assert athlete.notes == "Moved to evening slots" and athlete.phone == ""
    event = AuditEvent.objects.get(action="update")
    assert event.actor == actor and event.fields == ["notes", "phone"]
    assert "evening" not in str(event.fields)


def test_opening_the_edit_form_is_a_view_of_the_record(alice_client, alice, athlete):
    assert alice_client.get(url(athlete)).status_code == 200
    assert AuditEvent.objects.filter(action="view", actor=alice, target_id=str(athlete.code)).count() == 1


def test_another_clinic_gets_404_and_changes_nothing(charlie_client, alice_client, athlete):
    data = form_data(alice_client, athlete, notes="hijacked")
    assert charlie_client.get(url(athlete)).status_code == 404
    assert charlie_client.post(url(athlete), data).status_code == 404
    athlete.refresh_from_db()
    assert athlete.notes == "Prefers early appointments"


def test_anonymous_is_sent_to_login(client, athlete):
    response = client.post(url(athlete), {"notes": "x"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_wrong_method(alice_client, athlete):
    assert alice_client.delete(url(athlete)).status_code == 405


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"last_name": ""}, "last_name"), ({"email": "nope"}, "email"), ({"weekly_volume": "401"}, "weekly_volume"),
     ({"date_of_birth": "2030-01-01"}, "date_of_birth")],
)
def test_invalid_input_re_renders_with_errors_and_saves_nothing(alice_client, athlete, changes, field):
    data = form_data(alice_client, athlete, **changes)
    updated_at = athlete.updated_at
    response = alice_client.post(url(athlete), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    athlete.refresh_from_db()
    assert athlete.updated_at == updated_at and athlete.last_name == "Ilves"
    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_goal_date_that_has_passed_since_does_not_block_other_edits(alice_client, athlete):
    athlete.goal_event_on = timezone.localdate() + timedelta(days=1)
    athlete.save()
    Athlete.objects.filter(pk=athlete.pk)  # the date passes...
    athlete = Athlete.objects.get(pk=athlete.pk)
    data = form_data(alice_client, athlete, notes="Still coming in")
    data["goal_event_on"] = (timezone.localdate() - timedelta(days=3)).isoformat()
    # ...a newly typed past date is refused,
    assert "goal_event_on" in alice_client.post(url(athlete), data).context["form"].errors


def test_an_unchanged_past_goal_date_is_kept(alice_client, athlete, monkeypatch):
    athlete.goal_event_on = timezone.localdate() + timedelta(days=1)
    athlete.save()
    data = form_data(alice_client, athlete, notes="Two days later")
    later = timezone.localdate() + timedelta(days=2)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    assert alice_client.post(url(athlete), data).status_code == 302
    athlete.refresh_from_db()
    assert athlete.notes == "Two days later"


def test_changing_email_consent_records_who_and_when(alice_client, bob_client, bob, athlete):
    response = bob_client.post(url(athlete), form_data(bob_client, athlete, consent_email="on"))
    assert response.status_code == 302
    athlete.refresh_from_db()
    assert athlete.consent_email and athlete.consent_email_by == bob
    assert AuditEvent.objects.get(action="update").fields == ["consent_email", "consent_email_at",
                                                              "consent_email_by"]


def test_submitting_without_changes_saves_and_logs_nothing(alice_client, athlete):
    response = alice_client.post(url(athlete), form_data(alice_client, athlete), follow=True)
    assert "Nothing changed" in response.text
    assert not AuditEvent.objects.filter(action="update").exists()


def test_an_anonymised_record_cannot_be_edited(alice_client, athlete):
    athlete.anonymise()
    response = alice_client.get(url(athlete))
    assert response.status_code == 302 and response["Location"] == athlete.get_absolute_url()
    alice_client.post(url(athlete), {"first_name": "Back", "last_name": "Again"})
    athlete.refresh_from_db()
    assert athlete.first_name == "Anonymised"


# --- Who treats the athlete: only a clinic admin or the treating clinician changes it (#17 item 8) ---

@pytest.fixture
def dora(clinic_a):
    """A clinician of clinic A who does not treat the athlete (bob does)."""
    return make_user("dora@clinic-a.example", "Dora Diaz", clinic_a)


def test_a_clinician_refused_an_export_cannot_name_themselves_treating_and_then_export(dora, athlete, bob):
    client = logged_in(dora)
    assert client.post(reverse("athlete_export", args=[athlete.code])).status_code == 403
    response = client.post(url(athlete), form_data(client, athlete, primary_clinician=str(dora.pk)))
    assert response.status_code == 200
    assert response.context["form"].errors["primary_clinician"] == [
        "Only a clinic admin or the treating clinician can change who treats this athlete."]
    assert "Only a clinic admin or the treating clinician" in response.text
    athlete.refresh_from_db()
    assert athlete.primary_clinician == bob
    assert not AuditEvent.objects.filter(action="update").exists()
    refused = AuditEvent.objects.get(action="update_refused")
    assert (refused.actor, refused.target_id, refused.fields) == (dora, str(athlete.code), ["primary_clinician"])
    assert client.post(reverse("athlete_export", args=[athlete.code])).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_others_see_the_treating_clinician_disabled_and_still_edit_the_rest(dora, athlete, bob):
    client = logged_in(dora)
    form = client.get(url(athlete)).context["form"]
    assert form.fields["primary_clinician"].disabled
    assert 'name="primary_clinician"' in client.get(url(athlete)).text  # shown, but disabled
    # A browser sends no value for a disabled field: the other changes are saved, the clinician kept.
    data = form_data(client, athlete, notes="Seen by Dora while Bob is away")
    del data["primary_clinician"]
    assert client.post(url(athlete), data).status_code == 302
    athlete.refresh_from_db()
    assert athlete.notes == "Seen by Dora while Bob is away" and athlete.primary_clinician == bob


def test_nobody_but_an_admin_claims_an_athlete_without_a_treating_clinician(dora, alice_client, athlete):
    athlete.primary_clinician = None
    athlete.save()
    client = logged_in(dora)
    assert client.get(url(athlete)).context["form"].fields["primary_clinician"].disabled
    assert client.post(url(athlete), form_data(client, athlete, primary_clinician=str(dora.pk))).status_code == 200
    athlete.refresh_from_db()
    assert athlete.primary_clinician is None
    assert alice_client.post(url(athlete), form_data(alice_client, athlete, primary_clinician=str(dora.pk))
                             ).status_code == 302
    athlete.refresh_from_db()
    assert athlete.primary_clinician == dora


def test_the_treating_clinician_hands_over_and_cannot_take_the_athlete_back(bob_client, bob, dora, athlete):
    assert not bob_client.get(url(athlete)).context["form"].fields["primary_clinician"].disabled
    assert bob_client.post(url(athlete), form_data(bob_client, athlete, primary_clinician=str(dora.pk))
                           ).status_code == 302
    athlete.refresh_from_db()
    assert athlete.primary_clinician == dora
    assert AuditEvent.objects.get(action="update").fields == ["primary_clinician"]
    assert bob_client.post(url(athlete), form_data(bob_client, athlete, primary_clinician=str(bob.pk))
                           ).status_code == 200
    athlete.refresh_from_db()
    assert athlete.primary_clinician == dora


def test_a_clinic_admin_reassigns_any_athlete(alice_client, dora, athlete):
    assert alice_client.post(url(athlete), form_data(alice_client, athlete, primary_clinician=str(dora.pk))
                             ).status_code == 302
    athlete.refresh_from_db()
    assert athlete.primary_clinician == dora


def test_a_new_athlete_still_takes_any_member_as_treating_clinician(dora, bob):
    client = logged_in(dora)
    form = client.get(reverse("athlete_create")).context["form"]
    assert not form.fields["primary_clinician"].disabled
    assert form.fields["primary_clinician"].initial == dora.pk
