"""From an assessment's findings to a suggested program (clinical-reference §4).

Clinical reasoning, not validated evidence: the suggestions only pre-fill a draft, the clinician
confirms, edits or removes every item, and each suggestion carries the findings that motivated it
so the reason is shown beside it.

The rules:

- each finding is treated with the one family §4 names for it (``FAMILY_FOR``: IR mobility for low
  or asymmetric IR, ER/anterior-hip flexibility for limited ER, hip-extension mobility for limited
  extension, hip control/strength for poor control), and only exercises of that family that address
  the finding's library codes (``findings.EXERCISE_FINDINGS``) in a body region the finding is about
  (``Exercise.addresses_finding``: a clinic's calf raise never answers a hip finding, however it was
  filed) are candidates for it; so an IR
  asymmetry gets IR mobility for the stiffer side, and control work comes only with a control
  finding of its own. The clinic's own exercises come before the shipped ones, then by name; at
  most ``PER_FAMILY`` per family, each exercise once;
- a refer/review flag (``findings.refer_flags``) holds back, on the flagged side, every stretch
  and every exercise of the flagged movement's end-range mobility family (``END_RANGE_FAMILY``).
  An exercise that would work both sides is narrowed to the other side when a finding there asks
  for it; otherwise it is listed as withheld, with why. Control work stays, with a note to keep it
  within a pain-free range. The structural-limit prompt holds nothing back;
- the suggested side follows the findings: one side when every motivating finding is on that side,
  otherwise the exercise's own default; the reason cites every finding that motivated it;
- the draft lists mobility before control work, the way a session runs.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction

from assessments import findings
from assessments.findings import Code, Finding, Severity
from assessments.programs.models import Program
from assessments.reports import Report
from assessments.vocabulary import Movement
from exercises.models import Exercise, Family, ProgramTemplate

PER_FAMILY = 3
TOE_OFF = Code.LIMITED_EXTENSION_TOE_OFF.value  # the same word as the observation's
FAMILY_FOR = {
    Code.BELOW_REFERENCE_IR: Family.IR_MOBILITY,
    Code.ASYMMETRY_IR: Family.IR_MOBILITY,
    Code.BELOW_REFERENCE_ER: Family.ER_FLEXIBILITY,
    Code.ASYMMETRY_ER: Family.ER_FLEXIBILITY,
    Code.LIMITED_EXTENSION: Family.EXTENSION_MOBILITY,
    Code.LIMITED_EXTENSION_TOE_OFF: Family.EXTENSION_MOBILITY,
    Code.POOR_CONTROL: Family.CONTROL_STRENGTH,
}
# The end-range mobility of each movement, held back on a side with a refer/review flag.
END_RANGE_FAMILY = {Movement.IR: Family.IR_MOBILITY, Movement.ER: Family.ER_FLEXIBILITY,
                    Movement.EXTENSION: Family.EXTENSION_MOBILITY}
FAMILY_ORDER = (Family.IR_MOBILITY, Family.ER_FLEXIBILITY, Family.EXTENSION_MOBILITY, Family.CONTROL_STRENGTH)
TARGETS_OF = findings.EXERCISE_FINDINGS
SIDES = ("left", "right")


@dataclass(frozen=True)
class Suggestion:
    exercise: Exercise
    findings: tuple[Finding, ...]  # every finding that motivated it, most serious first
    side: str  # the side to prescribe
    note: str = ""  # what a refer/review flag changed about it

    @property
    def finding(self) -> Finding:
        return self.findings[0]

    @property
    def motive(self) -> str:
        return self.finding.code

    @property
    def reason(self) -> str:
        texts = list(dict.fromkeys(f.clinician_text for f in self.findings))
        return " ".join([*texts, self.note]).strip()


@dataclass(frozen=True)
class Withheld:
    exercise: Exercise
    why: str


@dataclass(frozen=True)
class Suggestions:
    items: tuple[Suggestion, ...]
    refer_flags: tuple[Finding, ...]
    withheld: tuple[Withheld, ...]  # held back by a refer/review flag, with why

    @property
    def stretching_allowed(self) -> bool:
        return not self.refer_flags

    def find(self, exercise_code) -> Suggestion | None:
        return next((s for s in self.items if str(s.exercise.code) == str(exercise_code)), None)


def toe_off_finding() -> Finding:
    """Limited hip extension at toe-off is an observation, not a finding of ``findings``; it still
    motivates extension work, so it is described the same way."""
    return Finding(
        TOE_OFF, Severity.ATTENTION, "Seen while running: limited hip extension at toe-off.",
        "When you run, your thigh does not swing far back behind you.", findings.CONTROL_SOURCE,
    )


def motivating(session_findings: Iterable[Finding], compensations: Iterable[str] = ()) -> list[Finding]:
    """The findings that can motivate an exercise, most serious first as given."""
    found = [f for f in session_findings if f.code in TARGETS_OF]
    if TOE_OFF in compensations:
        found.append(toe_off_finding())
    return found


def _side(reasons: Sequence[Finding], exercise: Exercise) -> str:
    sides = {f.side for f in reasons}
    if len(sides) == 1 and "" not in sides:
        return sides.pop()
    return exercise.side


def held_back_sides(exercise: Exercise, flags: Sequence[Finding]) -> set[str]:
    """The sides on which a refer/review flag forbids this exercise: a stretch, or end-range
    mobility of the flagged movement."""
    return {flag.side for flag in flags if flag.side and (
        exercise.is_stretch or exercise.family == END_RANGE_FAMILY.get(flag.movement))}


def _apply_flags(exercise: Exercise, reasons: Sequence[Finding], side: str,
                 flags: Sequence[Finding]) -> Suggestion | Withheld:
    """The suggestion as the refer/review flags allow it, or why it is withheld."""
    held = held_back_sides(exercise, flags)
    worked = {side} if side in SIDES else set(SIDES)
    if held & worked:
        other = worked - held
        asked = [f for f in reasons if f.side in other]
        flagged = " and ".join(sorted(held & worked))
        if asked:
            remaining = other.pop()
            return Suggestion(exercise, tuple(asked), remaining,
                              note=f"{remaining.capitalize()} side only: the {flagged} hip has a refer/review flag.")
        kind = "a stretch" if exercise.is_stretch else "end-range mobility"
        return Withheld(exercise, f"{kind}, and the {flagged} hip has a refer/review flag")
    flagged_sides = sorted({f.side for f in flags if f.side} & worked)
    if flagged_sides and exercise.family == Family.CONTROL_STRENGTH:
        return Suggestion(exercise, tuple(reasons), side, note=(
            f"Keep it within a pain-free range: the {' and '.join(flagged_sides)} hip has a refer/review flag."))
    return Suggestion(exercise, tuple(reasons), side)


def suggest(session_findings: Sequence[Finding], exercises: Iterable[Exercise],
            compensations: Iterable[str] = ()) -> Suggestions:
    """The suggested items for these findings, chosen among ``exercises`` (those the clinic may
    prescribe). Pure: no database access beyond the exercises given."""
    flags = tuple(f for f in session_findings if f.code == Code.REFER_REVIEW)
    by_family: dict[str, list[Finding]] = {}
    for finding in motivating(session_findings, compensations):
        by_family.setdefault(FAMILY_FOR[Code(finding.code)], []).append(finding)

    exercises = sorted(exercises, key=lambda e: (e.clinic_id is None, e.name.lower(), e.pk))
    chosen: dict[int, Suggestion] = {}
    withheld: dict[int, Withheld] = {}
    for family in FAMILY_ORDER:
        reasons = by_family.get(family, [])
        taken = 0
        for exercise in exercises:
            if taken == PER_FAMILY:
                break
            if exercise.family != family or exercise.pk in chosen:
                continue
            asking = [f for f in reasons
                      if any(exercise.addresses_finding(target) for target in TARGETS_OF[Code(f.code)])]
            if not asking:
                continue
            outcome = _apply_flags(exercise, asking, _side(asking, exercise), flags)
            if isinstance(outcome, Withheld):
                withheld.setdefault(exercise.pk, outcome)
                continue
            chosen[exercise.pk] = outcome
            taken += 1
    return Suggestions(items=tuple(chosen.values()), refer_flags=flags,
                       withheld=tuple(sorted(withheld.values(), key=lambda w: w.exercise.name.lower())))


def candidate_exercises(user, targets: Iterable[str]) -> list[Exercise]:
    """The active exercises the user's clinic may prescribe (shipped and its own) that address any
    of ``targets`` in a region the target is about: one query."""
    targets = list(targets)
    if not targets:
        return []
    return list(Exercise.objects.for_user(user).addressing_any(targets))


def for_report(report: Report, user) -> Suggestions:
    """Suggestions for an assessment's report, among the exercises the user's clinic may prescribe."""
    targets = {t for f in motivating(report.findings, report.compensations) for t in TARGETS_OF[f.code]}
    return suggest(report.findings, candidate_exercises(user, targets), report.compensations)


def motive_of(suggestion: Suggestion) -> str:
    """The stored ``ProgramItem.finding`` value for a suggestion."""
    return suggestion.motive if suggestion.motive in findings.MOTIVES else ""


@transaction.atomic
def start_from_assessment(assessment, *, by, details: dict, chosen: Sequence[Suggestion],
                          template: ProgramTemplate | None = None) -> Program:
    """A new program whose first draft holds the chosen suggestions, each with the finding that
    motivated it and the side it points to, then the template's exercises if one was chosen."""
    program = Program.start(athlete=assessment.athlete, assessment=assessment, by=by, **details)
    draft = program.latest
    for suggestion in chosen:
        draft.add_exercise(suggestion.exercise, finding=motive_of(suggestion), finding_detail=suggestion.reason,
                           side=suggestion.side)
    if template is not None:
        draft.add_template(template)
    return program
