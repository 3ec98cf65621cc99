"""The audit log as CSV for the clinic's data-protection lead: the filtered rows of the admin's own
clinic in words and codes, streamed, safe to open in a spreadsheet, and itself audited."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from runphys import audit, audit_log, sessions
from runphys.models import AuditEvent, Membership
from tests.factories import make_athlete, make_user

pytestmark = pytest.mark.django_db

URL = reverse("audit_log_export")


def rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def record(action, actor, target, target_type="athlete", clinic=None):
    return audit.record(action, actor=actor, target_type=target_type, target_id=str(target), clinic=clinic)


@pytest.fixture(autouse=True)
def _no_log_ins(alice_client, bob_client, charlie_client):
    AuditEvent.objects.filter(action="login").delete()


def test_the_filtered_rows_in_words_and_codes_and_the_export_is_audited(alice_client, alice, bob, clinic_a):
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    AuditEvent.objects.all().delete()
    viewed = record("view", bob, athlete.code)
    record("two_factor_enrolled", bob, bob.pk, target_type="user")
    response = alice_client.post(URL, {"action": "view"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    assert "no-store" in response["Cache-Control"]
    header, *body = rows(response)
    assert header == audit_log.CSV_HEADER
    assert body == [[timezone.localtime(viewed.at).isoformat(timespec="seconds"), "Bob Baker", "bob@clinic-a.example",
                     "Viewed", "view", "athlete", "Ines Okafor", str(athlete.code), "", ""]]
    export = AuditEvent.objects.get(action="audit_log_export")
    assert (export.actor, export.clinic, export.target_type, export.fields) == (alice, clinic_a, "clinic", ["action"])
    assert export.target_id == str(clinic_a.code)


def test_every_row_of_the_clinic_when_unfiltered_and_none_of_another_clinics(alice_client, charlie_client, alice,
                                                                              bob, charlie, clinic_a, clinic_b):
    other = make_athlete(clinic_b, first_name="Zed", last_name="Elsewhere")
    record("view", charlie, other.code, clinic=clinic_b)
    AuditEvent.objects.bulk_create([AuditEvent(action="view", actor=bob, clinic=clinic_a) for _ in range(1203)])
    body = rows(alice_client.post(URL))[1:]
    assert len(body) == 1203 + 1  # the export's own event, written before the rows are read
    assert {row[1] for row in body} == {"Bob Baker", "Alice Archer"}
    text = "\n".join(",".join(row) for row in body)
    assert "Zed" not in text and "Charlie" not in text and str(other.code) not in text
    # Charlie's own export holds only his clinic's rows: Zed's creation and view, and the export.
    theirs = rows(charlie_client.post(URL))[1:]
    assert [(row[1], row[4]) for row in theirs] == [
        ("Charlie Chen", "audit_log_export"), ("Charlie Chen", "view"), ("system", "create")]


def test_cells_a_spreadsheet_would_run_as_formulas_are_prefixed(alice_client, alice, clinic_a):
    athlete = make_athlete(clinic_a, first_name="=HYPERLINK(\"http://evil.example\")", last_name="Runner")
    schemer = make_user("schemer@clinic-a.example", "@SUM(A1:A9)", clinic_a)
    plus = make_user("plus@clinic-a.example", "+44 Clinic", clinic_a)
    minus = make_user("minus@clinic-a.example", "-1+2", clinic_a)
    AuditEvent.objects.all().delete()
    record("view", schemer, athlete.code)
    record("view", plus, athlete.code)
    record("view", minus, athlete.code)
    body = rows(alice_client.post(URL, {"action": "view"}))[1:]
    assert [row[1] for row in body] == ["'-1+2", "'+44 Clinic", "'@SUM(A1:A9)"]
    assert {row[6] for row in body} == {"'=HYPERLINK(\"http://evil.example\") Runner"}
    assert audit_log.csv_cell("\tTAB") == "'\tTAB" and audit_log.csv_cell("safe = text") == "safe = text"


def test_a_list_pages_row_names_every_record_it_showed(alice_client, bob, clinic_a):
    ines, rosa = make_athlete(clinic_a, first_name="Ines", last_name="Okafor"), make_athlete(clinic_a)
    AuditEvent.objects.all().delete()
    AuditEvent.objects.create(action="list", actor=bob, clinic=clinic_a, target_type="athlete",
                              target_ids=[str(ines.code), str(rosa.code)])
    [row] = rows(alice_client.post(URL, {"action": "list"}))[1:]
    assert row[3:8] == ["Viewed a list", "list", "athlete", "Ines Okafor; Rosa Runner", f"{ines.code} {rosa.code}"]


def test_filters_apply_as_on_the_page(alice_client, alice, bob, clinic_a):
    ines = make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    rosa = make_athlete(clinic_a)
    AuditEvent.objects.all().delete()
    record("view", bob, ines.code)
    record("view", alice, rosa.code)
    body = rows(alice_client.post(URL, {"athlete": "okafor", "member": Membership.objects.get(user=bob).code}))[1:]
    assert [(row[1], row[6]) for row in body] == [("Bob Baker", "Ines Okafor")]
    export = AuditEvent.objects.get(action="audit_log_export")
    assert export.fields == ["athlete", "member"]  # names of the filters, never what was typed


def test_invalid_filters_are_shown_and_nothing_is_exported(alice_client, alice):
    record("view", alice, "a-1")
    response = alice_client.post(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.status_code == 400
    assert not response.streaming and "The end date is before the start date." in response.text
    assert not AuditEvent.objects.filter(action="audit_log_export").exists()


def test_only_a_clinic_admin(bob_client, client):
    assert bob_client.post(URL).status_code == 403
    assert client.post(URL)["Location"].startswith(reverse("login"))
    assert not AuditEvent.objects.filter(action="audit_log_export").exists()


def test_wrong_method(alice_client):
    assert alice_client.get(URL).status_code == 405


def test_it_asks_for_the_password_again_after_a_while(alice_client):
    session = alice_client.session
    del session[sessions.CONFIRMED_AT]
    session.save()
    response = alice_client.post(URL, HTTP_REFERER="http://testserver" + reverse("audit_log"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
    assert not AuditEvent.objects.filter(action="audit_log_export").exists()


def test_the_page_offers_the_download_in_its_filter_form(alice_client):
    page = alice_client.get(reverse("audit_log")).text
    assert f'formaction="{URL}"' in page and "Download CSV" in page
