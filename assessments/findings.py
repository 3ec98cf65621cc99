"""What a set of hip range-of-motion readings means (clinical-reference §2–4).

Pure functions: plain dataclasses in, dataclasses out, no database. The models turn an assessment
into a ``Session`` and the clinic's reference values into a ``ReferenceTable``; everything here can
be tested with literal numbers.

Rules encoded here, each finding carrying the source of its threshold:

- below reference: a prone passive IR or ER under the reference cut-off (mean − 1 SD), using the
  sex-specific row where the athlete's sex is recorded; hip extension under 0°;
- asymmetry: both sides measured in the same session, position and mode, |L − R| ≥ max(10°, MDC95);
- change over time (§3): only between *comparable* readings (``comparable``: same side, movement,
  position, mode and instrument type), against the previous comparable reading and against the
  first one; "real change" when |Δ| ≥ the MDC95 that applies to the pair (``mdc_between``: the
  small value only when one clinician measured both with a digital inclinometer), otherwise
  "within measurement error". The charts use the same two functions, so they cannot disagree;
- refer/review (§4): an empty or spasm end-feel; pain before resistance (pain during the test
  with a soft end-feel); marked IR loss (under mean − 2 SD) with pain or an abnormal end-feel. On
  the flagged side, no stretches and no end-range mobility of the flagged movement are suggested;
- review (§4, proposed): marked IR loss without pain and with a firm (or untested) end-feel is a
  prompt to consider a bony or structural limit; it does not hold back any suggestion.

A reading in one position is never compared with a reading or a norm of another position: every
lookup below matches position and mode exactly, and no reference means no finding. ``coverage``
says which checks ran and which could not (no reference for a position, one side only), so a
page never claims more than was checked.
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from assessments.vocabulary import (
    WORRYING_END_FEELS,
    Compensation,
    EndFeel,
    Instrument,
    MdcSituation,
    Measure,
    Mode,
    Movement,
    Position,
    ReferenceSex,
    Side,
)

ASYMMETRY_FLOOR = Decimal(10)
ASYMMETRY_SOURCE = (
    "Sides within 10° were treated as equal (Ellison, Rose & Sahrmann, Phys Ther 1990); "
    "flagged at max(10°, MDC95) (proposed)"
)
# "Marked" IR loss: under the reference mean minus two SDs (a design choice, not a published cut-off).
MARKED_LOSS_SDS = Decimal(2)
MARKED_LOSS_SOURCE = (
    "Refer/review when IR loss is marked (under the reference mean − 2 SD, proposed) with pain or an abnormal "
    "end-feel (clinical-reasoning table, clinical reference §4)"
)
STRUCTURAL_SOURCE = (
    "Marked IR loss without pain and with a firm end-feel: consider a bony or structural limit (e.g. femoral "
    "version, cam morphology) before expecting mobility work to change it (proposed, clinical reference §4)"
)
END_FEEL_SOURCE = "Empty or spasm end-feel: refer/review, do not stretch (clinical reasoning, clinical reference §4)"
PAIN_BEFORE_RESISTANCE_SOURCE = (
    "Pain before resistance (pain during the test with a soft or empty end-feel): refer/review (clinical reasoning, "
    "clinical reference §4)"
)
# End-feels other than the firm one expected at the end of passive hip rotation.
ABNORMAL_END_FEELS = (EndFeel.SOFT, EndFeel.HARD, EndFeel.EMPTY, EndFeel.SPASM)
CONTROL_SOURCE = (
    "Observed while running; control and strength work for poor control (clinical reasoning, not validated)"
)
NO_CHANGE_CLAIM = "Range-of-motion gains do not prove functional change (Moreside & McGill 2013)"


class Severity(StrEnum):
    REFER = "refer"
    ATTENTION = "attention"
    INFO = "info"


SEVERITY_ORDER = {Severity.REFER: 0, Severity.ATTENTION: 1, Severity.INFO: 2}


class Code(StrEnum):
    BELOW_REFERENCE_IR = "below_reference_ir"
    BELOW_REFERENCE_ER = "below_reference_er"
    ASYMMETRY_IR = "asymmetry_ir"
    ASYMMETRY_ER = "asymmetry_er"
    LIMITED_EXTENSION = "limited_extension"
    POOR_CONTROL = "poor_control"
    REFER_REVIEW = "refer_review"
    STRUCTURAL_REVIEW = "structural_review"
    REAL_CHANGE = "real_change"
    WITHIN_ERROR = "within_error"
    # An observation rather than a finding of this module; it motivates extension work all the same.
    LIMITED_EXTENSION_TOE_OFF = "limited_extension_toe_off"


CODE_LABELS = {
    Code.BELOW_REFERENCE_IR: "below reference",
    Code.BELOW_REFERENCE_ER: "below reference",
    Code.ASYMMETRY_IR: "asymmetry (lower side)",
    Code.ASYMMETRY_ER: "asymmetry (lower side)",
    Code.LIMITED_EXTENSION: "limited",
    Code.POOR_CONTROL: "poor control while running",
    Code.REFER_REVIEW: "refer / review",
    Code.STRUCTURAL_REVIEW: "review: structural limit?",
    Code.REAL_CHANGE: "real change",
    Code.WITHIN_ERROR: "within measurement error",
    Code.LIMITED_EXTENSION_TOE_OFF: "limited hip extension at toe-off",
}
# Findings about the athlete's state (counted as "open findings"); changes describe time instead.
OPEN_CODES = frozenset(
    {
        Code.BELOW_REFERENCE_IR, Code.BELOW_REFERENCE_ER, Code.ASYMMETRY_IR, Code.ASYMMETRY_ER,
        Code.LIMITED_EXTENSION, Code.POOR_CONTROL, Code.REFER_REVIEW, Code.STRUCTURAL_REVIEW,
    }
)
CONTROL_COMPENSATIONS = (
    Compensation.PELVIS_EARLY_ROTATION, Compensation.TRUNK_SIDE_BEND, Compensation.KNEE_VALGUS,
    Compensation.FOOT_TURN_OUT,
)


@dataclass(frozen=True)
class Reading:
    """One measurement. ``degrees`` is None when the movement was not tested."""

    side: str
    movement: str
    degrees: Decimal | None
    position: str = Position.PRONE
    mode: str = Mode.PASSIVE
    instrument: str = Instrument.GONIOMETER
    pain: int | None = None
    end_feel: str = EndFeel.NOT_TESTED

    @property
    def tested(self) -> bool:
        return self.degrees is not None


@dataclass(frozen=True)
class Session:
    """One assessment as the findings see it. ``rater`` identifies the clinician who measured."""

    readings: tuple[Reading, ...]
    rater: Hashable = None
    sex: str = "not_recorded"
    assessed_on: date | None = None
    compensations: tuple[str, ...] = ()

    def tested(self) -> list[Reading]:
        return [r for r in self.readings if r.tested]

    def find(self, side: str, movement: str, position: str, mode: str) -> Reading | None:
        for reading in self.tested():
            if (reading.side, reading.movement, reading.position, reading.mode) == (side, movement, position, mode):
                return reading
        return None


@dataclass(frozen=True)
class Reference:
    measure: str
    position: str
    mode: str
    sex: str
    mean: Decimal | None
    sd: Decimal | None
    threshold: Decimal | None
    source: str
    band_low: Decimal | None = None
    band_high: Decimal | None = None

    @property
    def band(self) -> tuple[Decimal | None, Decimal | None]:
        """The usual range drawn on charts: explicit when given, otherwise mean ± 1 SD."""
        if self.band_low is not None or self.band_high is not None:
            return self.band_low, self.band_high
        if self.mean is not None and self.sd is not None:
            return self.mean - self.sd, self.mean + self.sd
        return None, None

    @property
    def population(self) -> str:
        return {ReferenceSex.FEMALE: "women", ReferenceSex.MALE: "men"}.get(self.sex, "adults")


@dataclass(frozen=True)
class Mdc:
    degrees: Decimal
    source: str
    situation: str = MdcSituation.OTHER


@dataclass(frozen=True)
class ReferenceTable:
    references: tuple[Reference, ...]
    same_rater_inclinometer: Mdc
    other: Mdc

    def reference(self, measure: str, position: str, mode: str, sex: str = ReferenceSex.ANY) -> Reference | None:
        """The row for this measure, position and mode: sex-specific when the athlete's sex is
        female or male and such a row exists, otherwise the "any" row. Never another position's."""
        candidates = [r for r in self.references if (r.measure, r.position, r.mode) == (measure, position, mode)]
        for wanted in ((sex,) if sex in (ReferenceSex.FEMALE, ReferenceSex.MALE) else ()) + (ReferenceSex.ANY,):
            for row in candidates:
                if row.sex == wanted:
                    return row
        return None

    def mdc(self, *, same_rater: bool, instruments: Iterable[str]) -> Mdc:
        """MDC95: the small value only when one clinician used a digital inclinometer throughout."""
        if same_rater and all(i == Instrument.DIGITAL_INCLINOMETER for i in instruments):
            return self.same_rater_inclinometer
        return self.other

    def mdc_between(self, now: "Reading", then: "Reading", *, same_rater: bool) -> "AppliedMdc":
        """The MDC95 that applies to a change between two comparable readings, and why, in words.
        The one choice of MDC that findings, charts and captions all use."""
        instruments = sorted({Instrument(now.instrument).label.lower(), Instrument(then.instrument).label.lower()})
        who = "same clinician" if same_rater else "different clinicians"
        return AppliedMdc(self.mdc(same_rater=same_rater, instruments=(now.instrument, then.instrument)),
                          f"{who}, {' and '.join(instruments)}")


@dataclass(frozen=True)
class AppliedMdc:
    """An MDC95 with the situation it was chosen for: "same clinician, digital inclinometer"."""

    mdc: Mdc
    situation: str

    @property
    def degrees(self) -> Decimal:
        return self.mdc.degrees

    @property
    def label(self) -> str:
        return f"MDC95 {degrees(self.mdc.degrees)} ({self.situation})"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    clinician_text: str
    athlete_text: str
    source: str
    side: str = ""
    movement: str = ""
    compared_with: date | None = None
    since_first: bool = False  # a change against the first comparable assessment, not the previous one

    @property
    def is_open(self) -> bool:
        return self.code in OPEN_CODES

    @property
    def label(self) -> str:
        """A few words for badges and lists: "Left IR below reference"."""
        what = CODE_LABELS[Code(self.code)]
        if self.side and self.movement:
            return f"{Side(self.side).label} {Movement(self.movement).short} {what}"
        return what[:1].upper() + what[1:]


@dataclass(frozen=True)
class RotationSummary:
    """Total arc and IR/ER ratio of one side in one position and mode."""

    side: str
    position: str
    mode: str
    ir: Decimal
    er: Decimal
    arc_reference: Reference | None

    @property
    def setting_label(self) -> str:
        return f"{Position(self.position).label}, {Mode(self.mode).label.lower()}"

    @property
    def arc_band_label(self) -> str:
        low, high = self.arc_reference.band if self.arc_reference else (None, None)
        if low is not None and high is not None:
            return f"{degrees(low)}–{degrees(high)}"
        if self.arc_reference and self.arc_reference.mean is not None:
            return f"mean {degrees(self.arc_reference.mean)}"
        return ""

    @property
    def total_arc(self) -> Decimal:
        return self.ir + self.er

    @property
    def ir_er_ratio(self) -> Decimal | None:
        """IR divided by ER, two decimals; undefined when ER is zero or negative."""
        if self.er <= 0:
            return None
        return (self.ir / self.er).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ExerciseTargets:
    """What the exercise library should address (``exercises.models.Finding`` codes), and why."""

    addresses: dict[str, tuple[str, ...]]
    stretching_allowed: bool


def degrees(value: Decimal) -> str:
    """27.5 -> "27.5°", 30.0 -> "30°", -4 -> "−4°"."""
    text = format(value.normalize(), "f")
    return text.replace("-", "−") + "°"


def long_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + degrees(value)


def _label(side: str, movement: str) -> str:
    return f"{Side(side).label} {Movement(movement).short}"


def _setting(reading: Reading) -> str:
    return f"{Position(reading.position).label.lower()}, {Mode(reading.mode).label.lower()}"


def _sort(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER[Severity(f.severity)])


ATHLETE_MOVEMENT = {
    Movement.IR: "turns inwards",
    Movement.ER: "turns outwards",
    Movement.EXTENSION: "stretches backwards",
}


def below_reference(session: Session, table: ReferenceTable) -> list[Finding]:
    findings = []
    codes = {Movement.IR: Code.BELOW_REFERENCE_IR, Movement.ER: Code.BELOW_REFERENCE_ER,
             Movement.EXTENSION: Code.LIMITED_EXTENSION}
    for reading in session.tested():
        reference = table.reference(reading.movement, reading.position, reading.mode, session.sex)
        if reference is None or reference.threshold is None or reading.degrees >= reference.threshold:
            continue
        side = Side(reading.side).label
        if reading.movement == Movement.EXTENSION:
            clinician = (
                f"{side} hip extension {degrees(reading.degrees)} ({Position(reading.position).label}): "
                f"under the reference of {degrees(reference.threshold)}."
            )
            athlete = (
                f"The front of your {side.lower()} hip is tight: your thigh does not drop as far back as usual."
            )
        else:
            basis = (
                f"mean {degrees(reference.mean)} − 1 SD {degrees(reference.sd)}, {reference.population}"
                if reference.mean is not None and reference.sd is not None
                else reference.population
            )
            clinician = (
                f"{_label(reading.side, reading.movement)} {degrees(reading.degrees)} ({_setting(reading)}) "
                f"is below the reference cut-off of {degrees(reference.threshold)} ({basis})."
            )
            athlete = f"Your {side.lower()} hip {ATHLETE_MOVEMENT[Movement(reading.movement)]} less than is usual."
        findings.append(
            Finding(codes[Movement(reading.movement)], Severity.ATTENTION, clinician, athlete, reference.source,
                    side=reading.side, movement=reading.movement)
        )
    return findings


def asymmetries(session: Session, table: ReferenceTable) -> list[Finding]:
    findings = []
    codes = {Movement.IR: Code.ASYMMETRY_IR, Movement.ER: Code.ASYMMETRY_ER}
    for left in session.tested():
        if left.side != Side.LEFT or left.movement not in codes:
            continue
        right = session.find(Side.RIGHT, left.movement, left.position, left.mode)
        if right is None:
            continue
        applied = table.mdc_between(left, right, same_rater=True)  # one session: one clinician
        mdc = applied.mdc
        threshold = max(ASYMMETRY_FLOOR, mdc.degrees)
        difference = abs(left.degrees - right.degrees)
        if difference < threshold:
            continue
        lower, higher = (left, right) if left.degrees < right.degrees else (right, left)
        larger = max(left.degrees, right.degrees)
        percent = f"; {(difference / larger * 100).quantize(Decimal(1))}% of the larger side, not validated" if (
            larger > 0) else ""
        movement = Movement(left.movement)
        clinician = (
            f"{movement.short} asymmetry ({_setting(left)}): left {degrees(left.degrees)}, right "
            f"{degrees(right.degrees)}, difference {degrees(difference)}{percent}. "
            f"Threshold max(10°, {applied.label}) = {degrees(threshold)}."
        )
        athlete = (
            f"Your {Side(lower.side).label.lower()} hip {ATHLETE_MOVEMENT[movement]} clearly less than your "
            f"{Side(higher.side).label.lower()} hip."
        )
        source = f"{ASYMMETRY_SOURCE}; {applied.label}: {mdc.source}"
        findings.append(Finding(codes[movement], Severity.ATTENTION, clinician, athlete, source,
                                side=lower.side, movement=movement))
    return findings


def refer_flags(session: Session, table: ReferenceTable) -> list[Finding]:
    """Refer/review flags (§4), one per reading at most, and the structural-limit prompt."""
    findings = []
    for reading in session.tested():
        label = _label(reading.side, reading.movement)
        side = Side(reading.side).label.lower()
        what = "stretches or mobility work" if reading.movement != Movement.EXTENSION else "stretches"
        athlete = f"We want to look more closely at your {side} hip before giving it {what}."
        review = "Review before stretching or end-range mobility work on this side; consider referral."
        if reading.end_feel in WORRYING_END_FEELS:
            findings.append(Finding(
                Code.REFER_REVIEW, Severity.REFER,
                f"{label}: {EndFeel(reading.end_feel).label.lower()} end-feel. {review}",
                athlete, END_FEEL_SOURCE, side=reading.side, movement=reading.movement,
            ))
            continue
        if reading.pain and reading.end_feel == EndFeel.SOFT:
            findings.append(Finding(
                Code.REFER_REVIEW, Severity.REFER,
                f"{label}: pain {reading.pain}/10 with a soft end-feel (pain before resistance). {review}",
                athlete, PAIN_BEFORE_RESISTANCE_SOURCE, side=reading.side, movement=reading.movement,
            ))
            continue
        marked = marked_loss(reading, session, table)
        if marked is None:
            continue
        cut_off, reference = marked
        loss = (f"{label} {degrees(reading.degrees)}: marked loss (under {degrees(cut_off)}, the reference mean − 2 SD "
                f"for {reference.population})")
        if reading.pain or reading.end_feel in ABNORMAL_END_FEELS:
            why = " and ".join(part for part in (
                f"pain {reading.pain}/10 during the test" if reading.pain else "",
                f"a {EndFeel(reading.end_feel).label.lower()} end-feel" if reading.end_feel in ABNORMAL_END_FEELS
                else "") if part)
            findings.append(Finding(
                Code.REFER_REVIEW, Severity.REFER, f"{loss}, with {why}. {review}", athlete,
                f"{MARKED_LOSS_SOURCE}; reference: {reference.source}", side=reading.side, movement=reading.movement,
            ))
        else:
            feel = "firm end-feel" if reading.end_feel == EndFeel.FIRM else "end-feel not assessed"
            findings.append(Finding(
                Code.STRUCTURAL_REVIEW, Severity.ATTENTION,
                f"{loss}, without pain ({feel}). Review: consider a bony or structural limit (femoral version, "
                f"cam morphology) before expecting mobility work to change it. Suggestions are not held back.",
                f"Your {side} hip turns inwards much less than is usual; we will check what limits it.",
                f"{STRUCTURAL_SOURCE}; reference: {reference.source}", side=reading.side, movement=reading.movement,
            ))
    return findings


def marked_loss(reading: Reading, session: Session, table: ReferenceTable) -> tuple[Decimal, Reference] | None:
    """(cut-off, reference) when an IR reading is under its reference mean − 2 SD, else None."""
    if reading.movement != Movement.IR:
        return None
    reference = table.reference(Measure.IR, reading.position, reading.mode, session.sex)
    if reference is None or reference.mean is None or reference.sd is None:
        return None
    cut_off = reference.mean - MARKED_LOSS_SDS * reference.sd
    return (cut_off, reference) if reading.degrees < cut_off else None


def poor_control(session: Session) -> list[Finding]:
    seen = [c for c in CONTROL_COMPENSATIONS if c in session.compensations]
    if not seen:
        return []
    labels = [Compensation(c).label.lower() for c in seen]
    return [Finding(
        Code.POOR_CONTROL, Severity.ATTENTION,
        f"Seen while running: {'; '.join(labels)}.",
        "When you run, your hip and pelvis move in ways we can train you to control.",
        CONTROL_SOURCE,
    )]


def session_findings(session: Session, table: ReferenceTable) -> list[Finding]:
    """Everything one assessment shows on its own, most serious first."""
    return _sort(
        refer_flags(session, table) + below_reference(session, table) + asymmetries(session, table)
        + poor_control(session)
    )


def comparable(a: Reading, b: Reading) -> bool:
    """Same side, movement, position, mode and instrument type: the only readings worth comparing
    (findings and charts both use this one rule)."""
    return (a.side, a.movement, a.position, a.mode, a.instrument) == (
        b.side, b.movement, b.position, b.mode, b.instrument)


def same_rater(a: Session, b: Session) -> bool:
    return a.rater is not None and a.rater == b.rater


def changes(current: Session, earlier: Sequence[Session], table: ReferenceTable) -> list[Finding]:
    """Each tested reading against its latest comparable reading in ``earlier`` (newest first), and
    against the first comparable one when that is an older visit still."""
    findings = []
    for reading in current.tested():
        matches = [(session, before) for session in earlier for before in session.tested()
                   if comparable(before, reading)]
        if not matches:
            continue
        previous_session, previous = matches[0]
        findings.append(_change(reading, previous, current, previous_session, table))
        first_session, first = matches[-1]
        if first_session is not previous_session:
            findings.append(_change(reading, first, current, first_session, table, since_first=True))
    return findings


def _change(now: Reading, before: Reading, current: Session, previous: Session, table: ReferenceTable,
            *, since_first: bool = False) -> Finding:
    applied = table.mdc_between(now, before, same_rater=same_rater(current, previous))
    delta = now.degrees - before.degrees
    visit = "the first assessment" if since_first else "the previous assessment"
    when = f" at {visit}" + (f" on {long_date(previous.assessed_on)}" if previous.assessed_on else "")
    label = _label(now.side, now.movement)
    measured = f"{label} {degrees(now.degrees)} vs {degrees(before.degrees)}{when} ({signed(delta)})"
    side = Side(now.side).label.lower()
    movement = ATHLETE_MOVEMENT[Movement(now.movement)]
    check = "your first check" if since_first else "your last check"
    source = f"{applied.label}: {applied.mdc.source}"
    common = {"side": now.side, "movement": now.movement, "compared_with": previous.assessed_on,
              "since_first": since_first}
    if abs(delta) >= applied.degrees:
        direction = "range improved" if delta > 0 else "range decreased"
        since = f"{signed(delta)} since {visit}: " if since_first else ""
        return Finding(
            Code.REAL_CHANGE, Severity.INFO,
            f"{since}{measured}: real change, at least the {applied.label}; {direction}.",
            f"Your {side} hip {movement} {'further' if delta > 0 else 'less far'} than at {check}: {direction}.",
            f"{source}. {NO_CHANGE_CLAIM}", **common,
        )
    return Finding(
        Code.WITHIN_ERROR, Severity.INFO,
        f"{measured}: within measurement error ({applied.label}).",
        f"Your {side} hip {movement} about as far as at {check}.", source, **common,
    )


@dataclass(frozen=True)
class Coverage:
    """Which checks ran on a session, and which could not, in words for the clinician."""

    checked: tuple[str, ...]
    not_checked: tuple[str, ...]


def coverage(session: Session, table: ReferenceTable) -> Coverage:
    checked, not_checked = [], []
    settings = dict.fromkeys((r.movement, r.position, r.mode) for r in session.tested())
    for movement, position, mode in settings:
        what = f"{Movement(movement).short} ({Position(position).label.lower()}, {Mode(mode).label.lower()})"
        sides = [r.side for r in session.tested() if (r.movement, r.position, r.mode) == (movement, position, mode)]
        reference = table.reference(movement, position, mode, session.sex)
        if reference is not None and reference.threshold is not None:
            checked.append(f"{what} against the reference")
        else:
            not_checked.append(f"{what}: no reference for this position and mode, so not compared with a norm")
        if movement in (Movement.IR, Movement.ER):
            if len(set(sides)) == 2:
                checked.append(f"{what} left against right")
            else:
                not_checked.append(f"{what}: {Side(sides[0]).label.lower()} side only, so the sides were not compared")
    return Coverage(tuple(checked), tuple(not_checked))


def rotation_summaries(session: Session, table: ReferenceTable) -> list[RotationSummary]:
    """Total arc and IR/ER ratio for every side measured for both IR and ER in one position and mode."""
    summaries = []
    for ir in session.tested():
        if ir.movement != Movement.IR:
            continue
        er = session.find(ir.side, Movement.ER, ir.position, ir.mode)
        if er is not None:
            summaries.append(RotationSummary(
                ir.side, ir.position, ir.mode, ir.degrees, er.degrees,
                table.reference(Measure.TOTAL_ARC, ir.position, ir.mode, session.sex),
            ))
    return summaries


# Assessment finding code -> exercise-library Finding codes (exercises.models.Finding).
EXERCISE_FINDINGS = {
    Code.BELOW_REFERENCE_IR: ("low_ir",),
    Code.ASYMMETRY_IR: ("low_ir", "asymmetry"),
    Code.BELOW_REFERENCE_ER: ("low_er",),
    Code.ASYMMETRY_ER: ("low_er", "asymmetry"),
    Code.LIMITED_EXTENSION: ("limited_extension",),
    Code.POOR_CONTROL: ("poor_control",),
    Code.LIMITED_EXTENSION_TOE_OFF: ("limited_extension",),
}


@dataclass(frozen=True)
class Motive:
    """What a finding means for an exercise it motivated: a label for the clinician, and the
    handout's "why" for the athlete."""

    label: str
    athlete_reason: str


# Every finding that can motivate an exercise (the keys of EXERCISE_FINDINGS), stored as
# ``ProgramItem.finding``.
MOTIVES = {
    Code.BELOW_REFERENCE_IR: Motive(
        "IR below reference",
        "To let your hip turn inwards further, which it needs when your leg is behind you as you push off."),
    Code.ASYMMETRY_IR: Motive(
        "IR asymmetry", "To bring the inward turn of your stiffer hip closer to that of your other hip."),
    Code.BELOW_REFERENCE_ER: Motive(
        "ER below reference", "To ease the front and outside of your hip so that it turns outwards more freely."),
    Code.ASYMMETRY_ER: Motive(
        "ER asymmetry", "To bring the outward turn of your stiffer hip closer to that of your other hip."),
    Code.LIMITED_EXTENSION: Motive(
        "Limited hip extension",
        "To let your thigh swing further back behind you, as it does at the end of each stride."),
    Code.LIMITED_EXTENSION_TOE_OFF: Motive(
        "Limited hip extension at toe-off",
        "To let your thigh swing further back behind you, as it does at the end of each stride."),
    Code.POOR_CONTROL: Motive(
        "Poor control while running",
        "To train the muscles that keep your pelvis level and your knee in line while you run."),
}


def exercise_targets(findings: Iterable[Finding], compensations: Iterable[str] = ()) -> ExerciseTargets:
    """Map findings onto the exercise library's codes, remembering which finding asked for each.

    A refer/review flag keeps every target (control work may still help) but forbids stretches.
    Limited hip extension seen at toe-off also asks for extension work.
    """
    findings = list(findings)
    addresses: dict[str, list[str]] = {}
    for finding in findings:
        for target in EXERCISE_FINDINGS.get(Code(finding.code), ()):
            reasons = addresses.setdefault(target, [])
            if finding.code not in reasons:
                reasons.append(finding.code)
    if Compensation.LIMITED_EXTENSION_TOE_OFF in compensations:
        addresses.setdefault("limited_extension", []).append(Compensation.LIMITED_EXTENSION_TOE_OFF.value)
    return ExerciseTargets(
        addresses={target: tuple(reasons) for target, reasons in addresses.items()},
        stretching_allowed=not any(f.code == Code.REFER_REVIEW for f in findings),
    )
