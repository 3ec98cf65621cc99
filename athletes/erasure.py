"""Erasure of an athlete (GDPR Art. 17), subject to the retention of health records.

UK health records of adults are kept at least 8 years after the last treatment (records of
children longer), so a clinic admin reviews the retention rule before erasing. Then:

- with no clinical record (no assessment, program, ...), the athlete is deleted;
- otherwise the athlete is anonymised: identifying fields are replaced and the de-identified
  measurements stay, because the clinic must keep them.

Whether a clinical record exists is asked of the apps that hold them, which register a check here
in their ``AppConfig.ready()`` (athletes imports none of them). A PROTECT relation that no check
covered still stops the deletion, and the athlete is anonymised instead.
"""

import enum
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpRequest

from athletes.models import Athlete

ADULT_RETENTION_YEARS = 8

ClinicalRecordCheck = Callable[[Athlete], bool]
_checks: list[ClinicalRecordCheck] = []
# Free text in other apps' records can name the athlete too; those apps clear it when asked.
Anonymiser = Callable[[Athlete], None]
_anonymisers: list[Anonymiser] = []


def register_clinical_records(check: ClinicalRecordCheck) -> None:
    """``check(athlete)`` answers True when the athlete has a clinical record in the calling app."""
    if check not in _checks:
        _checks.append(check)


def register_anonymiser(anonymiser: Anonymiser) -> None:
    """``anonymiser(athlete)`` clears identifying free text the calling app holds for the athlete."""
    if anonymiser not in _anonymisers:
        _anonymisers.append(anonymiser)


def has_clinical_records(athlete: Athlete) -> bool:
    return any(check(athlete) for check in _checks)


def retention_ends_on(athlete: Athlete) -> date | None:
    """The earliest day an adult's record may be erased: 8 years after the last assessment, if any."""
    last = athlete.last_assessed_on
    if last is None:
        return None
    try:
        return last.replace(year=last.year + ADULT_RETENTION_YEARS)
    except ValueError:  # 29 February
        return last.replace(year=last.year + ADULT_RETENTION_YEARS, day=28)


class Outcome(enum.StrEnum):
    DELETED = "deleted"
    ANONYMISED = "anonymised"


def planned_outcome(athlete: Athlete) -> Outcome:
    return Outcome.ANONYMISED if has_clinical_records(athlete) else Outcome.DELETED


def erase(athlete: Athlete, *, request: HttpRequest | None = None, actor=None) -> Outcome:
    """Delete or anonymise the athlete; either way one audit event records it ("erase" or "anonymise")."""
    if planned_outcome(athlete) is Outcome.DELETED:
        try:
            with transaction.atomic():
                athlete.delete(request=request, actor=actor)
            return Outcome.DELETED
        except ProtectedError:
            pass  # a clinical record no check knew about: keep it, de-identified
    with transaction.atomic():
        athlete.anonymise(request=request, actor=actor)
        for anonymiser in _anonymisers:
            anonymiser(athlete)
    return Outcome.ANONYMISED
