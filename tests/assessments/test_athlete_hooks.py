"""What the athletes app learns about assessments without importing them: the export section,
the clinical-record check of erasure, the list summary and the timeline include."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.template.loader import render_to_string

from athletes import erasure, export
from tests.factories import FOUR, make_assessment, make_athlete

pytestmark = pytest.mark.django_db


def test_the_export_holds_every_assessment_with_readings_and_findings(athlete, bob):
    make_assessment(athlete, bob, FOUR, assessed_on=date(2026, 2, 1), complaint="Lateral hip pain")
    document = json.loads(zipfile.ZipFile(io.BytesIO(export.build(athlete).content)).read("athlete.json"))
    [exported] = document["assessments"]
    assert exported["assessed_on"] == "2026-02-01" and exported["complaint"] == "Lateral hip pain"
    assert exported["clinician"] == "Bob Baker"
    assert {(r["side"], r["movement"], r["degrees"]) for r in exported["readings"]} == {
        ("left", "ir", "24.0"), ("right", "ir", "38.0"), ("left", "er", "40.0"), ("right", "er", "42.0")}
    assert {f["code"] for f in exported["findings"]} == {"below_reference_ir", "asymmetry_ir", "structural_review"}
    assert all(f["source"] for f in exported["findings"])


def test_an_assessed_athlete_is_anonymised_not_deleted(clinic_a, bob):
    unassessed = make_athlete(clinic_a)
    assessed = make_athlete(clinic_a)
    make_assessment(assessed, bob, FOUR)
    assert erasure.planned_outcome(unassessed) == erasure.Outcome.DELETED
    assert erasure.planned_outcome(assessed) == erasure.Outcome.ANONYMISED
    assert erasure.erase(assessed, actor=bob) == erasure.Outcome.ANONYMISED
    assert assessed.assessments.count() == 1


def test_the_timeline_include_lists_assessments_in_one_query(athlete, bob, django_assert_num_queries):
    for month in (1, 2, 3):
        make_assessment(athlete, bob, FOUR, assessed_on=date(2026, month, 5))
    with django_assert_num_queries(1):
        html = render_to_string("assessments/_athlete_timeline.html", {"athlete": athlete})
    assert html.count("/assessments/") == 4  # three assessments and the "record" button
    assert html.index("5 Mar 2026") < html.index("5 Jan 2026")


def test_anonymising_clears_assessment_free_text_and_keeps_the_readings(clinic_a, bob):
    from runphys.models import AuditEvent

    athlete = make_athlete(clinic_a, first_name="Zelda", last_name="Quist")
    assessment = make_assessment(athlete, bob, FOUR, complaint="Zelda's left hip after the Quist 10k",
                                 notes="Sister Anna Quist also treated here")
    erasure.erase(athlete, actor=bob)
    assessment.refresh_from_db()
    assert assessment.complaint == "" and assessment.notes == ""
    assert assessment.readings.count() == 4
    event = AuditEvent.objects.get(action="anonymise", target_id=str(assessment.code))
    assert event.fields == ["complaint", "not_tested_reason", "notes"] and event.clinic == clinic_a
