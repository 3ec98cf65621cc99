"""Suggestion rules (clinical-reference §4): from findings to exercises, with the reason for each."""

import pytest

from assessments.findings import Code, Finding, Severity
from assessments.models import reference_table
from assessments.programs import suggestions
from exercises.models import Exercise
from tests.factories import make_assessment, make_athlete, make_exercise, make_library

pytestmark = pytest.mark.django_db


def finding(code: str, side: str = "", severity: str = Severity.ATTENTION, movement: str = "") -> Finding:
    return Finding(code, severity, f"clinician text for {code} {side}".strip(), f"athlete text for {code}",
                   "a source", side=side, movement=movement)


REFER = finding(Code.REFER_REVIEW, "left", Severity.REFER, movement="ir")


@pytest.fixture
def library():
    return make_library()


def names(suggested: suggestions.Suggestions) -> list[str]:
    return [s.exercise.name for s in suggested.items]


def test_low_ir_suggests_ir_mobility_with_the_finding_and_its_side(library):
    low_ir = finding(Code.BELOW_REFERENCE_IR, "left")
    result = suggestions.suggest([low_ir], library.values())
    assert names(result) == ["Hip internal rotation contract-relax", "Prone hip internal rotation"]
    assert {s.exercise.family for s in result.items} == {"ir_mobility"}
    assert all(s.finding is low_ir and s.motive == "below_reference_ir" for s in result.items)
    assert all(s.reason == "clinician text for below_reference_ir left" for s in result.items)
    assert {s.side for s in result.items} == {"left"}
    assert result.stretching_allowed and result.withheld == ()


def test_ir_asymmetry_suggests_ir_mobility_for_the_lower_side(library):
    asymmetry = finding(Code.ASYMMETRY_IR, "right")
    result = suggestions.suggest([asymmetry], library.values())
    assert names(result) == ["Hip internal rotation contract-relax", "Prone hip internal rotation"]
    assert {s.side for s in result.items} == {"right"}


def test_low_ir_on_both_sides_keeps_the_exercises_own_side(library):
    result = suggestions.suggest([finding(Code.BELOW_REFERENCE_IR, "left"), finding(Code.BELOW_REFERENCE_IR, "right")],
                              library.values())
    assert {s.side for s in result.items} == {"both"}


def test_limited_er_suggests_er_flexibility(library):
    result = suggestions.suggest([finding(Code.BELOW_REFERENCE_ER, "right")], library.values())
    assert names(result) == ["Glute-biased external rotation stretch", "Hamstring-biased external rotation stretch"]
    assert {s.exercise.family for s in result.items} == {"er_flexibility"}
    assert all(s.motive == "below_reference_er" for s in result.items)


def test_limited_extension_suggests_extension_mobility(library):
    result = suggestions.suggest([finding(Code.LIMITED_EXTENSION, "left")], library.values())
    assert names(result) == ["Half-kneeling hip flexor stretch with reach"]
    assert result.items[0].exercise.family == "extension_mobility"


def test_limited_extension_seen_at_toe_off_also_suggests_extension_work(library):
    result = suggestions.suggest([], library.values(), compensations=["limited_extension_toe_off"])
    assert names(result) == ["Half-kneeling hip flexor stretch with reach"]
    assert result.items[0].motive == "limited_extension_toe_off"
    assert "toe-off" in result.items[0].reason


def test_poor_control_suggests_control_and_strength(library):
    control = finding(Code.POOR_CONTROL)
    result = suggestions.suggest([control], library.values())
    assert names(result) == ["Hip external rotation off a bed edge", "Single-leg rotational hip control"]
    assert {s.exercise.family for s in result.items} == {"control_strength"}
    assert {s.side for s in result.items} == {"both"}  # the library's default: control has no side


def test_refer_flag_suggests_no_stretching_and_says_which_were_left_out(library):
    found = [REFER, finding(Code.BELOW_REFERENCE_ER, "left"), finding(Code.BELOW_REFERENCE_IR, "left"),
             finding(Code.LIMITED_EXTENSION, "left")]
    result = suggestions.suggest(found, library.values())
    assert not result.stretching_allowed
    assert result.refer_flags == (REFER,)
    # On the flagged left hip: no stretch, and no end-range IR mobility (the flag is on left IR).
    assert names(result) == []
    assert [(w.exercise.name, w.why) for w in result.withheld] == [
        ("Glute-biased external rotation stretch", "a stretch, and the left hip has a refer/review flag"),
        ("Half-kneeling hip flexor stretch with reach", "a stretch, and the left hip has a refer/review flag"),
        ("Hamstring-biased external rotation stretch", "a stretch, and the left hip has a refer/review flag"),
        ("Hip internal rotation contract-relax", "end-range mobility, and the left hip has a refer/review flag"),
        ("Prone hip internal rotation", "end-range mobility, and the left hip has a refer/review flag"),
    ]


def test_refer_flag_alone_suggests_nothing(library):
    result = suggestions.suggest([REFER], library.values())
    assert result.items == () and result.refer_flags == (REFER,)


def test_no_findings_no_suggestions(library):
    result = suggestions.suggest([finding(Code.WITHIN_ERROR, "left")], library.values())
    assert result.items == () and result.stretching_allowed


def test_program_order_is_mobility_then_control_and_each_exercise_once(library):
    result = suggestions.suggest(
        [finding(Code.POOR_CONTROL), finding(Code.BELOW_REFERENCE_ER, "left"), finding(Code.ASYMMETRY_IR, "left"),
         finding(Code.BELOW_REFERENCE_IR, "left")],
        library.values(),
    )
    families = [s.exercise.family for s in result.items]
    assert families == sorted(families, key=suggestions.FAMILY_ORDER.index)
    assert len(names(result)) == len(set(names(result)))
    # An exercise asked for by two findings carries the first one given (findings come most serious first).
    assert result.items[0].motive == "asymmetry_ir"


def test_at_most_per_target_and_the_clinics_own_first(library, clinic_a):
    own = make_exercise(clinic_a, name="Clinic A IR drill", family="ir_mobility", addresses=["low_ir"])
    extra = [make_exercise(name=f"Another IR drill {n}", family="ir_mobility", addresses=["low_ir"]) for n in range(3)]
    result = suggestions.suggest([finding(Code.BELOW_REFERENCE_IR, "left")], [*library.values(), own, *extra])
    assert len(result.items) == suggestions.PER_FAMILY
    assert result.items[0].exercise == own


def test_only_the_family_of_section_4_is_suggested_for_a_finding(library):
    control_for_ir = make_exercise(name="Aardvark IR control", family="control_strength", addresses=["low_ir"])
    result = suggestions.suggest([finding(Code.BELOW_REFERENCE_IR, "left")], [*library.values(), control_for_ir])
    assert names(result) == ["Hip internal rotation contract-relax", "Prone hip internal rotation"]


def test_candidates_are_only_what_the_clinic_may_prescribe(library, clinic_a, clinic_b, bob):
    theirs = make_exercise(clinic_b, name="Clinic B IR drill", family="ir_mobility", addresses=["low_ir"])
    archived = make_exercise(clinic_a, name="Old IR drill", family="ir_mobility", addresses=["low_ir"])
    archived.archive()
    candidates = suggestions.candidate_exercises(bob, ["low_ir"])
    assert theirs not in candidates and archived not in candidates
    assert {e.name for e in candidates} == {"Hip internal rotation contract-relax", "Prone hip internal rotation"}
    assert suggestions.candidate_exercises(bob, []) == []


def test_suggestions_for_a_real_assessment_with_an_empty_end_feel(library, clinic_a, bob):
    athlete = make_athlete(clinic_a)
    assessment = make_assessment(athlete, bob, [
        {"side": "left", "movement": "ir", "degrees": 30, "end_feel": "empty"},
        ("right", "ir", 40), ("left", "er", 20), ("right", "er", 22),
    ])
    result = suggestions.for_report(assessment.report(reference_table(clinic_a)), bob)
    assert [f.code for f in result.refer_flags] == ["refer_review"]
    # ER is below reference on both sides, the left IR end-feel is empty: ER stretches for the right only.
    stretches = [s for s in result.items if s.exercise.is_stretch]
    assert stretches and all(s.side == "right" and "Right side only: the left hip has a refer/review flag" in s.reason
                             for s in stretches)
    assert not any(s.exercise.family == "ir_mobility" and s.side != "right" for s in result.items)


def test_a_clinic_calf_exercise_is_never_suggested_for_a_hip_finding(library, clinic_a, bob):
    """The case that was seen: a clinic's calf raise suggested for "pelvis rotating early"."""
    calf = make_exercise(clinic_a, name="Aardvark calf raise", region="ankle_calf", family="strength", addresses=[])
    # Filed under a hip finding by any path that skipped the form (an old row, a script, the admin).
    misfiled = make_exercise(clinic_a, name="Aardvark heel drop", region="ankle_calf", family="strength", addresses=[])
    Exercise.objects.filter(pk=misfiled.pk).update(addresses=["poor_control", "low_ir", "low_er", "limited_extension"])
    misfiled.refresh_from_db()
    hip_work = make_exercise(clinic_a, name="Aardvark pelvic control", region="pelvis_trunk",
                             family="control_strength", addresses=["poor_control"])
    athlete = make_athlete(clinic_a)
    assessment = make_assessment(athlete, bob, [("left", "ir", 10), ("right", "ir", 40), ("left", "er", 20),
                                                ("right", "er", 22), ("left", "extension", -12)],
                                 pelvis_early_rotation=True, knee_valgus=True, limited_extension_toe_off=True)
    report = assessment.report(reference_table(clinic_a))
    assert {f.code for f in report.findings} >= {"poor_control", "below_reference_ir", "below_reference_er"}
    result = suggestions.for_report(report, bob)
    assert result.items
    assert calf.name not in names(result) and misfiled.name not in names(result)
    assert hip_work.name in names(result)  # pelvis and trunk control work does answer the control finding
    assert misfiled not in suggestions.candidate_exercises(bob, ["poor_control", "low_ir"])
    every_finding = [finding(code, "left") for code in suggestions.FAMILY_FOR]
    assert misfiled.name not in names(suggestions.suggest(every_finding, [*library.values(), misfiled]))
