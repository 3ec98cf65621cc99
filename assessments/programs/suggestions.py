"""From an assessment's findings to a suggested program (clinical-reference §4).

Clinical reasoning, not validated evidence: the suggestions only pre-fill a draft, the clinician
confirms, edits or removes every item, and each suggestion carries the finding that motivated it
so the reason is shown beside it.

The rules:

- each finding maps onto the exercise library's codes (``findings.EXERCISE_FINDINGS``; limited hip
  extension seen at toe-off counts as limited extension);
- for each code, the exercises that address it are candidates, those of the family §4 names for
  it first (IR mobility for low or asymmetric IR, ER/anterior-hip flexibility for limited ER, hip
  extension mobility for limited extension, control/strength for poor control), the clinic's own
  exercises before the shipped ones, then by name; at most ``PER_TARGET`` per code, each exercise
  once;
- a refer/review flag (pain before resistance, empty or spasm end-feel, marked painful IR loss)
  suggests no stretching exercise at all: they are listed as withheld, and the flag is shown
  prominently;
- the suggested side follows the findings: one side when every motivating finding is on that side,
  otherwise the exercise's own default;
- the draft lists mobility before control work, the way a session runs.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from assessments import findings
from assessments.findings import Code, Finding, Severity
from assessments.programs.models import Program
from assessments.reports import Report
from exercises.models import Exercise, Family, ProgramTemplate

PER_TARGET = 3
TOE_OFF = Code.LIMITED_EXTENSION_TOE_OFF.value  # the same word as the observation's
# Exercise-library code -> the family clinical-reference §4 treats it with.
FAMILY_FOR_TARGET = {
    "low_ir": Family.IR_MOBILITY,
    "asymmetry": Family.IR_MOBILITY,
    "low_er": Family.ER_FLEXIBILITY,
    "limited_extension": Family.EXTENSION_MOBILITY,
    "poor_control": Family.CONTROL_STRENGTH,
}
TARGET_ORDER = ("low_ir", "asymmetry", "low_er", "limited_extension", "poor_control")
FAMILY_ORDER = (Family.IR_MOBILITY, Family.ER_FLEXIBILITY, Family.EXTENSION_MOBILITY, Family.CONTROL_STRENGTH)
TARGETS_OF = findings.EXERCISE_FINDINGS


@dataclass(frozen=True)
class Suggestion:
    exercise: Exercise
    finding: Finding  # the finding that motivated it
    side: str  # the side to prescribe

    @property
    def motive(self) -> str:
        return self.finding.code

    @property
    def reason(self) -> str:
        return self.finding.clinician_text


@dataclass(frozen=True)
class Suggestions:
    items: tuple[Suggestion, ...]
    refer_flags: tuple[Finding, ...]  # non-empty: no stretching is suggested
    withheld: tuple[Exercise, ...]  # stretches that the refer/review flag kept out

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


def suggest(session_findings: Sequence[Finding], exercises: Iterable[Exercise],
            compensations: Iterable[str] = ()) -> Suggestions:
    """The suggested items for these findings, chosen among ``exercises`` (those the clinic may
    prescribe). Pure: no database access beyond the exercises given."""
    refer = tuple(f for f in session_findings if f.code == Code.REFER_REVIEW)
    reasons_by_target: dict[str, list[Finding]] = {}
    for finding in motivating(session_findings, compensations):
        for target in TARGETS_OF[finding.code]:
            reasons_by_target.setdefault(target, []).append(finding)

    exercises = list(exercises)
    chosen: dict[int, tuple[str, Suggestion]] = {}
    withheld: dict[int, Exercise] = {}
    for target in sorted(reasons_by_target, key=TARGET_ORDER.index):
        reasons = reasons_by_target[target]
        candidates = sorted(
            (e for e in exercises if target in e.addresses),
            key=lambda e: (e.family != FAMILY_FOR_TARGET[target], e.clinic_id is None, e.name.lower(), e.pk),
        )
        taken = 0
        for exercise in candidates:
            if taken == PER_TARGET:
                break
            if exercise.pk in chosen:
                continue
            if exercise.is_stretch and refer:
                withheld[exercise.pk] = exercise
                continue
            chosen[exercise.pk] = (target, Suggestion(exercise, reasons[0], _side(reasons, exercise)))
            taken += 1

    def session_order(entry: tuple[str, Suggestion]) -> tuple[int, int]:
        target, suggestion = entry
        family = suggestion.exercise.family
        return (FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER),
                TARGET_ORDER.index(target))

    ordered = tuple(suggestion for _, suggestion in sorted(chosen.values(), key=session_order))
    return Suggestions(items=ordered, refer_flags=refer,
                       withheld=tuple(sorted(withheld.values(), key=lambda e: e.name.lower())))


def candidate_exercises(user, targets: Iterable[str]) -> list[Exercise]:
    """The active exercises the user's clinic may prescribe (shipped and its own) that address any
    of ``targets``: one query."""
    targets = list(targets)
    if not targets:
        return []
    condition = Q()
    for target in targets:
        condition |= Q(addresses__has=target)
    return list(Exercise.objects.for_user(user).filter(condition))


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
