"""Helpers shared by test modules (factories of records are in ``tests.factories``)."""

from assessments.programs import handouts
from assessments.programs.models import ProgramVersion


def issue(version: ProgramVersion, *, by) -> ProgramVersion:
    """Issue a draft and render its handout now, as the task worker would after the click."""
    handouts.issue(version, by=by)
    outcome = handouts.render_version(version.pk)
    assert outcome == "ready", outcome
    version.refresh_from_db()
    return version
