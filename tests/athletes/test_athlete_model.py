"""The Athlete model: scoping, derived values, database constraints, and the audit of every write."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from athletes.models import Athlete, UnauditedWrite, km_from, km_to
from runphys import audit
from runphys.models import AuditEvent
from tests.factories import make_athlete

pytestmark = pytest.mark.django_db


def events(action: str | None = None):
    qs = AuditEvent.objects.filter(target_type="athlete")
    return qs.filter(action=action) if action else qs


def test_for_user_sees_only_the_users_clinic(alice, charlie, athlete, athlete_b):
    assert list(Athlete.objects.for_user(alice)) == [athlete]
    assert list(Athlete.objects.for_user(charlie)) == [athlete_b]


def test_active_and_archived_split_the_athletes(clinic_a):
    active = make_athlete(clinic_a, first_name="Active")
    archived = make_athlete(clinic_a, first_name="Gone")
    archived.archive()
    assert list(Athlete.objects.active()) == [active]
    assert list(Athlete.objects.archived()) == [archived]


def test_age_counts_whole_years_and_full_name_joins_the_names(clinic_a):
    today = timezone.localdate()
    birthday_tomorrow = (today + timedelta(days=1)).replace(year=today.year - 30)
    athlete = make_athlete(clinic_a, first_name="Ada", last_name="Lind", date_of_birth=birthday_tomorrow)
    assert athlete.age == 29
    assert athlete.full_name == "Ada Lind" == str(athlete)


def test_search_needs_every_word_in_a_name_or_the_email(clinic_a):
    ann = make_athlete(clinic_a, first_name="Ann", last_name="Smith", email="a.smith@example.com")
    make_athlete(clinic_a, first_name="Anna", last_name="Jones")
    assert list(Athlete.objects.search("ann smi")) == [ann]
    assert list(Athlete.objects.search("A.SMITH@")) == [ann]
    assert Athlete.objects.search("ann").count() == 2
    assert not Athlete.objects.search("zzz").exists()


def test_search_ignores_accents_and_case_and_follows_every_save(clinic_a):
    bjorn = make_athlete(clinic_a, first_name="Björn", last_name="Ångström")
    assert list(Athlete.objects.search("bjorn angstrom")) == [bjorn]
    assert list(Athlete.objects.search("BJÖRN")) == [bjorn]
    bjorn.first_name = "Bo"
    bjorn.save(update_fields=["first_name", "updated_at"])
    assert not Athlete.objects.search("bjorn").exists()
    assert list(Athlete.objects.search("bo ang")) == [bjorn]
    bjorn.anonymise()
    assert not Athlete.objects.search("angstrom").exists()


def test_bulk_created_athletes_are_searchable(clinic_a):
    Athlete.objects.bulk_create([Athlete(clinic=clinic_a, first_name="Zoë", last_name="Ng",
                                         date_of_birth=date(1990, 1, 1))])
    assert Athlete.objects.search("zoe").count() == 1


def test_sorts_by_name_ignoring_case_and_by_last_assessment_with_the_unassessed_last(clinic_a):
    zed = make_athlete(clinic_a, first_name="Zed", last_name="adams")
    amy = make_athlete(clinic_a, first_name="Amy", last_name="Baker")
    cal = make_athlete(clinic_a, first_name="Cal", last_name="Carter")
    assert list(Athlete.objects.by_name()) == [zed, amy, cal]
    amy.set_assessment_summary(last_assessed_on=date(2026, 1, 5), open_findings_count=1)
    cal.set_assessment_summary(last_assessed_on=date(2026, 3, 1), open_findings_count=0)
    assert list(Athlete.objects.by_last_assessment()) == [cal, amy, zed]


def test_distances_convert_between_km_and_miles():
    assert km_from(Decimal("30"), "mi") == Decimal("48.28")
    assert km_to(Decimal("48.28"), "mi") == Decimal("30.0")
    assert km_from(Decimal("42.2"), "km") == Decimal("42.20")
    assert km_to(None, "mi") is None


@pytest.mark.parametrize(
    "fields",
    [
        {"weekly_volume_km": 401},
        {"long_run_km": 251},
        {"training_days_per_week": 8},
        {"years_running": 91},
        {"sex": "unknown"},
        {"sport": "swimmer"},
        {"first_name": ""},
        {"goal_event_on": date(2030, 1, 1), "goal_event": ""},
        {"complaint_onset_on": date(1980, 1, 1)},
        {"date_of_birth": date(1899, 12, 31)},
    ],
    ids=lambda fields: ",".join(fields),
)
def test_the_database_refuses_out_of_range_values(clinic_a, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_athlete(clinic_a, **fields)
    assert not Athlete.objects.exists()


def test_the_database_refuses_email_consent_without_its_date(clinic_a):
    athlete = make_athlete(clinic_a)
    athlete.consent_email = True
    athlete.consent_email_at = None
    with pytest.raises(IntegrityError), transaction.atomic():
        athlete.save()


def test_create_is_audited_with_field_names_and_no_values(clinic_a, alice):
    athlete = Athlete(clinic=clinic_a, first_name="Ruth", last_name="Runner", date_of_birth=date(1990, 1, 1),
                      notes="Sensitive note")
    athlete.save(actor=alice)
    event = events("create").get()
    assert event.actor == alice and event.clinic == clinic_a and event.target_id == str(athlete.code)
    assert {"first_name", "last_name", "date_of_birth", "notes"} <= set(event.fields)
    assert "Sensitive note" not in str(event.fields) and "Ruth" not in str(event.fields)


def test_update_is_audited_with_only_the_changed_fields(athlete, alice):
    athlete = Athlete.objects.get(pk=athlete.pk)
    athlete.notes = "New note"
    athlete.phone = "+44 7700 900999"
    athlete.save(actor=alice)
    event = events("update").get()
    assert event.fields == ["notes", "phone"]
    assert event.actor == alice


def test_saving_an_unchanged_athlete_writes_nothing_and_logs_nothing(athlete):
    before = athlete.updated_at
    athlete = Athlete.objects.get(pk=athlete.pk)
    athlete.save()
    athlete.refresh_from_db()
    assert athlete.updated_at == before
    assert not events("update").exists()


def test_refresh_from_db_resets_the_change_tracking(athlete):
    athlete.notes = "Typed but not saved"
    athlete.refresh_from_db()
    assert athlete.changed_field_names() == []


def test_queryset_update_delete_and_bulk_update_refuse_to_bypass_the_audit(athlete):
    with pytest.raises(UnauditedWrite):
        Athlete.objects.filter(pk=athlete.pk).update(notes="sneaky")
    with pytest.raises(UnauditedWrite):
        Athlete.objects.update(notes="sneaky")
    with pytest.raises(UnauditedWrite):
        Athlete.objects.all().delete()
    athlete.notes = "sneaky"
    with pytest.raises(UnauditedWrite):
        Athlete.objects.bulk_update([athlete], ["notes"])
    athlete.refresh_from_db()
    assert athlete.notes == "Prefers early appointments"


def test_bulk_create_logs_one_create_event_per_athlete(clinic_a, alice):
    made = Athlete.objects.bulk_create(
        [Athlete(clinic=clinic_a, first_name=f"A{n}", last_name="B", date_of_birth=date(1990, 1, 1))
         for n in range(3)],
        actor=alice,
    )
    created = events("create")
    assert created.count() == 3
    assert set(created.values_list("target_id", flat=True)) == {str(a.code) for a in made}
    assert set(created.values_list("actor", flat=True)) == {alice.pk}


def test_delete_logs_an_erase_event_that_keeps_only_the_code(athlete, alice):
    code = athlete.code
    athlete.delete(actor=alice)
    assert not Athlete.objects.exists()
    event = events("erase").get()
    assert event.target_id == str(code) and event.actor == alice and event.fields == []


def test_archive_and_unarchive_are_audited_and_idempotent(athlete, alice):
    athlete.archive(actor=alice)
    athlete.archive(actor=alice)
    assert athlete.is_archived
    athlete.unarchive(actor=alice)
    assert not Athlete.objects.get(pk=athlete.pk).is_archived
    assert list(events().filter(action__in=["archive", "unarchive"]).order_by("id")
                .values_list("action", "fields")) == [("archive", ["archived_at"]), ("unarchive", ["archived_at"])]


def test_set_assessment_summary_is_the_one_documented_unaudited_write(athlete):
    count = AuditEvent.objects.count()
    athlete.set_assessment_summary(last_assessed_on=date(2026, 2, 1), open_findings_count=2)
    athlete.refresh_from_db()
    assert (athlete.last_assessed_on, athlete.open_findings_count) == (date(2026, 2, 1), 2)
    assert AuditEvent.objects.count() == count


def test_email_consent_records_when_and_by_whom_only_when_the_answer_changes(clinic_a, alice, bob):
    athlete = Athlete(clinic=clinic_a, first_name="C", last_name="D", date_of_birth=date(1990, 1, 1))
    athlete.record_email_consent(False, by=alice)
    athlete.save()
    assert athlete.consent_email_at is not None and athlete.consent_email_by == alice
    athlete = Athlete.objects.get(pk=athlete.pk)
    first_at = athlete.consent_email_at
    athlete.record_email_consent(False, by=bob)
    assert athlete.consent_email_by == alice and athlete.consent_email_at == first_at
    athlete.record_email_consent(True, by=bob)
    assert athlete.consent_email and athlete.consent_email_by == bob and athlete.consent_email_at >= first_at


def test_anonymise_replaces_every_identifying_field_and_keeps_the_clinical_facts(athlete, alice):
    athlete.record_email_consent(True, by=alice)
    athlete.privacy_info_given_on = date(2026, 1, 2)
    athlete.complaint_onset_on = date(2026, 1, 1)
    athlete.goal_event_on = timezone.localdate() + timedelta(days=30)
    athlete.save()
    before = {f.attname: getattr(athlete, f.attname) for f in Athlete._meta.concrete_fields}
    athlete.anonymise(actor=alice)
    athlete = Athlete.objects.get(pk=athlete.pk)
    identifying = ["first_name", "last_name", "email", "phone", "goal_event", "complaint", "injury_history", "notes"]
    for name in identifying:
        assert getattr(athlete, name) != before[name], name
        assert before[name] not in {str(getattr(athlete, f.attname)) for f in Athlete._meta.concrete_fields}
    assert athlete.date_of_birth == date(1992, 1, 1)
    assert athlete.goal_event_on is athlete.complaint_onset_on is athlete.privacy_info_given_on is None
    assert not athlete.consent_email and athlete.consent_email_by is None
    assert athlete.is_anonymised and athlete.is_archived
    assert (athlete.sex, athlete.weekly_volume_km, athlete.code) == (
        before["sex"], before["weekly_volume_km"], before["code"])
    event = events("anonymise").get()
    assert {"first_name", "email", "notes", "date_of_birth"} <= set(event.fields)


def test_recently_seen_by_lists_the_users_own_views_newest_first(clinic_a, alice, bob):
    first, second, third = (make_athlete(clinic_a, first_name=name) for name in ("First", "Second", "Third"))
    for athlete in (first, second, first):
        audit.record("view", actor=alice, target=athlete)
    audit.record("view", actor=bob, target=third)
    assert Athlete.objects.for_user(alice).recently_seen_by(alice) == [first, second]
    assert Athlete.objects.for_user(bob).recently_seen_by(bob) == [third]


def test_recently_seen_forgets_views_older_than_a_month(clinic_a, alice):
    athlete = make_athlete(clinic_a)
    event = audit.record("view", actor=alice, target=athlete)
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - timedelta(days=31))
    assert Athlete.objects.for_user(alice).recently_seen_by(alice) == []


def test_timeline_lists_the_profile_dates_newest_first_with_the_goal_upcoming(athlete, alice):
    athlete.goal_event_on = timezone.localdate() + timedelta(days=60)
    athlete.complaint_onset_on = date(2025, 12, 1)
    athlete.record_email_consent(True, by=alice)
    athlete.save()
    titles = [(entry.title, entry.upcoming) for entry in athlete.timeline()]
    assert titles[0] == ("Goal event: Lakeside Marathon", True)
    assert titles[-1] == ("Current complaint began", False)
    assert ("Athlete agreed to receive email", False) in titles


def test_recently_seen_reads_only_the_users_latest_views(clinic_a, alice):
    """The dashboard reads the head of the user's views, not a month of them: what was opened
    before the views it reads is not listed (here two views read)."""
    first, second, third = (make_athlete(clinic_a, first_name=name) for name in ("First", "Second", "Third"))
    for athlete in (first, second, third, third):
        audit.record("view", actor=alice, target=athlete)
    assert Athlete.objects.for_user(alice).recently_seen_by(alice, views_read=2) == [third]
    assert Athlete.objects.for_user(alice).recently_seen_by(alice, views_read=3) == [third, second]
    assert Athlete.objects.for_user(alice).recently_seen_by(alice, limit=2) == [third, second]
