"""The dashboard drawn on the page state seen last (runphys.guesses): one statement while nothing
changed; after a change, drawn again the ordinary way, audited once, with nothing done on what the
first try assumed.

PostgreSQL only, and committed (``transaction=True``): inside a transaction every page reads the
state first, and SQLite never guesses (``test_sqlite_reads_the_state_first``).
"""


import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.programs.models import ProgramVersion
from runphys import audit
from runphys.models import AuditEvent, Clinic, User
from tests.factories import make_athlete, make_program
from tests.helpers import unmasked

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_fragments")]
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the guess is PostgreSQL's")

DASHBOARD = reverse("dashboard")


def list_events(user) -> list[list[str]]:
    events = AuditEvent.objects.filter(actor=user, action="list").order_by("pk")
    return list(events.values_list("target_ids", flat=True))


def audit_inserts(captured) -> int:
    return sum('INSERT INTO "runphys_auditevent"' in query["sql"] for query in captured.captured_queries)


@pytest.fixture
def warm(alice, alice_client, clinic_a):
    """A dashboard naming one athlete (a draft program on the worklist), drawn once."""
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    athlete.program = make_program(athlete, alice, title="Hip control")
    assert alice_client.get(DASHBOARD).status_code == 200
    return athlete


@postgresql_only
def test_a_warm_dashboard_is_one_statement_that_writes_its_audit_event(alice, alice_client, warm):
    first = alice_client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as page:
        second = alice_client.get(DASHBOARD)
    assert unmasked(second.text) == unmasked(first.text) and "Ines Okafor · Hip control" in second.text
    assert len(page.captured_queries) == 1 and audit_inserts(page) == 1
    *_, before, last = list_events(alice)
    assert last == before == [str(warm.code)]


@postgresql_only
def test_a_change_since_is_drawn_again_and_audited_once_with_what_was_sent(alice, alice_client, warm, clinic_a):
    alice_client.get(DASHBOARD)
    events = len(list_events(alice))
    ProgramVersion.objects.filter(program=warm.program).update(title="Hip strength")  # no save(), no signal
    newcomer = make_athlete(clinic_a, first_name="Nadia", last_name="Berg")
    make_program(newcomer, alice, title="Calf capacity")
    with CaptureQueriesContext(connection) as page:
        response = alice_client.get(DASHBOARD)
    assert "Ines Okafor · Hip strength" in response.text and "Nadia Berg · Calf capacity" in response.text
    assert "Hip control" not in response.text
    # The checked INSERT found the state changed and inserted nothing; the page drawn again wrote one.
    assert audit_inserts(page) == 2
    shown = list_events(alice)[events:]
    assert len(shown) == 1 and sorted(shown[0]) == sorted([str(warm.code), str(newcomer.code)])
    with CaptureQueriesContext(connection) as again:
        alice_client.get(DASHBOARD)
    assert len(again.captured_queries) == 1  # the state read by the second try is the next guess


@postgresql_only
def test_a_user_deactivated_since_is_sent_to_log_in_and_nothing_is_audited(alice, alice_client, warm):
    alice_client.get(DASHBOARD)
    events = len(list_events(alice))
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = alice_client.get(DASHBOARD)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert len(list_events(alice)) == events


@postgresql_only
def test_a_second_factor_required_since_is_asked_for(alice, alice_client, warm, clinic_a):
    alice_client.get(DASHBOARD)
    Clinic.objects.filter(pk=clinic_a.pk).update(require_two_factor=True)
    response = alice_client.get(DASHBOARD)
    assert response.status_code == 302 and response.url == reverse("two_factor")


@postgresql_only
def test_a_record_opened_through_another_process_shows_among_recently_seen(alice, alice_client, warm, clinic_a):
    alice_client.get(DASHBOARD)
    other = make_athlete(clinic_a, first_name="Jonah", last_name="Adeyemi")
    # As the other web process would: the view is in the log, this process's last state does not know it.
    audit.record("view", actor=alice, target=other)
    response = alice_client.get(DASHBOARD)
    assert "Adeyemi" in response.text
    assert str(other.code) in list_events(alice)[-1]


@postgresql_only
def test_a_record_opened_here_is_the_next_guess(alice, alice_client, warm):
    alice_client.get(DASHBOARD)
    alice_client.get(warm.get_absolute_url())  # a view event: this process knows it is the newest
    with CaptureQueriesContext(connection) as page:
        response = alice_client.get(DASHBOARD)
    assert "Okafor" in response.text.split("Recently seen", 1)[1]
    assert len(page.captured_queries) > 1  # recently seen is read afresh for the new view...
    with CaptureQueriesContext(connection) as again:
        alice_client.get(DASHBOARD)
    assert len(again.captured_queries) == 1  # ...and kept: no second try was needed


@postgresql_only
def test_a_session_from_after_a_password_change_is_not_ended_by_the_user_kept_from_before(alice, alice_client, warm):
    alice_client.get(DASHBOARD)  # this process keeps alice, with her old password hash
    alice.set_password("a-new-and-long-password")
    alice.save()
    fresh = Client()
    fresh.force_login(User.objects.get(pk=alice.pk))  # a session with the new hash
    assert fresh.get(DASHBOARD).status_code == 200
    assert fresh.get(DASHBOARD).status_code == 200  # still logged in
    assert alice_client.get(DASHBOARD).status_code == 302  # the old session ended, as Django ends it


@postgresql_only
def test_a_message_waiting_is_shown_once_when_the_page_is_drawn_again(alice, alice_client, warm):
    alice_client.get(DASHBOARD)
    alice_client.post(reverse("athlete_archive", args=[warm.code]))  # a write, and a message
    response = alice_client.get(DASHBOARD)
    assert "Ines Okafor archived" in response.text
    assert "Ines Okafor archived" not in alice_client.get(DASHBOARD).text


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's path")
def test_sqlite_reads_the_state_first(alice, alice_client, warm):
    alice_client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as page:
        alice_client.get(DASHBOARD)
    assert len(page.captured_queries) == 2  # the page state, then the audit INSERT
