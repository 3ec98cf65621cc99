"""The clinic admin's audit log: own clinic only, every action and record type in words, records
named at display time (an erased athlete never by a name), filtered by athlete, person, action,
date and record, paginated, a query count that does not grow with rows."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from athletes import erasure
from runphys import audit, throttle
from runphys.models import AuditEvent, Membership
from tests.factories import draft_of, make_assessment, make_athlete, make_exercise, make_program

pytestmark = pytest.mark.django_db

URL = reverse("audit_log")
ROOT = Path(__file__).resolve().parents[2]
APPS = ("runphys", "athletes", "exercises", "assessments")


def record(action, actor, target_id="", at=None, target_type="athlete", clinic=None):
    event = audit.record(action, actor=actor, target_type=target_type, target_id=str(target_id), clinic=clinic)
    if at is not None:
        AuditEvent.objects.filter(pk=event.pk).update(at=at)
    return event


def shown(response) -> list[tuple[str, str]]:
    return [(event.action, event.target_id) for event in response.context["page"].object_list]


def named(response) -> list[tuple[str, str, str]]:
    """(action label, record type label, record name) of each row shown."""
    return [(e.action_label, e.record_type_label, e.record_name) for e in response.context["page"].object_list]


@pytest.fixture(autouse=True)
def _no_log_ins(alice_client, bob_client, charlie_client):
    """The test clients' own log-ins would be rows of every page."""
    AuditEvent.objects.filter(action="login").delete()


# --- The vocabulary -------------------------------------------------------------------------------

def _constants(node) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    return set()


def written_codes() -> tuple[set[str], set[str]]:
    """Every action and record type the code writes as a literal: the first argument of
    ``audit.record``, ``audit_action=``, ``AuditEvent(action=...)``, every ``target_type=`` and the
    kind of record of ``audit.shown``."""
    actions, types = set(), set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
                if name == "record" and owner == "audit" and node.args:
                    actions |= _constants(node.args[0])
                if name == "shown" and owner == "audit" and len(node.args) > 1:
                    types |= _constants(node.args[1])
                for keyword in node.keywords:
                    if keyword.arg == "audit_action" or (keyword.arg == "action" and name == "AuditEvent"):
                        actions |= _constants(keyword.value)
                    if keyword.arg == "target_type" and name in {"record", "AuditEvent"}:
                        types |= _constants(keyword.value)
    return actions, types


def throttle_actions() -> set[str]:
    """The actions ``runphys.throttle`` builds: a failed or refused check per kind and purpose, and
    the cool-offs (on the account or address, or on one browser)."""
    purposes = [value for name, value in vars(throttle.Purpose).items() if not name.startswith("_")]
    checks = {f"{throttle.audit_stem(kind, purpose)}_{outcome}" for kind in (throttle.PASSWORD, throttle.CODE)
              for purpose in purposes for outcome in ("failed", "refused")}
    locks = {action.replace("_locked", suffix) for action in throttle.LOCK_ACTIONS.values()
             for suffix in ("_locked", "_device_locked")}
    return checks | locks


def test_every_action_the_code_writes_has_a_label():
    actions, _ = written_codes()
    assert {"view", "erase", "two_factor_enrolled", "program_template_copy", "audit_log_export"} <= actions
    missing = (actions | throttle_actions()) - set(AuditEvent.Action.values)
    assert not missing, f"add these to AuditEvent.Action with their labels: {sorted(missing)}"


def test_every_record_type_has_words():
    _, types = written_codes()
    assert {"athlete", "program", "assessment", "user"} <= types
    audited_models = {model._meta.model_name for model in apps.get_models()
                      if model._meta.app_label in APPS and any(field.name == "code" for field in model._meta.fields)}
    missing = (types | audited_models | {"account", "address", "device"}) - set(AuditEvent.RecordType.values)
    assert not missing, f"add these to AuditEvent.RecordType: {sorted(missing)}"


def test_labels_are_words_and_tell_actions_apart():
    labels = [label for _, label in AuditEvent.Action.choices]
    assert len(set(labels)) == len(labels)
    assert all(" " in label or label[0].isupper() for label in labels)
    assert AuditEvent.Action("two_factor_enrolled").label == "Two-factor sign-in turned on"
    assert AuditEvent.RecordType("programversion").label == "program version"
    assert AuditEvent.RecordType("program_version").label == "program version"


def test_an_unknown_action_or_record_type_is_refused_and_nothing_is_written(alice):
    before = AuditEvent.objects.count()
    with pytest.raises(audit.UnknownAuditCode, match="AuditEvent.Action"):
        audit.record("made_up", actor=alice)
    with pytest.raises(audit.UnknownAuditCode, match="AuditEvent.RecordType"):
        audit.record("view", actor=alice, target_type="spaceship")
    assert AuditEvent.objects.count() == before


def test_an_old_code_no_longer_written_still_reads(alice):
    event = AuditEvent.objects.create(action="handout_resent", target_type="handoutcopy", clinic=alice.clinic)
    assert (event.action_label, event.record_type_label) == ("Handout resent", "handoutcopy")


# --- Who sees what --------------------------------------------------------------------------------

def test_admin_sees_the_events_of_her_clinic_newest_first(alice_client, alice, bob, charlie):
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
    assert bob_client.post(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_wrong_method(alice_client):
    assert alice_client.put(URL).status_code == 405


# --- Words for actions and records ----------------------------------------------------------------

def test_actions_and_records_in_words_with_names_looked_up_now(alice_client, alice, bob, clinic_a):
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    assessment = make_assessment(athlete, bob)
    version = draft_of(make_program(athlete, bob, title="Hip mobility, phase 1"))
    AuditEvent.objects.all().delete()
    record("two_factor_enrolled", bob, bob.pk, target_type="user")
    record("view", bob, athlete.code)
    record("create", bob, assessment.code, target_type="assessment")
    record("update", bob, version.code, target_type="programversion")
    record("member_role", alice, Membership.objects.get(user=bob).code, target_type="membership")
    response = alice_client.get(URL)
    assert named(response) == [
        ("Changed a member's role", "member", "Bob Baker"),
        ("Changed", "program version", "Ines Okafor: Hip mobility, phase 1 (version 1)"),
        ("Created", "assessment", f"Ines Okafor, {date_format(assessment.assessed_on)}"),
        ("Viewed", "athlete", "Ines Okafor"),
        ("Two-factor sign-in turned on", "user", "Bob Baker"),
    ]
    page = response.text
    assert "Two-factor sign-in turned on" in page and "program version" in page
    assert "programversion" not in page and "Ines Okafor: Hip mobility, phase 1 (version 1)" in page
    # The log itself keeps the codes.
    assert AuditEvent.objects.filter(action="view", target_id=str(athlete.code)).exists()


def test_a_renamed_athlete_is_shown_by_the_name_they_have_now(alice_client, bob, clinic_a):
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    record("view", bob, athlete.code)
    athlete.last_name = "Adeyemi"
    athlete.save()
    assert ("Viewed", "athlete", "Ines Adeyemi") in named(alice_client.get(URL))


def test_an_erased_athlete_is_named_erased_athlete_never_by_a_name(alice_client, alice, bob, clinic_a):
    deleted = make_athlete(clinic_a, first_name="Dora", last_name="Deleted")
    anonymised = make_athlete(clinic_a, first_name="Anna", last_name="Assessed")
    make_assessment(anonymised, bob)
    for athlete in (deleted, anonymised):
        record("view", bob, athlete.code)
    assert erasure.erase(deleted, actor=alice) is erasure.Outcome.DELETED
    assert erasure.erase(anonymised, actor=alice) is erasure.Outcome.ANONYMISED
    response = alice_client.get(URL)
    views = [row for row in named(response) if row[0] == "Viewed"]
    assert views == [("Viewed", "athlete", "erased athlete")] * 2
    assert "Dora" not in response.text and "Anna" not in response.text and "Anonymised athlete" not in response.text
    assert ("Erased", "athlete", "erased athlete") in named(response)


def test_a_record_of_another_clinic_is_never_named(alice_client, alice, clinic_b):
    # Whatever a row of this clinic's log points at, names come only from this clinic's records.
    other = make_athlete(clinic_b, first_name="Zed", last_name="Elsewhere")
    record("view", alice, other.code)
    response = alice_client.get(URL)
    assert named(response) == [("Viewed", "athlete", "erased athlete")]
    assert "Zed" not in response.text


def test_a_list_page_names_the_records_it_showed_and_a_refused_url_names_none(alice_client, alice, bob, clinic_a,
                                                                               clinic_b):
    shown = [make_athlete(clinic_a, first_name=f"Runner{i}", last_name="Shown") for i in range(7)]
    erased = make_athlete(clinic_a, first_name="Dora", last_name="Deleted")
    other = make_athlete(clinic_b, first_name="Zed", last_name="Elsewhere")
    AuditEvent.objects.all().delete()
    AuditEvent.objects.create(action="list", actor=bob, clinic=clinic_a, target_type="athlete",
                              target_ids=[str(a.code) for a in [*shown[:2], erased, *shown[2:]]])
    erasure.erase(erased, actor=alice)
    AuditEvent.objects.filter(action="erase").delete()
    audit.record("denied", actor=bob, target_type="athlete_detail", target_id=str(other.code))
    response = alice_client.get(URL)
    denied, listed = response.context["page"].object_list
    assert listed.shown_names == ["Runner0 Shown", "Runner1 Shown", "erased athlete", *[
        f"Runner{i} Shown" for i in range(2, 7)]]
    assert (denied.action_label, denied.record_type_label, denied.record_name) == (
        "Refused: no such record in the clinic", "page athlete_detail", "")
    row = response.text.split('data-testid="audit-row"')[2]
    assert "athlete, 8 shown:" in row and "Runner0 Shown, Runner1 Shown, erased athlete" in row
    assert "and 3 more" in row
    assert "Zed" not in response.text and "Dora" not in response.text


# --- Filters --------------------------------------------------------------------------------------

@pytest.fixture
def ines(clinic_a, bob):
    """Ines with an assessment and a program, each viewed by Bob; Rosa viewed by Alice."""
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    assessment = make_assessment(athlete, bob)
    program = make_program(athlete, bob, title="Hip mobility")
    return athlete, assessment, program


def test_filter_by_athlete_name_takes_in_their_assessments_and_programs(alice_client, alice, bob, clinic_a, ines):
    athlete, assessment, program = ines
    rosa = make_athlete(clinic_a)
    AuditEvent.objects.all().delete()
    record("view", bob, athlete.code)
    record("view", bob, assessment.code, target_type="assessment")
    record("view", bob, program.code, target_type="program")
    record("update", bob, draft_of(program).code, target_type="programversion")
    record("view", alice, rosa.code)
    listed = AuditEvent.objects.create(action="list", actor=bob, clinic=clinic_a, target_type="athlete",
                                       target_ids=[str(rosa.code), str(athlete.code)])
    AuditEvent.objects.create(action="list", actor=alice, clinic=clinic_a, target_type="athlete",
                              target_ids=[str(rosa.code)])
    expected = [("list", ""), ("update", str(draft_of(program).code)), ("view", str(program.code)),
                ("view", str(assessment.code)), ("view", str(athlete.code))]
    response = alice_client.post(URL, {"athlete": "okafor"})
    assert shown(response) == expected and response.context["page"].object_list[0] == listed
    # By code too: the athlete's page links here.
    assert shown(alice_client.get(URL, {"athlete": str(athlete.code)})) == expected
    assert f"{URL}?athlete={athlete.code}" in alice_client.get(athlete.get_absolute_url()).text


def test_an_athlete_name_matching_nobody_or_too_many_is_an_error_and_shows_nothing(alice_client, alice, clinic_a,
                                                                                   clinic_b):
    make_athlete(clinic_b, first_name="Zed", last_name="Elsewhere")
    record("view", alice, "a-1")
    response = alice_client.post(URL, {"athlete": "Zed"})
    assert "No athlete of the clinic has that name." in response.text
    assert shown(response) == [] and "No events are shown until the filters above are corrected." in response.text
    for _ in range(21):
        make_athlete(clinic_a, last_name="Smith")
    assert "More than 20 athletes match" in alice_client.post(URL, {"athlete": "smith"}).text


def test_another_clinics_athlete_code_finds_nothing(alice_client, charlie, clinic_b):
    other = make_athlete(clinic_b)
    record("view", charlie, other.code, clinic=clinic_b)
    assert shown(alice_client.get(URL, {"athlete": str(other.code)})) == []


def test_filter_by_person_takes_what_they_did_and_what_was_done_to_their_account(alice_client, alice, bob):
    bob_membership = Membership.objects.get(user=bob)
    record("view", bob, "a-2")
    record("member_role", alice, bob_membership.code, target_type="membership")
    record("login_locked", None, bob.pk, target_type="user", clinic=alice.clinic)
    record("view", alice, "a-1")
    response = alice_client.post(URL, {"member": bob_membership.code})
    assert shown(response) == [("login_locked", str(bob.pk)), ("member_role", str(bob_membership.code)),
                               ("view", "a-2")]


def test_filter_by_action_record_and_dates(alice_client, alice, bob):
    now = timezone.now()
    record("view", bob, "a-1", at=now - timedelta(days=10))
    record("view", bob, "a-2", at=now - timedelta(days=2))
    record("export", alice, "a-1", at=now)
    assert shown(alice_client.get(URL, {"target": "a-1"})) == [("export", "a-1"), ("view", "a-1")]
    assert shown(alice_client.post(URL, {"action": "view"})) == [("view", "a-2"), ("view", "a-1")]
    today = timezone.localdate()
    window = {"date_from": (today - timedelta(days=3)).isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    assert shown(alice_client.get(URL, window)) == [("view", "a-2")]
    assert shown(alice_client.get(URL, {"date_to": today.isoformat(), "date_from": today.isoformat()})) == [
        ("export", "a-1")]
    assert shown(alice_client.post(URL, {"action": "view", "target": "a-1"})) == [("view", "a-1")]


def test_the_action_filter_offers_every_action_by_its_words(alice_client):
    choices = alice_client.get(URL).context["form"].fields["action"].choices
    assert choices[0] == ("", "Any action")
    assert {value for value, _ in choices[1:]} == set(AuditEvent.Action.values)
    assert ("two_factor_enrolled", "Two-factor sign-in turned on") in choices


def test_invalid_filters_show_their_errors_and_no_events(alice_client, alice, charlie):
    record("view", alice, "a-1")
    response = alice_client.get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "The end date is before the start date." in response.text
    assert shown(response) == []
    other_clinic = Membership.objects.get(user=charlie).code
    assert "member" in alice_client.get(URL, {"member": other_clinic}).context["form"].errors
    assert "action" in alice_client.post(URL, {"action": "made_up"}).context["form"].errors


def test_an_impossible_date_range_is_refused_not_a_server_error(alice_client):
    # Found by the hostile-input sweep: the day after 9999-12-31 does not exist.
    response = alice_client.get(URL, {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert "Choose a date between 2000 and 2999" in response.text


def test_a_typed_name_stays_out_of_the_url(alice_client):
    page = alice_client.get(URL).text
    assert 'method="post"' in page and 'id="audit-filters"' in page and f'action="{URL}"' in page


# --- Pages and queries ----------------------------------------------------------------------------

def test_pages_of_fifty_paged_by_post_keeping_the_filters(alice_client, alice, bob):
    AuditEvent.objects.bulk_create([AuditEvent(action="view", actor=alice, clinic=alice.clinic) for _ in range(60)])
    AuditEvent.objects.bulk_create([AuditEvent(action="update", actor=alice, clinic=alice.clinic) for _ in range(70)])
    first = alice_client.post(URL, {"action": "update"})
    assert len(first.context["page"].object_list) == 50 and first.context["page"].paginator.num_pages == 2
    assert 'name="page" value="2"' in first.text and 'form="audit-filters"' in first.text
    second = alice_client.post(URL, {"action": "update", "page": "2"})
    assert [event.action for event in second.context["page"].object_list] == ["update"] * 20


def rows_of_every_kind(clinic, alice, bob, n: int) -> None:
    """``n`` rows each of an athlete's creation and view, an assessment, a program version, a user, a
    membership, an exercise, an erased athlete, a failed log-in of nobody, a list of athletes and a
    refused URL, each naming records of its own."""
    membership = Membership.objects.get(user=bob)
    for i in range(n):
        athlete = make_athlete(clinic, first_name=f"Runner{i}")
        program = make_program(athlete, bob)
        record("view", bob, athlete.code)
        record("create", bob, make_assessment(athlete, bob).code, target_type="assessment")
        record("update", bob, draft_of(program).code, target_type="programversion")
        record("password_changed", bob, bob.pk, target_type="user")
        record("member_role", alice, membership.code, target_type="membership")
        record("exercise_update", alice, make_exercise(clinic, name=f"Calf raise {i}").code, target_type="exercise")
        record("erase", alice, f"00000000-0000-4000-8000-{i:012d}")
        record("login_failed", None, "", target_type="user", clinic=clinic)
        AuditEvent.objects.create(action="list", actor=bob, clinic=clinic, target_type="athlete",
                                  target_ids=[str(athlete.code), str(make_athlete(clinic).code)])
        audit.record("denied", actor=bob, target_type="programs:detail", target_id=str(program.code))


def test_the_query_count_does_not_grow_with_rows(alice_client, alice, bob, clinic_a, django_assert_num_queries):
    rows_of_every_kind(clinic_a, alice, bob, 2)
    # user with membership and clinic (the session is cached), count, events with actors, one query per kind of
    # record named (athlete, assessment, program version, user, membership, exercise), members for
    # the filter
    with django_assert_num_queries(10):
        response = alice_client.get(URL)
    assert len(response.context["page"].object_list) == 24
    rows_of_every_kind(clinic_a, alice, bob, 5)
    with django_assert_num_queries(10):
        response = alice_client.get(URL)
    assert len(response.context["page"].object_list) == 50
    assert all(event.record_name or event.shown_names or event.action in {"login_failed", "denied"}
               for event in response.context["page"].object_list)
