"""Kept page fragments (runphys.fragments): reused between writes, retired by any write a page can
show, never served to a connection that sees uncommitted data, and audited like a built page.

These tests commit (``transaction=True``): inside a test's own transaction every page builds afresh,
which is the rule under test in the last of them.
"""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.programs.models import ProgramVersion
from runphys import fragments
from runphys.models import AuditEvent, EmailDelivery, PageGeneration
from tests.factories import make_athlete, make_failed_email, make_program

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = reverse("dashboard")


@pytest.fixture(autouse=True)
def _fresh_store():
    from django.core.cache import caches

    caches["fragments"].clear()


def unmasked(page: str) -> str:
    """The page without what differs on every response: CSRF tokens (masked anew) and CSP nonces."""
    return re.sub(r'(CSRFToken": "|csrfmiddlewaretoken" value="|nonce=")[^"]+', r"\1", page)


def token() -> str:
    return PageGeneration.objects.get(pk=1).token


def list_events(user) -> list[list[str]]:
    events = AuditEvent.objects.filter(actor=user, action="list").order_by("pk")
    return list(events.values_list("target_ids", flat=True))


@pytest.mark.parametrize(("sql", "changes"), [
    ('INSERT INTO "assessments_programversion" ("title") VALUES (%s)', True),
    ('UPDATE "runphys_emaildelivery" SET "status" = %s WHERE "id" = %s', True),
    ('DELETE FROM "athletes_athlete" WHERE "id" = %s', True),
    ('INSERT INTO "runphys_auditevent" ("action") VALUES (%s)', False),
    ('UPDATE "django_session" SET "expire_date" = %s', False),
    ('UPDATE "django_tasks_database_dbtaskresult" SET "status" = %s', False),
    ('SELECT "id" FROM "athletes_athlete" FOR UPDATE', False),
    ('CREATE DATABASE "test_runphys"', False),
    ("WITH moved AS (UPDATE athletes_athlete SET notes = '') SELECT 1", True),  # not read: counted
])
def test_which_statements_change_pages(sql, changes):
    assert fragments.changes_pages(sql) is changes


def test_a_warm_dashboard_reads_no_program_or_athlete_and_audits_the_same(alice, alice_client, clinic_a):
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    make_program(athlete, alice, title="Hip control")
    alice_client.get(athlete.get_absolute_url())
    first = alice_client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as warm:
        second = alice_client.get(DASHBOARD)
    assert unmasked(second.text) == unmasked(first.text) and "Ines Okafor · Hip control" in second.text
    tables = " ".join(query["sql"] for query in warm.captured_queries)
    assert "assessments_program" not in tables and "athletes_athlete" not in tables
    # The page generation, the user's recent views, the one audit INSERT: nothing else.
    assert len(warm.captured_queries) == 3, [query["sql"][:80] for query in warm.captured_queries]
    built, reused = list_events(alice)[-2:]
    assert built == reused and str(athlete.code) in reused


def test_a_bulk_update_is_seen_at_once(alice, alice_client, clinic_a):
    program = make_program(make_athlete(clinic_a, first_name="Ines"), alice, title="Hip control")
    assert "Hip control" in alice_client.get(DASHBOARD).text
    before = token()
    ProgramVersion.objects.filter(program=program).update(title="Hip strength")  # no signal, no save()
    assert token() != before
    page = alice_client.get(DASHBOARD).text
    assert "Hip strength" in page and "Hip control" not in page


def test_the_task_workers_conditional_update_of_an_email_is_seen(alice, alice_client, clinic_a):
    program = make_program(make_athlete(clinic_a, first_name="Ines"), alice, title="Hip control")
    delivery = make_failed_email(program.latest, alice)
    EmailDelivery.objects.filter(pk=delivery.email_id).update(status=EmailDelivery.Status.SENT)
    alice_client.get(DASHBOARD)
    EmailDelivery.objects.filter(pk=delivery.email_id, status=EmailDelivery.Status.SENT).update(
        status=EmailDelivery.Status.FAILED)
    assert 'data-testid="failed-count">1<' in alice_client.get(DASHBOARD).text


def test_reading_records_does_not_retire_fragments(alice_client, clinic_a):
    athlete = make_athlete(clinic_a)
    alice_client.get(DASHBOARD)
    before = token()
    alice_client.get(athlete.get_absolute_url())  # an audit row and a session write
    alice_client.get(DASHBOARD)
    assert token() == before


def test_a_deactivated_user_is_not_kept_logged_in(alice, alice_client):
    assert alice_client.get(DASHBOARD).status_code == 200
    alice.is_active = False
    alice.save()
    assert alice_client.get(DASHBOARD).status_code == 302


def test_a_renamed_clinician_shows_at_once(alice, alice_client):
    alice_client.get(DASHBOARD)
    alice.full_name = "Alicia Moreno"
    alice.save()
    assert "Good to see you, Alicia" in alice_client.get(DASHBOARD).text


def test_uncommitted_writes_build_afresh_and_keep_nothing(alice, alice_client, clinic_a):
    program = make_program(make_athlete(clinic_a, first_name="Ines"), alice, title="Hip control")
    alice_client.get(DASHBOARD)
    with transaction.atomic():
        ProgramVersion.objects.filter(program=program).update(title="Hip strength")
        assert fragments.pending_renewal(connection)
        assert "Hip strength" in alice_client.get(DASHBOARD).text
        transaction.set_rollback(True)
    assert "Hip control" in alice_client.get(DASHBOARD).text
