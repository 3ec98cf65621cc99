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

from assessments.models import Reading
from assessments.programs.models import ProgramVersion
from runphys import fragments
from runphys.models import AuditEvent, EmailDelivery, Membership, PageGeneration
from tests.factories import LOW_LEFT_IR, make_assessment, make_athlete, make_failed_email, make_program
from tests.helpers import unmasked

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_fragments")]

DASHBOARD = reverse("dashboard")


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
    # The page generation with the user's newest record view, and the one audit INSERT: nothing else
    # (on PostgreSQL one statement does both, runphys.guesses).
    assert len(warm.captured_queries) == (1 if connection.vendor == "postgresql" else 2), [
        query["sql"][:80] for query in warm.captured_queries]
    built, reused = list_events(alice)[-2:]
    assert built == reused and str(athlete.code) in reused


def test_a_record_opened_since_shows_at_once_among_recently_seen(alice_client, clinic_a):
    first = make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    second = make_athlete(clinic_a, first_name="Jonah", last_name="Adeyemi")
    alice_client.get(first.get_absolute_url())
    alice_client.get(DASHBOARD)
    before = token()
    alice_client.get(second.get_absolute_url())  # only an audit row: the token stays
    page = alice_client.get(DASHBOARD).text
    assert token() == before
    recent = page[page.index('data-testid="recent-athletes"'):]
    assert recent.index("Jonah Adeyemi") < recent.index("Ines Okafor")


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


# --- Record pages: the athlete's and the assessment's content, kept with the record it was drawn from


def view_events(user) -> list[str]:
    return list(AuditEvent.objects.filter(actor=user, action="view").order_by("pk").values_list("target_id", flat=True))


def test_a_warm_assessment_page_runs_no_query_for_it_and_is_audited_as_a_view(alice, alice_client, clinic_a):
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor", sex="female")
    assessment = make_assessment(athlete, alice, LOW_LEFT_IR)
    first = alice_client.get(assessment.get_absolute_url())
    with CaptureQueriesContext(connection) as warm:
        second = alice_client.get(assessment.get_absolute_url())
    assert second.status_code == 200 and unmasked(second.text) == unmasked(first.text)
    assert "Assessment of Ines Okafor" in second.text and 'data-testid="progress-chart"' in second.text
    # The page generation and the audit INSERT: no assessment, reading, reference or athlete query.
    assert len(warm.captured_queries) == 2, [query["sql"][:80] for query in warm.captured_queries]
    assert view_events(alice)[-2:] == [str(assessment.code)] * 2


def test_a_changed_reading_shows_at_once_on_the_assessment_page(alice, alice_client, clinic_a):
    assessment = make_assessment(make_athlete(clinic_a, sex="female"), alice, LOW_LEFT_IR)
    assert "24°" in alice_client.get(assessment.get_absolute_url()).text
    Reading.objects.filter(assessment=assessment, side="left", movement="ir").update(degrees=27)
    page = alice_client.get(assessment.get_absolute_url()).text
    assert "27°" in page and "24°" not in page


def test_another_clinic_gets_a_404_while_the_records_pages_are_warm(alice_client, charlie, charlie_client, clinic_a):
    athlete = make_athlete(clinic_a, first_name="Ines")
    assessment = make_assessment(athlete, athlete.primary_clinician or charlie, LOW_LEFT_IR)
    for url in (athlete.get_absolute_url(), assessment.get_absolute_url()):
        assert alice_client.get(url).status_code == 200
        assert alice_client.get(url).status_code == 200  # served from the fragment
        assert charlie_client.get(url).status_code == 404
    denied = AuditEvent.objects.filter(actor=charlie, action="denied").count()
    assert denied == 2 and not view_events(charlie)


def test_a_warm_athlete_page_draws_its_forms_and_the_users_role_per_request(alice, alice_client, bob, bob_client,
                                                                            clinic_a):
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor", primary_clinician=alice)
    url = athlete.get_absolute_url()
    assert "Erase…" in alice_client.get(url).text
    bob_client.get(DASHBOARD)  # his user is kept too
    with CaptureQueriesContext(connection) as warm:
        page = bob_client.get(url)  # the body alice's visit kept; bob is no admin and not treating
    assert len(warm.captured_queries) == 2, [query["sql"][:80] for query in warm.captured_queries]
    assert 'data-testid="athlete-profile"' in page.text and "Erase…" not in page.text
    assert 'data-testid="export-button"' not in page.text
    assert view_events(bob) == [str(athlete.code)]
    # The archive form on the warm page carries bob's own CSRF token: it works, and the change shows.
    csrf = re.search(r'action="[^"]*/archive/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
                     page.text)
    bob_client.handler.enforce_csrf_checks = True
    response = bob_client.post(reverse("athlete_archive", args=[athlete.code]),
                               {"csrfmiddlewaretoken": csrf.group(1)})
    assert response.status_code == 302
    assert 'data-testid="archived-badge"' in alice_client.get(url).text


# --- The athlete list: kept when nothing was typed


def kept_keys() -> list[str]:
    from django.core.cache import caches

    return sorted(caches["fragments"]._cache)  # LocMemCache's own store: what this process keeps


def test_a_warm_athlete_list_reads_no_athlete_and_lists_the_same(alice, alice_client, clinic_a):
    athletes = [make_athlete(clinic_a, first_name=name, last_name="Okafor") for name in ("Ines", "Jonah", "Maya")]
    url = reverse("athlete_list")
    first = alice_client.get(url)
    with CaptureQueriesContext(connection) as warm:
        second = alice_client.get(url)
    assert unmasked(second.text) == unmasked(first.text) and "Jonah" in second.text
    assert len(warm.captured_queries) == 2, [query["sql"][:80] for query in warm.captured_queries]
    built, reused = list_events(alice)[-2:]
    assert built == reused and sorted(built) == sorted(str(athlete.code) for athlete in athletes)
    make_athlete(clinic_a, first_name="Zoe", last_name="Adeyemi")
    assert "Zoe" in alice_client.get(url).text


def test_a_typed_search_is_never_kept(alice_client, clinic_a):
    make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    make_athlete(clinic_a, first_name="Jonah", last_name="Brandt")
    url = reverse("athlete_list")
    alice_client.get(url)
    before = kept_keys()
    for _ in range(2):
        with CaptureQueriesContext(connection) as searched:
            page = alice_client.post(url, {"q": "okaf"}, headers={"HX-Request": "true"})
        assert "Ines" in page.text and "Jonah" not in page.text
        assert any("athletes_athlete" in query["sql"] for query in searched.captured_queries)
    assert kept_keys() == before and not any("okaf" in key.lower() for key in kept_keys())


def test_the_kept_navbar_follows_a_change_of_role_at_once(bob, bob_client):
    assert "Audit log" not in bob_client.get(DASHBOARD).text
    assert "Audit log" not in bob_client.get(DASHBOARD).text  # kept
    Membership.objects.filter(user=bob).update(role=Membership.Role.ADMIN)
    page = bob_client.get(DASHBOARD).text
    assert "Audit log" in page and "Clinic settings" in page
    # The logout form beside the kept links carries this request's CSRF token, so logging out works.
    csrf = re.search(r'action="/accounts/logout/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" '
                     r'value="([^"]+)"', page)
    bob_client.handler.enforce_csrf_checks = True
    assert bob_client.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf.group(1)}).status_code == 302
    assert bob_client.get(DASHBOARD).status_code == 302  # to the login page
