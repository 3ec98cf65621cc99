"""Helpers shared by test modules (factories of records are in ``tests.factories``)."""

from assessments.programs import handouts
from assessments.programs.models import ProgramVersion


def issue(version: ProgramVersion, *, by) -> ProgramVersion:
    """Issue a draft and store its handout PDF, as issuing from the program page does."""
    handouts.issue(version, by=by)
    return version
