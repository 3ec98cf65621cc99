"""The clinic admin's audit log: own clinic only, filtered by record, user and date, paginated."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from runphys import audit
from runphys.models import AuditEvent, Membership

pytestmark = pytest.mark.django_db

URL = reverse("audit_log")


def record(action, actor, target_id="", at=None):
    event = audit.record(action, actor=actor, target_type="athlete", target_id=target_id)
    if at is not None:
        AuditEvent.objects.filter(pk=event.pk).update(at=at)
    return event


def shown(response) -> list[tuple[str, str]]:
    return [(event.action, event.target_id) for event in response.context["page"].object_list]


def test_admin_sees_the_events_of_her_clinic_newest_first(alice_client, alice, bob, charlie):
    AuditEvent.objects.filter(action="login").delete()  # the test clients' own log-ins
    record("view", bob, "a-1")
    record("update", alice, "a-1")
    record("view", charlie, "b-1")
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert shown(response) == [("update", "a-1"), ("view", "a-1")]
    assert "Bob Baker" in response.text and "Charlie" not in response.text


def test_another_clinics_admin_sees_none_of_them(charlie_client, bob):
    record("view", bob, "a-1")
    response = charlie_client.get(URL, {"target": "a-1"})
    assert response.status_code == 200 and shown(response) == []


def test_a_clinician_gets_403(bob_client):
    assert bob_client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_wrong_method(alice_client):
    assert alice_client.post(URL).status_code == 405


def test_filter_by_record_user_and_dates(alice_client, alice, bob):
    AuditEvent.objects.filter(action="login").delete()  # the test clients' own log-ins
    now = timezone.now()
    record("view", bob, "a-1", at=now - timedelta(days=10))
    record("view", bob, "a-2", at=now - timedelta(days=2))
    record("export", alice, "a-1", at=now)
    assert shown(alice_client.get(URL, {"target": "a-1"})) == [("export", "a-1"), ("view", "a-1")]
    bob_code = Membership.objects.get(user=bob).code
    assert shown(alice_client.get(URL, {"member": bob_code})) == [("view", "a-2"), ("view", "a-1")]
    today = timezone.localdate()
    window = {"date_from": (today - timedelta(days=3)).isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    assert shown(alice_client.get(URL, window)) == [("view", "a-2")]
    assert shown(alice_client.get(URL, {"date_to": today.isoformat(), "date_from": today.isoformat()})) == [
        ("export", "a-1")]


def test_invalid_filters_show_their_errors(alice_client, charlie):
    response = alice_client.get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "The end date is before the start date." in response.text
    other_clinic = Membership.objects.get(user=charlie).code
    assert "member" in alice_client.get(URL, {"member": other_clinic}).context["form"].errors


def test_the_athletes_page_links_to_its_entries(alice_client, athlete_for_link):
    page = alice_client.get(athlete_for_link.get_absolute_url()).text
    link = f"{URL}?target={athlete_for_link.code}"
    assert link in page
    assert shown(alice_client.get(link)) == [("view", str(athlete_for_link.code)), ("create", str(
        athlete_for_link.code))]


@pytest.fixture
def athlete_for_link(clinic_a):
    from tests.factories import make_athlete

    return make_athlete(clinic_a)


def test_pages_of_fifty_and_a_query_count_that_does_not_grow(alice_client, alice, django_assert_num_queries):
    AuditEvent.objects.bulk_create([AuditEvent(action="view", actor=alice, clinic=alice.clinic) for _ in range(3)])
    # session, user with membership and clinic, count, events with actors, members for the filter
    with django_assert_num_queries(5):
        alice_client.get(URL)
    AuditEvent.objects.bulk_create([AuditEvent(action="view", actor=alice, clinic=alice.clinic) for _ in range(120)])
    with django_assert_num_queries(5):
        response = alice_client.get(URL)
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.num_pages == 3


def test_an_impossible_date_range_is_refused_not_a_server_error(alice_client):
    # Found by the hostile-input sweep: the day after 9999-12-31 does not exist.
    response = alice_client.get(URL, {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert "Choose a date between 2000 and 2999" in response.text
