"""The findings rules at their boundaries, with literal numbers and no database."""

from datetime import date
from decimal import Decimal as D

import pytest

from assessments import findings
from assessments.findings import Code, Finding, Mdc, Reading, Reference, ReferenceTable, Session
from assessments.vocabulary import Compensation, EndFeel, Instrument, MdcSituation, Position

GONIO = Instrument.GONIOMETER
INCLINO = Instrument.DIGITAL_INCLINOMETER

TABLE = ReferenceTable(
    references=(
        Reference("ir", "prone", "passive", "any", D(35), D(9), D(26), "IR any source"),
        Reference("ir", "prone", "passive", "male", D("36.7"), D("9.2"), D("27.5"), "IR men source"),
        Reference("ir", "prone", "passive", "female", D(46), D("9.1"), D("36.9"), "IR women source"),
        Reference("er", "prone", "passive", "any", D(42), D(9), D(33), "ER source"),
        Reference("extension", "modified_thomas", "passive", "any", D("6.8"), None, D(0), "Roach source"),
        Reference("total_arc", "prone", "passive", "any", None, None, None, "arc source", D(77), D(95)),
    ),
    same_rater_inclinometer=Mdc(D(8), "MDC same-rater source", MdcSituation.SAME_RATER_INCLINOMETER),
    other=Mdc(D(12), "MDC other source", MdcSituation.OTHER),
)


def reading(side, movement, value, **kw) -> Reading:
    return Reading(side, movement, None if value is None else D(str(value)), **kw)


def session(*readings, **kw) -> Session:
    return Session(readings=tuple(readings), **kw)


def codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


@pytest.mark.parametrize(
    ("left", "right", "instrument", "flagged"),
    [
        (30, 40, INCLINO, True),       # exactly 10° with MDC 8: max(10, 8) = 10, flagged
        (30, 39.9, INCLINO, False),    # just under 10°
        (30, 40, GONIO, False),        # exactly 10° with MDC 12: max(10, 12) = 12, not flagged
        (30, 41.5, GONIO, False),      # 11.5° still under 12°
        (30, 42, GONIO, True),         # exactly 12° with MDC 12
        (40, 30, INCLINO, True),       # direction does not matter
    ],
)
def test_asymmetry_threshold_is_the_larger_of_10_degrees_and_the_mdc(left, right, instrument, flagged):
    found = findings.asymmetries(
        session(reading("left", "ir", left, instrument=instrument),
                reading("right", "ir", right, instrument=instrument)),
        TABLE,
    )
    assert codes(found) == ([Code.ASYMMETRY_IR] if flagged else [])
    if flagged:
        mdc_source = "MDC same-rater source" if instrument == INCLINO else "MDC other source"
        assert "Ellison" in found[0].source and mdc_source in found[0].source
        assert "not validated" in found[0].clinician_text
        assert found[0].side == ("left" if left < right else "right")


def test_asymmetry_with_one_side_on_a_goniometer_uses_the_larger_mdc():
    found = findings.asymmetries(
        session(reading("left", "er", 30, instrument=INCLINO), reading("right", "er", 40, instrument=GONIO)), TABLE
    )
    assert found == []


@pytest.mark.parametrize(
    ("left_kw", "right_kw"),
    [
        ({"position": Position.PRONE}, {"position": Position.SEATED_90_90}),
        ({"mode": "passive"}, {"mode": "active"}),
    ],
)
def test_asymmetry_only_within_one_position_and_mode(left_kw, right_kw):
    found = findings.asymmetries(session(reading("left", "ir", 20, **left_kw), reading("right", "ir", 50, **right_kw)),
                                 TABLE)
    assert found == []


@pytest.mark.parametrize(
    ("before", "after", "same_rater", "instrument", "expected"),
    [
        (30, 37.5, True, INCLINO, Code.WITHIN_ERROR),   # 7.5° < MDC 8
        (30, 38, True, INCLINO, Code.REAL_CHANGE),      # 8° = MDC 8
        (38, 30, True, INCLINO, Code.REAL_CHANGE),      # a loss of 8° is real too
        (30, 41.5, False, INCLINO, Code.WITHIN_ERROR),  # 11.5° by different raters: between-rater MDC 12
        (30, 41.5, True, INCLINO, Code.REAL_CHANGE),    # the same 11.5° by one rater with an inclinometer
        (30, 42, False, INCLINO, Code.REAL_CHANGE),     # 12° by different raters
        (30, 38, True, GONIO, Code.WITHIN_ERROR),       # 8° on a goniometer: MDC 12
    ],
)
def test_change_is_real_only_at_or_beyond_the_mdc(before, after, same_rater, instrument, expected):
    earlier = session(reading("left", "ir", before, instrument=instrument), rater="alice",
                      assessed_on=date(2026, 3, 2))
    current = session(reading("left", "ir", after, instrument=instrument),
                      rater="alice" if same_rater else "bob", assessed_on=date(2026, 4, 2))
    found = findings.changes(current, [earlier], TABLE)
    assert codes(found) == [expected]
    assert found[0].compared_with == date(2026, 3, 2)
    assert "2 Mar 2026" in found[0].clinician_text
    if expected == Code.REAL_CHANGE:
        assert ("range improved" if after > before else "range decreased") in found[0].clinician_text
    for finding in found:
        assert "fixed" not in (finding.clinician_text + finding.athlete_text).lower()
        assert not finding.is_open


@pytest.mark.parametrize(
    "earlier_kw",
    [{"position": Position.SEATED_90_90}, {"mode": "active"}, {"instrument": GONIO}, {"side": "right"}],
)
def test_change_needs_the_same_position_mode_instrument_and_side(earlier_kw):
    kw = {"side": "left", "movement": "ir", "degrees": D(20), "instrument": INCLINO} | earlier_kw
    earlier = session(Reading(**kw), rater="alice")
    current = session(reading("left", "ir", 40, instrument=INCLINO), rater="alice")
    assert findings.changes(current, [earlier], TABLE) == []


def test_change_compares_with_the_latest_comparable_session_and_skips_others():
    newest_other_position = session(reading("left", "ir", 10, position=Position.SEATED_90_90), rater="a",
                                    assessed_on=date(2026, 3, 20))
    comparable = session(reading("left", "ir", 30), rater="a", assessed_on=date(2026, 3, 1))
    oldest = session(reading("left", "ir", 5), rater="a", assessed_on=date(2026, 1, 1))
    found = findings.changes(session(reading("left", "ir", 31), rater="a"), [newest_other_position, comparable, oldest],
                             TABLE)
    # Against the previous comparable visit, and against the first one (the seated reading is skipped).
    assert [(f.code, f.compared_with, f.since_first) for f in found] == [
        (Code.WITHIN_ERROR, date(2026, 3, 1), False), (Code.REAL_CHANGE, date(2026, 1, 1), True)]
    assert found[1].clinician_text.startswith("+26° since the first assessment: Left IR 31° vs 5°")


@pytest.mark.parametrize(
    ("sex", "value", "flagged", "source"),
    [
        ("male", 27, True, "IR men source"),
        ("male", D("27.5"), False, None),       # at the cut-off is not below it
        ("female", 36, True, "IR women source"),
        ("female", D("36.9"), False, None),
        ("other", 25.5, True, "IR any source"),
        ("other", 26, False, None),
        ("not_recorded", 30, False, None),      # 30° is low for women, but sex is not recorded
        ("female", 30, True, "IR women source"),
    ],
)
def test_below_reference_uses_the_sex_specific_row_where_sex_is_recorded(sex, value, flagged, source):
    found = findings.below_reference(session(reading("right", "ir", value), sex=sex), TABLE)
    assert codes(found) == ([Code.BELOW_REFERENCE_IR] if flagged else [])
    if flagged:
        assert found[0].source == source
        assert found[0].side == "right" and found[0].is_open
        assert found[0].athlete_text and "reference" not in found[0].athlete_text


def test_below_reference_er_and_limited_extension():
    found = findings.below_reference(
        session(reading("left", "er", D("32.5")), reading("right", "er", 33),
                reading("left", "extension", -1, position=Position.MODIFIED_THOMAS),
                reading("right", "extension", 0, position=Position.MODIFIED_THOMAS)),
        TABLE,
    )
    assert [(f.code, f.side) for f in found] == [(Code.BELOW_REFERENCE_ER, "left"), (Code.LIMITED_EXTENSION, "left")]
    assert found[1].source == "Roach source" and "−1°" in found[1].clinician_text


@pytest.mark.parametrize("position", [Position.SEATED_90_90, Position.SUPINE_90_90, Position.OTHER])
def test_seated_or_supine_readings_are_never_compared_with_prone_norms(position):
    # 5° IR would be far below every prone reference; without a reference for this position it is no finding.
    readings = [reading("left", "ir", 5, position=position), reading("right", "er", 5, position=position)]
    assert findings.below_reference(session(*readings, sex="female"), TABLE) == []
    summary = findings.rotation_summaries(session(*readings, reading("left", "er", 40, position=position)), TABLE)
    assert [s.arc_reference for s in summary] == [None]


def test_active_readings_are_not_compared_with_passive_norms():
    assert findings.below_reference(session(reading("left", "ir", 5, mode="active")), TABLE) == []


def test_not_tested_readings_produce_no_finding():
    lonely = session(
        reading("left", "ir", None, end_feel=EndFeel.SPASM, pain=8), reading("right", "ir", 5),
        reading("left", "er", None), reading("right", "er", 60),
        reading("left", "extension", None, position=Position.MODIFIED_THOMAS),
        rater="a",
    )
    found = findings.session_findings(lonely, TABLE)
    # The untested left IR's spasm end-feel and pain are not read at all.
    # Right IR 5° is under mean − 2 SD without pain: the structural-limit prompt, and below reference.
    assert [(f.code, f.side) for f in found] == [(Code.STRUCTURAL_REVIEW, "right"), (Code.BELOW_REFERENCE_IR, "right")]
    assert findings.changes(session(reading("left", "ir", None), rater="a"), [session(reading("left", "ir", 5),
                                                                                      rater="a")], TABLE) == []
    assert findings.changes(session(reading("left", "ir", 40), rater="a"), [session(reading("left", "ir", None),
                                                                                    rater="a")], TABLE) == []
    assert [s.side for s in findings.rotation_summaries(lonely, TABLE)] == ["right"]


@pytest.mark.parametrize(
    ("end_feel", "value", "pain", "expected"),
    [
        (EndFeel.EMPTY, 40, 0, Code.REFER_REVIEW),
        (EndFeel.SPASM, 40, 0, Code.REFER_REVIEW),
        (EndFeel.FIRM, 40, 5, None),
        (EndFeel.SOFT, 40, 2, Code.REFER_REVIEW),      # pain before resistance
        (EndFeel.SOFT, 40, 0, None),
        (EndFeel.FIRM, D("16.5"), 1, Code.REFER_REVIEW),  # under 35 − 2 × 9 = 17°, with pain: marked loss with pain
        (EndFeel.HARD, D("16.5"), 0, Code.REFER_REVIEW),  # marked loss with an abnormal end-feel
        (EndFeel.FIRM, 17, 3, None),                    # at the marked-loss line
        (EndFeel.FIRM, 10, 0, Code.STRUCTURAL_REVIEW),  # marked loss without pain, firm: review, not refer
        (EndFeel.FIRM, 10, None, Code.STRUCTURAL_REVIEW),
        (EndFeel.NOT_TESTED, 10, None, Code.STRUCTURAL_REVIEW),
    ],
)
def test_refer_flags(end_feel, value, pain, expected):
    found = findings.refer_flags(session(reading("left", "ir", value, end_feel=end_feel, pain=pain)), TABLE)
    assert codes(found) == ([expected] if expected else [])
    if expected == Code.REFER_REVIEW:
        assert found[0].severity == "refer" and found[0].is_open
    if expected == Code.STRUCTURAL_REVIEW:
        assert found[0].severity == "attention" and "bony or structural limit" in found[0].clinician_text


def test_a_refer_flag_suppresses_stretches_but_keeps_the_targets():
    painful = session(reading("left", "ir", 20, end_feel=EndFeel.EMPTY), reading("right", "ir", 40))
    found = findings.session_findings(painful, TABLE)
    assert found[0].code == Code.REFER_REVIEW  # the most serious first
    targets = findings.exercise_targets(found)
    assert targets.stretching_allowed is False
    assert targets.addresses["low_ir"] == (Code.BELOW_REFERENCE_IR, Code.ASYMMETRY_IR)
    assert targets.addresses["asymmetry"] == (Code.ASYMMETRY_IR,)

    calm = session(reading("left", "ir", 20, end_feel=EndFeel.FIRM), reading("right", "ir", 40))
    assert findings.exercise_targets(findings.session_findings(calm, TABLE)).stretching_allowed is True


def test_exercise_targets_map_every_open_finding_onto_the_library_codes():
    library_codes = {"low_ir", "low_er", "asymmetry", "poor_control", "limited_extension"}
    mapped = {code for targets in findings.EXERCISE_FINDINGS.values() for code in targets}
    assert mapped == library_codes
    # Every open finding but the refer flag motivates exercises, and so does limited extension at toe-off;
    # each one that does has its label and "why" for the handout.
    assert set(findings.EXERCISE_FINDINGS) == findings.OPEN_CODES - {Code.REFER_REVIEW, Code.STRUCTURAL_REVIEW} | {
        Code.LIMITED_EXTENSION_TOE_OFF}
    assert set(findings.MOTIVES) == set(findings.EXERCISE_FINDINGS)
    assert Code.LIMITED_EXTENSION_TOE_OFF.value == Compensation.LIMITED_EXTENSION_TOE_OFF.value
    control = findings.session_findings(
        session(compensations=(Compensation.KNEE_VALGUS, Compensation.LIMITED_EXTENSION_TOE_OFF)), TABLE
    )
    assert codes(control) == [Code.POOR_CONTROL]
    assert "knee falling inward" in control[0].clinician_text
    targets = findings.exercise_targets(control, compensations=(Compensation.LIMITED_EXTENSION_TOE_OFF,))
    assert set(targets.addresses) == {"poor_control", "limited_extension"}


def test_only_limited_extension_at_toe_off_is_not_a_control_finding():
    assert findings.poor_control(session(compensations=(Compensation.LIMITED_EXTENSION_TOE_OFF,))) == []


def test_total_arc_and_ratio_per_side_with_the_positions_reference():
    summaries = findings.rotation_summaries(
        session(reading("left", "ir", 30), reading("left", "er", 45), reading("right", "ir", 30),
                reading("right", "er", 0)),
        TABLE,
    )
    left, right = summaries
    assert (left.side, left.total_arc, left.ir_er_ratio) == ("left", D(75), D("0.67"))
    assert left.arc_reference.band == (D(77), D(95))
    assert right.ir_er_ratio is None  # ER of 0°: no ratio


def test_every_finding_has_code_severity_both_wordings_and_a_source():
    busy = session(
        reading("left", "ir", 15, pain=4), reading("right", "ir", 40), reading("left", "er", 20),
        reading("right", "er", 45, end_feel=EndFeel.SPASM),
        reading("left", "extension", -8, position=Position.MODIFIED_THOMAS),
        compensations=(Compensation.PELVIS_EARLY_ROTATION,), sex="male", rater="a",
    )
    found = findings.session_findings(busy, TABLE) + findings.changes(
        busy, [session(reading("left", "ir", 30), rater="b", assessed_on=date(2026, 1, 5))], TABLE)
    assert {f.code for f in found} == {
        Code.REFER_REVIEW, Code.BELOW_REFERENCE_IR, Code.BELOW_REFERENCE_ER, Code.ASYMMETRY_IR, Code.ASYMMETRY_ER,
        Code.LIMITED_EXTENSION, Code.POOR_CONTROL, Code.REAL_CHANGE,
    }
    for finding in found:
        assert finding.code and finding.severity in {"refer", "attention", "info"}
        assert finding.clinician_text and finding.athlete_text and finding.source
        assert "°" not in finding.athlete_text  # plain language: no numbers for the athlete


def test_the_reference_table_falls_back_to_the_any_row_and_picks_the_mdc():
    assert TABLE.reference("ir", "prone", "passive", "other").source == "IR any source"
    assert TABLE.reference("er", "prone", "passive", "female").source == "ER source"
    assert TABLE.reference("ir", "seated_90_90", "passive", "female") is None
    assert TABLE.mdc(same_rater=True, instruments=[INCLINO, INCLINO]).degrees == 8
    assert TABLE.mdc(same_rater=False, instruments=[INCLINO, INCLINO]).degrees == 12
    assert TABLE.mdc(same_rater=True, instruments=[INCLINO, Instrument.SMARTPHONE_APP]).degrees == 12


@pytest.mark.parametrize(("value", "text"), [(D("27.5"), "27.5°"), (D("30.0"), "30°"), (D("-4"), "−4°")])
def test_degrees_are_written_without_trailing_zeros(value, text):
    assert findings.degrees(value) == text
