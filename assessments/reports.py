"""What one assessment shows, as one object: its findings, the comparisons with earlier visits, the
rotation summaries, the progress charts and the exercise targets.

Built once from plain data (``findings.Session``s and the clinic's ``ReferenceTable``) by
``Report.of``; ``Assessment.report()`` gathers that data. The assessment page, the program-creation
page, the handout and the demo loaders all read the same object, so they cannot disagree about what
was found.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assessments import charts, findings, lay_scales
from assessments.findings import Code, Finding, ReferenceTable, Session

# What the athlete is told: the findings about their hips now, and real changes since earlier
# visits; changes within measurement error are not news to the athlete.
ATHLETE_CODES = findings.OPEN_CODES | {Code.REAL_CHANGE}


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]  # this visit on its own, most serious first
    changes: tuple[Finding, ...]  # against the previous and the first comparable readings
    coverage: findings.Coverage  # which checks ran, and which could not
    summaries: tuple[findings.RotationSummary, ...]
    charts: tuple[charts.Chart, ...]
    scales: tuple[lay_scales.LayScale, ...]  # the athlete's picture of this visit (the handout's)
    targets: findings.ExerciseTargets
    compensations: tuple[str, ...]
    earlier_count: int
    previous_on: date | None = None  # the date of the visit before this one

    @classmethod
    def of(cls, current: Session, earlier: Sequence[Session], table: ReferenceTable) -> "Report":
        """``earlier``: the athlete's previous sessions, newest first."""
        found = findings.session_findings(current, table)
        return cls(
            findings=tuple(found),
            changes=tuple(findings.changes(current, earlier, table)),
            coverage=findings.coverage(current, table),
            summaries=tuple(findings.rotation_summaries(current, table)),
            charts=tuple(charts.progress_charts(current, [current, *earlier], table)),
            scales=tuple(lay_scales.lay_scales(current, found, table)),
            targets=findings.exercise_targets(found, current.compensations),
            compensations=current.compensations,
            earlier_count=len(earlier),
            previous_on=earlier[0].assessed_on if earlier else None,
        )

    @property
    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.is_open]

    @property
    def refer_flags(self) -> list[Finding]:
        return [f for f in self.findings if f.code == Code.REFER_REVIEW]

    @property
    def athlete_sentences(self) -> tuple[str, ...]:
        """"What we found" for the athlete, in plain words, each said once."""
        sentences: list[str] = []
        for finding in (*self.findings, *self.changes):
            if finding.code in ATHLETE_CODES and finding.athlete_text not in sentences:
                sentences.append(finding.athlete_text)
        return tuple(sentences)

    @property
    def changes_since_previous(self) -> list[Finding]:
        return [f for f in self.changes if not f.since_first]

    @property
    def changes_since_first(self) -> list[Finding]:
        return [f for f in self.changes if f.since_first]

    # Each finding is one line on the page; its source is a numbered note below the list, one click
    # (or a hover) away, and printed with the page.
    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.source for f in (*self.findings, *self.changes)))

    def _cited(self, items) -> list[tuple[Finding, int]]:
        sources = self.sources
        return [(f, sources.index(f.source) + 1) for f in items]

    @property
    def cited_findings(self) -> list[tuple[Finding, int]]:
        return self._cited(self.findings)

    @property
    def cited_open_findings(self) -> list[tuple[Finding, int]]:
        return self._cited(self.open_findings)

    @property
    def cited_changes_since_previous(self) -> list[tuple[Finding, int]]:
        return self._cited(self.changes_since_previous)

    @property
    def cited_changes_since_first(self) -> list[tuple[Finding, int]]:
        return self._cited(self.changes_since_first)
