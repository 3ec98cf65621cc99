"""The athlete's page: profile, timeline with empty states, and a "view" in the audit log."""

import pytest
from django.urls import reverse

from runphys.models import AuditEvent
from tests.factories import make_athlete

pytestmark = pytest.mark.django_db


def url(athlete) -> str:
    return reverse("athlete_detail", args=[athlete.code])


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_clinic_members_see_the_profile_and_the_view_is_audited(request, user, athlete):
    client, actor = request.getfixturevalue(f"{user}_client"), request.getfixturevalue(user)
    response = client.get(url(athlete))
    assert response.status_code == 200
    for text in ("Hannah Ilves", "hannah.ilves@example.com", "Right anterior hip pain", "Stress fracture 2019",
                 "Bob Baker", "50 km", "No assessment yet", "No program yet"):
        assert text in response.text, text
    event = AuditEvent.objects.get(action="view")
    assert (event.actor, event.target_type, event.target_id, event.clinic) == (
        actor, "athlete", str(athlete.code), athlete.clinic)
    assert event.ip_address == "127.0.0.1" and event.fields == []


def test_another_clinic_gets_404_and_nothing_is_logged(charlie_client, athlete):
    assert charlie_client.get(url(athlete)).status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


def test_anonymous_is_sent_to_login(client, athlete):
    response = client.get(url(athlete))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_wrong_method(alice_client, athlete):
    assert alice_client.post(url(athlete)).status_code == 405


def test_volume_is_shown_in_the_clinics_unit(alice_client, athlete, clinic_a):
    clinic_a.distance_unit = "mi"
    clinic_a.save()
    response = alice_client.get(url(athlete))
    assert '<dd class="col-sm-8" data-testid="weekly-volume">31.1 mi</dd>' in response.text


def test_admin_sees_export_erase_and_audit_links_clinician_sees_export_only_if_treating(
    alice_client, bob_client, athlete, clinic_a
):
    admin_page = alice_client.get(url(athlete)).text
    assert reverse("athlete_erase", args=[athlete.code]) in admin_page
    assert f"{reverse('audit_log')}?athlete={athlete.code}" in admin_page
    assert reverse("athlete_export", args=[athlete.code]) in admin_page

    treating = bob_client.get(url(athlete)).text
    assert reverse("athlete_export", args=[athlete.code]) in treating
    assert reverse("athlete_erase", args=[athlete.code]) not in treating

    other = make_athlete(clinic_a, first_name="Not", last_name="Bobs")
    assert reverse("athlete_export", args=[other.code]) not in bob_client.get(url(other)).text


def test_the_email_empty_state_names_the_next_step(alice_client, clinic_a):
    no_email = make_athlete(clinic_a, email="")
    assert "Add an email address" in alice_client.get(url(no_email)).text
    no_consent = make_athlete(clinic_a, email="x@example.com")
    assert "Record the athlete's agreement to email" in alice_client.get(url(no_consent)).text


def test_query_count_is_fixed(alice_client, athlete, django_assert_num_queries):
    # user with membership and clinic (the session is cached), athlete with clinicians, audit insert, the
    # assessments partial's list, the programs and emails partials' lists
    with django_assert_num_queries(6):
        alice_client.get(url(athlete))


def test_programs_and_emails_on_the_page_cost_the_same_queries_however_many(alice_client, alice, athlete):
    """The programs and emails entries load only what they show, so no entry costs a query of its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_failed_email, make_program

    def add(n: int) -> None:
        for number in range(n):
            program = make_program(athlete, alice, title=f"Hip plan {number}")
            make_failed_email(program.latest, alice)

    def shown() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            page = alice_client.get(url(athlete)).text
        return len(queries), page

    add(1)
    one, _ = shown()
    add(3)
    four, page = shown()
    assert four == one
    assert all(f"Hip plan {n}, version 1" in page for n in range(3)) and page.count("no such mailbox") == 4
