"""The page, the chart and the handout never disagree, and refer flags mean it (clinical-reference
§3–4). Table-driven at the boundaries; scenarios go through the real records and pages."""

import base64
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string

from assessments import charts, findings
from assessments.findings import Code, Mdc, Reading, Reference, ReferenceTable, Session
from assessments.models import reference_table
from assessments.programs import handouts, suggestions
from assessments.programs.models import ProgramVersion
from exercises.library import load_library
from exercises.models import Exercise
from tests.factories import make_assessment, make_athlete, make_exercise, make_program

SVG = "{http://www.w3.org/2000/svg}"
TABLE = ReferenceTable(
    references=(Reference("ir", "prone", "passive", "any", D(35), D(9), D(26), "IR source"),
                Reference("ir", "prone", "passive", "male", D("36.7"), D("9.2"), D("27.5"), "IR men source")),
    same_rater_inclinometer=Mdc(D(8), "same-rater source"), other=Mdc(D(12), "other source"),
)
INCLINOMETER, GONIOMETER = "digital_inclinometer", "goniometer"


def ir(side: str, value, **kw) -> Reading:
    return Reading(side, "ir", D(str(value)), **kw)


def visit(day: date, *readings: Reading, rater="a", sex="not_recorded") -> Session:
    return Session(tuple(readings), rater=rater, assessed_on=day, sex=sex)


def overlaps(a: charts.Bar, b: charts.Bar) -> bool:
    """Two bars share some height (on screen, y grows downwards: top < bottom)."""
    return max(a.top, b.top) < min(a.bottom, b.bottom)


# --- One MDC choice: findings and charts --------------------------------------------------------

@pytest.mark.parametrize(("instrument", "same", "delta", "expected"), [
    (INCLINOMETER, True, "8", Code.REAL_CHANGE),        # one clinician, inclinometer: MDC 8°
    (INCLINOMETER, True, "7.9", Code.WITHIN_ERROR),
    (INCLINOMETER, False, "8", Code.WITHIN_ERROR),      # other clinician: MDC 12°
    (INCLINOMETER, False, "12", Code.REAL_CHANGE),
    (GONIOMETER, True, "8", Code.WITHIN_ERROR),         # goniometer: MDC 12° even for one clinician
    (GONIOMETER, True, "12", Code.REAL_CHANGE),
])
def test_change_and_chart_use_the_same_mdc(instrument, same, delta, expected):
    before = visit(date(2026, 1, 5), ir("left", 20, instrument=instrument), rater="a")
    now = visit(date(2026, 3, 5), ir("left", D(20) + D(delta), instrument=instrument), rater="a" if same else "b")
    [change] = findings.changes(now, [before], TABLE)
    assert change.code == expected
    mdc = D(8) if instrument == INCLINOMETER and same else D(12)
    situation = ("same clinician" if same else "different clinicians") + (
        ", digital inclinometer" if instrument == INCLINOMETER else ", goniometer")
    assert f"MDC95 {findings.degrees(mdc)} ({situation})" in change.clinician_text
    chart = charts.progress_chart([before, now], TABLE, movement="ir")
    first, second = chart.series[0].points
    assert first.bars[0].mdc == second.bars[0].mdc == mdc
    # The bars overlap exactly when the finding says "within measurement error".
    assert overlaps(first.bars[0], second.bars[0]) == (expected == Code.WITHIN_ERROR)


def test_the_mdc_line_never_contradicts_itself():
    before = visit(date(2026, 1, 5), ir("left", 20))
    [change] = findings.changes(visit(date(2026, 2, 5), ir("left", 24)), [before], TABLE)
    assert change.source == "MDC95 12° (same clinician, goniometer): other source"


def test_two_clinicians_22_to_31_the_chart_bars_and_caption_agree_with_the_finding():
    sessions = [visit(date(2026, 1, 5), ir("left", 22), rater="alice"),
                visit(date(2026, 2, 5), ir("left", 31), rater="bob")]
    [change] = findings.changes(sessions[1], [sessions[0]], TABLE)
    assert change.code == Code.WITHIN_ERROR and "MDC95 12° (different clinicians, goniometer)" in change.clinician_text
    chart = charts.progress_chart(sessions, TABLE, movement="ir")
    svg = render_to_string("assessments/chart.svg", {"chart": chart})
    root = ET.fromstring(svg[svg.index("<svg"):])  # noqa: S314  (our own template's output)
    bars = [path for path in root.iter(f"{SVG}path") if path.get("class") == "mdc-bar"]
    assert [bar.get("data-mdc") for bar in bars] == ["12", "12"]  # ± 6°, not the ± 4° of one clinician
    first, second = chart.series[0].points
    assert overlaps(first.bars[0], second.bars[0])  # 31 − 6 = 25 lies under 22 + 6 = 28
    assert "12° (different clinicians, goniometer)" in chart.bar_note
    assert "Where two neighbouring bars do not overlap, the change is at least the MDC95" in chart.bar_note


# --- Comparable readings only: one rule for findings and charts --------------------------------

def test_another_instrument_is_a_line_of_its_own_and_is_not_compared():
    sessions = [visit(date(2026, 1, 5), ir("left", 22, instrument=GONIOMETER)),
                visit(date(2026, 2, 5), ir("left", 35, instrument=INCLINOMETER)),
                visit(date(2026, 3, 5), ir("left", 24, instrument=GONIOMETER))]
    assert findings.changes(sessions[1], [sessions[0]], TABLE) == []  # nothing to compare
    # The third visit is compared with the first, which used the same kind of instrument.
    [change] = findings.changes(sessions[2], [sessions[1], sessions[0]], TABLE)
    assert change.compared_with == date(2026, 1, 5) and not change.since_first
    chart = charts.progress_chart(sessions, TABLE, movement="ir")
    lines = {s.name: [str(p.value) for p in s.points] for s in chart.series}
    assert lines == {"Left (goniometer)": ["22", "24"], "Left (digital inclinometer)": ["35"]}
    assert [s.hollow for s in chart.series] == [False, True]
    lone = next(s for s in chart.series if s.hollow)
    assert lone.points[0].bars == ()  # nothing to compare it with: no error bar


def test_same_day_visits_are_drawn_apart():
    sessions = [visit(date(2026, 1, 5), ir("left", 20)), visit(date(2026, 1, 5), ir("left", 21)),
                visit(date(2026, 2, 5), ir("left", 30))]
    points = charts.progress_chart(sessions, TABLE, movement="ir").series[0].points
    assert len({p.x for p in points}) == 3 and points[0].x < points[1].x < points[2].x


def test_change_since_the_first_comparable_assessment_as_well_as_the_previous():
    days = [date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 5)]
    history = [visit(day, ir("left", value)) for day, value in zip(days, (24, 31, 38, 47), strict=True)]
    found = findings.changes(history[-1], list(reversed(history[:-1])), TABLE)
    assert [(f.code, f.compared_with, f.since_first) for f in found] == [
        (Code.WITHIN_ERROR, date(2026, 3, 5), False), (Code.REAL_CHANGE, date(2026, 1, 5), True)]
    assert found[1].clinician_text.startswith("+23° since the first assessment: Left IR 47° vs 24°")


# --- What was and was not checked -----------------------------------------------------------------

def test_one_sided_seated_readings_claim_no_check_that_did_not_run():
    seated = visit(date(2026, 1, 5), ir("left", 20, position="seated_90_90"))
    assert findings.session_findings(seated, TABLE) == []
    coverage = findings.coverage(seated, TABLE)
    assert coverage.checked == ()
    assert coverage.not_checked == (
        "IR (seated 90/90, passive): no reference for this position and mode, so not compared with a norm",
        "IR (seated 90/90, passive): left side only, so the sides were not compared",
    )


def test_both_sides_prone_are_checked_both_ways():
    both = visit(date(2026, 1, 5), ir("left", 30), ir("right", 32))
    coverage = findings.coverage(both, TABLE)
    assert coverage.checked == ("IR (prone, hip extended, passive) against the reference",
                                "IR (prone, hip extended, passive) left against right")
    assert coverage.not_checked == ()


# --- Refer / review ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "pain", "end_feel", "expected"), [
    (15, None, "firm", Code.STRUCTURAL_REVIEW),   # man: under 36.7 − 2 × 9.2 = 18.3°, no pain
    (15, 0, "not_tested", Code.STRUCTURAL_REVIEW),
    (15, 2, "firm", Code.REFER_REVIEW),          # with pain
    (15, 0, "soft", Code.REFER_REVIEW),          # with an abnormal end-feel
    (D("18.5"), 3, "firm", None),                # not marked
])
def test_marked_ir_loss_with_and_without_pain(value, pain, end_feel, expected):
    found = findings.refer_flags(visit(date(2026, 1, 5), ir("left", value, pain=pain, end_feel=end_feel), sex="male"),
                                 TABLE)
    assert [f.code for f in found] == ([expected] if expected else [])


@pytest.fixture
def library(db):
    load_library()
    return {e.name: e for e in Exercise.objects.filter(clinic=None)}


def suggested(found, library, compensations=()) -> suggestions.Suggestions:
    return suggestions.suggest(found, library.values(), compensations)


def test_a_painful_hip_with_an_empty_end_feel_gets_no_end_range_ir_on_that_side(library):
    session = visit(date(2026, 1, 5), ir("left", 20, pain=6, end_feel="empty"), ir("right", 22))
    result = suggested(findings.session_findings(session, TABLE), library)
    on_left = [s for s in result.items if s.side in ("left", "both", "alternating")]
    assert not any(s.exercise.is_stretch or s.exercise.family == "ir_mobility" for s in on_left)
    end_range = {"90-90 hip rotations", "Prone hip internal rotation (active range)",
                 "Split-stance pelvic turn over the back hip"}
    assert all(s.side == "right" for s in result.items if s.exercise.name in end_range)
    assert all(s.side == "right" for s in result.items if s.exercise.family == "ir_mobility")
    assert all("Right side only: the left hip has a refer/review flag." in s.reason for s in result.items
               if s.exercise.family == "ir_mobility")


def test_a_flag_on_one_side_leaves_the_other_side_its_mobility_work_and_control_stays(library):
    session = visit(date(2026, 1, 5), ir("left", 20, end_feel="spasm"), ir("right", 21))
    found = findings.session_findings(session, TABLE) + findings.poor_control(
        Session((), compensations=("knee_valgus",)))
    result = suggested(found, library)
    ir_mobility = [s for s in result.items if s.exercise.family == "ir_mobility"]
    assert ir_mobility and all(s.side == "right" for s in ir_mobility)
    assert all("Right side only: the left hip has a refer/review flag." in s.reason for s in ir_mobility)
    control = [s for s in result.items if s.exercise.family == "control_strength"]
    assert control and all("Keep it within a pain-free range: the left hip has a refer/review flag." in s.reason
                           for s in control)


def test_marked_loss_without_pain_prompts_a_review_but_blocks_nothing(library):
    session = visit(date(2026, 1, 5), ir("left", 15), ir("right", 30), sex="male")
    found = findings.session_findings(session, TABLE)
    assert Code.STRUCTURAL_REVIEW in {f.code for f in found} and Code.REFER_REVIEW not in {f.code for f in found}
    result = suggested(found, library)
    assert result.refer_flags == () and result.withheld == ()
    assert any(s.exercise.family == "ir_mobility" and s.side == "left" for s in result.items)


def test_asymmetric_ir_gets_ir_mobility_for_the_stiffer_side_and_no_control_work_without_its_own_reason(library):
    session = visit(date(2026, 1, 5), ir("left", 22), ir("right", 38))  # 35 ± 9: left below, asymmetric
    result = suggested(findings.session_findings(session, TABLE), library)
    assert result.items and all(s.exercise.family == "ir_mobility" and s.side == "left" for s in result.items)
    assert {s.motive for s in result.items} <= {Code.BELOW_REFERENCE_IR, Code.ASYMMETRY_IR}
    # Control work comes with a control finding of its own, and says so.
    with_control = suggested(findings.session_findings(session, TABLE) + findings.poor_control(
        Session((), compensations=("knee_valgus",))), library)
    control = [s for s in with_control.items if s.exercise.family == "control_strength"]
    assert control and all(s.motive == Code.POOR_CONTROL for s in control)


def test_a_both_sides_item_cites_both_findings(library):
    session = visit(date(2026, 1, 5), ir("left", 20), ir("right", 22))
    result = suggested(findings.session_findings(session, TABLE), library)
    both = next(s for s in result.items if s.side in ("both", "alternating"))
    assert "Left IR 20°" in both.reason and "Right IR 22°" in both.reason


# --- Through the pages and the handout ------------------------------------------------------------

@pytest.mark.django_db
def test_the_assessment_page_says_what_was_not_checked(alice_client, clinic_a, alice):
    athlete = make_athlete(clinic_a)
    assessment = make_assessment(athlete, alice, [{"side": "left", "movement": "ir", "degrees": 20,
                                                   "position": "seated_90_90"}])
    page = alice_client.get(assessment.get_absolute_url()).text
    assert "within the asymmetry threshold" not in page and "every tested value" not in page
    assert "No findings in what was checked." in page
    assert "left side only, so the sides were not compared" in page
    assert "no reference for this position and mode" in page


@pytest.mark.django_db
def test_the_handout_scale_agrees_with_the_finding_for_two_clinicians(media_root, clinic_a, alice, bob):
    athlete = make_athlete(clinic_a)
    make_assessment(athlete, alice, [("left", "ir", 22), ("right", "ir", 30)], assessed_on=date(2026, 1, 5))
    later = make_assessment(athlete, bob, [("left", "ir", 31), ("right", "ir", 33)], assessed_on=date(2026, 2, 5))
    report = later.report(reference_table(clinic_a))
    left = next(f for f in report.changes if f.side == "left")
    assert left.code == Code.WITHIN_ERROR and "(different clinicians, goniometer)" in left.clinician_text
    program = make_program(athlete, bob, [make_exercise(clinic_a, name="Drill", family="ir_mobility")],
                           assessment=later)
    handout = handouts.build(ProgramVersion.objects.for_handout().get(pk=program.latest.pk))
    # The athlete's copy shows this visit only, left and right against the usual range, with no
    # error bars, and tells of no change the findings call measurement error.
    [scale] = handout.scales
    assert [(mark.side, mark.value) for mark in scale.marks] == [("left", 31), ("right", 33)]
    [(_, image)] = handout.scale_figures
    svg = base64.b64decode(image.src.split(",", 1)[1]).decode()
    assert "mdc" not in svg
    assert re.findall(r'class="lay-mark" data-side="(\w+)" data-value="([\d.]+)"', svg) == [
        ("left", "31.0"), ("right", "33.0")]
    assert handout.findings == report.athlete_sentences
    assert not [f for f in report.changes if f.code == Code.REAL_CHANGE]
    html = handouts.render_html(handout)
    assert "really changed" not in html and "bars" not in html
