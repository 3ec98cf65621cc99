"""What the audit log records about reads of many records (one row a page holding the codes shown)
and about refused record URLs (a denied attempt, with the same 404 as a code that exists nowhere)."""

import re
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from runphys import audit
from runphys.models import AuditEvent
from tests.factories import FOUR, make_assessment, make_athlete, make_program, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def athlete(clinic_a):
    return make_athlete(clinic_a, first_name="Hannah", last_name="Ilves")


def without_csrf_tokens(page: str) -> str:
    """The page with its CSRF tokens blanked: Django masks the token afresh for every response."""
    page = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": ""', page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', page)


def list_events(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="list", **filters).order_by("id"))


def test_the_athlete_list_logs_one_row_with_the_athletes_it_showed_in_order(alice_client, alice, clinic_a, clinic_b):
    athletes = [make_athlete(clinic_a, last_name=name) for name in ("Cole", "Adams", "Baker")]
    make_athlete(clinic_b, last_name="Other")
    alice_client.get(reverse("athlete_list"))
    [event] = list_events()
    assert event.target_type == "athlete" and event.actor == alice and event.clinic == clinic_a
    assert event.target_ids == [str(athletes[1].code), str(athletes[2].code), str(athletes[0].code)]


def test_a_search_logs_only_the_athletes_it_found(alice_client, clinic_a):
    found = make_athlete(clinic_a, last_name="Okafor")
    make_athlete(clinic_a, last_name="Smith")
    alice_client.post(reverse("athlete_list"), {"q": "kafo"})
    [event] = list_events()
    assert event.target_ids == [str(found.code)]


def test_a_page_of_the_list_logs_that_page_only(alice_client, clinic_a):
    athletes = [make_athlete(clinic_a, last_name=f"Name{n:02}") for n in range(30)]
    response = alice_client.get(reverse("athlete_list"))
    alice_client.post(reverse("athlete_list"), {"page": response.context["page"].next_cursor})
    first, second = list_events()
    assert first.target_ids == [str(a.code) for a in athletes[:25]]
    assert second.target_ids == [str(a.code) for a in athletes[25:]]


def test_an_empty_list_logs_nothing(alice_client):
    alice_client.get(reverse("athlete_list"))
    assert list_events() == []


def test_the_dashboard_logs_every_athlete_it_names_in_one_row(alice_client, alice, clinic_a):
    seen = make_athlete(clinic_a, first_name="Seen")
    alice_client.get(seen.get_absolute_url())
    world = make_world(clinic_a, alice)  # a draft program: the worklist names Ines Okafor
    make_athlete(clinic_a, first_name="Unseen")
    alice_client.get(reverse("dashboard"))
    [event] = list_events()
    assert event.target_type == "athlete"
    assert sorted(event.target_ids) == sorted([str(seen.code), str(world.athlete.code)])


def test_the_assessment_and_program_lists_log_the_records_and_their_athletes(alice_client, alice, clinic_a):
    athlete = make_athlete(clinic_a)
    assessment = make_assessment(athlete, alice, FOUR)
    program = make_program(athlete, alice, assessment=assessment)
    alice_client.get(reverse("assessments:list"))
    alice_client.get(reverse("programs:list"))
    shown = {(event.target_type, tuple(event.target_ids)) for event in list_events()}
    assert shown == {("assessment", (str(assessment.code),)), ("program", (str(program.code),)),
                     ("athlete", (str(athlete.code),))}
    assert len(list_events()) == 4  # assessment + athlete, then program + athlete


def test_the_list_costs_one_insert_however_many_rows(alice_client, clinic_a, django_assert_num_queries):
    for n in range(30):
        make_athlete(clinic_a, last_name=f"Name{n:02}")
    # user with membership and clinic (the session is cached), the capped count, the page, the one audit INSERT
    with django_assert_num_queries(4):
        alice_client.get(reverse("athlete_list"))


@pytest.mark.parametrize("name", ["athlete_detail", "athlete_edit"])
def test_another_clinics_record_is_a_logged_denied_attempt_with_the_same_404(charlie_client, charlie, athlete, name):
    other_clinics = charlie_client.get(reverse(name, args=[athlete.code]))
    nowhere_code = uuid.uuid4()
    nowhere = charlie_client.get(reverse(name, args=[nowhere_code]))
    assert other_clinics.status_code == nowhere.status_code == 404
    assert without_csrf_tokens(other_clinics.text) == without_csrf_tokens(nowhere.text)
    # The same headers but for the clock's (two requests may fall in different seconds).
    clock = {"Expires", "Date"}
    assert sorted((k, v) for k, v in other_clinics.headers.items() if k not in clock) == sorted(
        (k, v) for k, v in nowhere.headers.items() if k not in clock)
    assert other_clinics.headers.keys() == nowhere.headers.keys()
    denied = list(AuditEvent.objects.filter(action="denied").order_by("id"))
    assert [(e.actor, e.clinic, e.target_type, e.target_id) for e in denied] == [
        (charlie, charlie.clinic, name, str(athlete.code)), (charlie, charlie.clinic, name, str(nowhere_code))]
    assert not AuditEvent.objects.filter(action="view", target_id=str(athlete.code)).exists()


def test_a_denied_attempt_on_a_nested_record_names_the_code_asked_for(charlie_client, alice, athlete):
    assessment = make_assessment(athlete, alice, FOUR)
    assert charlie_client.get(assessment.get_absolute_url()).status_code == 404
    [event] = AuditEvent.objects.filter(action="denied")
    assert event.target_id == str(assessment.code) and event.target_type == "assessments:detail"


def test_a_404_without_a_record_in_its_url_or_a_user_is_not_a_denied_attempt(client, alice_client, athlete):
    assert alice_client.get("/no-such-page/").status_code == 404
    assert alice_client.get(reverse("clinic_logo")).status_code == 404  # no logo: not a record URL
    assert client.get(reverse("athlete_detail", args=[uuid.uuid4()])).status_code == 302  # to log in
    assert not AuditEvent.objects.filter(action="denied").exists()


def test_the_audit_log_finds_the_list_pages_that_showed_a_record(alice_client, clinic_a):
    shown, other = make_athlete(clinic_a, last_name="Shown"), make_athlete(clinic_a, last_name="Other")
    alice_client.post(reverse("athlete_list"), {"q": "shown"})
    alice_client.get(shown.get_absolute_url())
    alice_client.post(reverse("athlete_list"), {"q": "other"})
    found = alice_client.get(reverse("audit_log"), {"target": str(shown.code)}).context["page"].object_list
    assert [(event.action, event.target_id) for event in found] == [
        ("view", str(shown.code)), ("list", ""), ("create", str(shown.code))]
    assert found[1].target_ids == [str(shown.code)]
    assert str(other.code) not in [code for event in found for code in event.target_ids]


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def committed_elsewhere(event_id) -> bool:
    """Whether another connection (a clinic admin reading the log) sees the event."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                         password=settings["PASSWORD"], dbname=settings["NAME"]) as other:
        return other.execute("SELECT 1 FROM runphys_auditevent WHERE id = %s", [event_id]).fetchone() is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_page_read_is_committed_without_waiting_for_the_disk_and_the_connection_stays_synchronous(
        alice_client, alice, clinic_a):
    athlete = make_athlete(clinic_a, first_name="Hannah", last_name="Ilves")
    with CaptureQueriesContext(connection) as page:
        assert alice_client.get(athlete.get_absolute_url()).status_code == 200
    [insert] = [query["sql"] for query in page.captured_queries if 'INSERT INTO "runphys_auditevent"' in query["sql"]]
    assert "set_config(" in insert and "synchronous_commit" in insert
    event = AuditEvent.objects.get(action="view", target_id=str(athlete.code), actor=alice)
    assert committed_elsewhere(event.pk)
    # Local to the statement's own transaction: what the connection writes next waits for the disk.
    assert synchronous_commit() == "on"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_read_written_inside_a_transaction_leaves_that_transaction_durable(alice, clinic_a):
    athlete = make_athlete(clinic_a)
    with transaction.atomic():
        athlete.notes = "Changed with a read beside it"
        athlete.save()
        audit.record("view", actor=alice, target=athlete)
        assert synchronous_commit() == "on"  # the change commits with the read, and waits for the disk


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("action", "later"), [
    ("view", True), ("list", True), ("link_view", True),
    ("create", False), ("update", False), ("export", False), ("erase", False), ("denied", False),
    ("login", False), ("login_failed", False),
])
def test_only_page_reads_commit_without_waiting(alice, action, later):
    event = AuditEvent(action=action, actor=alice)
    assert audit.flushes_later([event]) is (later and connection.vendor == "postgresql")
    assert audit.flushes_later([event, AuditEvent(action="view", actor=alice)]) is (
        later and connection.vendor == "postgresql")
    with transaction.atomic():
        assert audit.flushes_later([event]) is False
