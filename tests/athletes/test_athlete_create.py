"""Adding an athlete: validation beside each field, nothing saved on error, the create audited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from athletes.models import Athlete
from runphys.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = reverse("athlete_create")


def valid_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "first_name": "Nadia", "last_name": "Osei", "date_of_birth": "1994-02-11", "sex": "female",
        "email": "nadia@example.com", "phone": "+44 7700 900111", "sport": "runner", "weekly_volume": "45",
        "long_run": "18", "training_days_per_week": "5", "years_running": "6", "goal_event": "Riverside Half",
        "goal_event_on": (today + timedelta(days=70)).isoformat(), "dominant_leg": "right",
        "complaint_side": "right", "complaint_onset_on": (today - timedelta(days=30)).isoformat(),
        "complaint": "Front of right hip aches after long runs", "injury_history": "", "notes": "",
        "consent_email": "on", "privacy_info_given_on": today.isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_clinic_members_add_an_athlete_to_their_clinic(request, user, clinic_a):
    client, actor = request.getfixturevalue(f"{user}_client"), request.getfixturevalue(user)
    assert client.get(URL).status_code == 200
    response = client.post(URL, valid_data(primary_clinician=str(actor.pk)))
    athlete = Athlete.objects.get()
    assert response.status_code == 302 and response["Location"] == athlete.get_absolute_url()
    assert athlete.clinic == clinic_a and athlete.primary_clinician == actor
    assert athlete.weekly_volume_km == Decimal("45.00") and athlete.long_run_km == Decimal("18.00")
    assert athlete.consent_email and athlete.consent_email_by == actor and athlete.consent_email_at
    event = AuditEvent.objects.get(action="create")
    assert event.actor == actor and event.clinic == clinic_a and event.target_id == str(athlete.code)
    assert "first_name" in event.fields and "Nadia" not in str(event.fields)
    assert event.ip_address == "127.0.0.1"


def test_the_form_suggests_the_user_as_treating_clinician(bob_client, bob):
    response = bob_client.get(URL)
    assert response.context["form"]["primary_clinician"].value() == bob.pk


def test_clinic_in_miles_enters_volume_in_miles_and_stores_km(alice_client, clinic_a):
    clinic_a.distance_unit = "mi"
    clinic_a.save()
    page = alice_client.get(URL)
    assert "Weekly running volume (mi)" in page.text
    alice_client.post(URL, valid_data(weekly_volume="30", long_run="13.1"))
    athlete = Athlete.objects.get()
    assert athlete.weekly_volume_km == Decimal("48.28") and athlete.long_run_km == Decimal("21.08")


def test_anonymous_is_sent_to_login(client):
    response = client.post(URL, valid_data())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Athlete.objects.exists()


def test_wrong_method(alice_client):
    assert alice_client.put(URL).status_code == 405


def test_a_user_without_a_clinic_cannot_add(client, db):
    from tests.factories import make_user

    client.force_login(make_user("loner@example.com", "Lone Ranger", None))
    assert client.get(URL).status_code == 403


def test_a_clinician_of_another_clinic_cannot_be_chosen(alice_client, charlie):
    response = alice_client.post(URL, valid_data(primary_clinician=str(charlie.pk)))
    assert response.status_code == 200 and "primary_clinician" in response.context["form"].errors
    assert not Athlete.objects.exists()


def years_ago(years: int, days: int = 0) -> str:
    today = timezone.localdate()
    return (today.replace(year=today.year - years) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"date_of_birth": (timezone.localdate() + timedelta(days=1)).isoformat()}, "date_of_birth",
         "must be in the past"),
        ({"date_of_birth": years_ago(10, days=1)}, "date_of_birth", "aged 10 to 100"),
        ({"date_of_birth": years_ago(101)}, "date_of_birth", "aged 10 to 100"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"phone": "call me maybe"}, "phone", "Enter a phone number"),
        ({"weekly_volume": "400.5"}, "weekly_volume", "between 0 and 400"),
        ({"weekly_volume": "-1"}, "weekly_volume", "greater than or equal to 0"),
        ({"long_run": "300"}, "long_run", "between 0 and 250"),
        ({"training_days_per_week": "8"}, "training_days_per_week", "less than or equal to 7"),
        ({"years_running": "40"}, "years_running", "More years of running than years of age"),
        ({"goal_event_on": (timezone.localdate() - timedelta(days=1)).isoformat()}, "goal_event_on",
         "cannot be in the past"),
        ({"goal_event": ""}, "goal_event", "Name the event"),
        ({"complaint_onset_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "complaint_onset_on",
         "cannot begin in the future"),
        ({"complaint_onset_on": "1990-01-01"}, "complaint_onset_on", "before the date of birth"),
        ({"privacy_info_given_on": "9999-12-31"}, "privacy_info_given_on", "in the future"),
        ({"sex": "unknown"}, "sex", "Select a valid choice"),
    ],
    ids=lambda value: value if isinstance(value, str) and value.isidentifier() else None,
)
def test_invalid_input_re_renders_with_the_message_beside_the_field_and_saves_nothing(
    alice_client, overrides, field, message
):
    response = alice_client.post(URL, valid_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert "Nothing was saved" in response.text
    assert not Athlete.objects.exists()
    assert not AuditEvent.objects.filter(target_type="athlete").exists()


def test_a_volume_limit_in_miles_is_stated_in_miles(alice_client, clinic_a):
    clinic_a.distance_unit = "mi"
    clinic_a.save()
    response = alice_client.post(URL, valid_data(weekly_volume="250"))
    assert "between 0 and 248.5 mi" in response.context["form"].errors["weekly_volume"][0]
    assert not Athlete.objects.exists()


def test_only_name_and_date_of_birth_are_required(alice_client):
    response = alice_client.post(URL, {"first_name": "Min", "last_name": "Imal", "date_of_birth": "2000-01-01",
                                       "sex": "not_recorded", "sport": "runner"})
    assert response.status_code == 302
    athlete = Athlete.objects.get()
    assert athlete.weekly_volume_km is None and not athlete.consent_email and athlete.consent_email_at
