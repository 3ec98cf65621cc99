"""Erasure of an athlete (GDPR Art. 17), subject to the retention of health records.

UK health records of adults are kept at least 8 years after the last treatment (records of
children longer), so a clinic admin reviews the retention rule before erasing. Then:

- with no clinical record (no assessment, program, ...), the athlete is deleted;
- otherwise the athlete is anonymised: identifying fields are replaced and the de-identified
  measurements stay, because the clinic must keep them.

Anonymising leaves nothing that names the athlete, in any app (``tests/athletes/test_erasure_sweep.py``
reads every text and JSON column of every model, and every stored file, for their names, email
address and phone number). What the other apps hold is of two kinds:

- free text that is only commentary (assessment notes, program item notes, the athlete's comments,
  email bodies) is cleared: it may name the athlete, or others, in ways no pattern can find;
- short text that is part of the retained record (a reading's not-tested reason, a program's title,
  a criterion for progressing) keeps its clinical words, with the athlete's names, email address
  and phone number replaced by ``[erased]`` (``Redactor``): "Erin too sore to lie prone" stays
  "[erased] too sore to lie prone", because why a measurement is missing is part of the record.

What stays on purpose: the audit log, which holds codes (UUIDs), field names and who acted when,
never names or values, and must show that the record existed and was erased; the measurements,
dates, findings and the clinician; the handouts, re-rendered from the anonymised record.

Whether a clinical record exists is asked of the apps that hold them, which register a check here
in their ``AppConfig.ready()`` (athletes imports none of them). A PROTECT relation that no check
covered still stops the deletion, and the athlete is anonymised instead.
"""

import enum
import re
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpRequest

from athletes.models import Athlete

ADULT_RETENTION_YEARS = 8

ClinicalRecordCheck = Callable[[Athlete], bool]
_checks: list[ClinicalRecordCheck] = []


class Redactor:
    """Replaces an athlete's names, email address and phone number in a text by ``[erased]``.
    Built from the athlete *before* their fields are replaced. Names match as whole words in any
    case; the phone matches its digits with any spaces, dots, dashes or brackets between them, and
    without its leading 0 too (as after +44)."""

    MARK = "[erased]"

    def __init__(self, athlete: Athlete) -> None:
        words = {athlete.full_name, athlete.first_name, athlete.last_name}
        alternatives = [rf"(?<!\w){re.escape(word.strip())}(?!\w)" for word in words if word.strip()]
        if athlete.email:
            alternatives.append(re.escape(athlete.email))
        digits = re.sub(r"\D", "", athlete.phone)
        if len(digits) >= 6:
            for number in {digits, digits.lstrip("0")}:
                alternatives.append(r"(?<!\d)" + r"[\s.()\-]*".join(number) + r"(?!\d)")
        # Longest first, so a full name is one mark rather than two.
        alternatives.sort(key=len, reverse=True)
        self.pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text
        redacted = self.pattern.sub(self.MARK, text)
        return re.sub(rf"{re.escape(self.MARK)}(?:\s+{re.escape(self.MARK)})+", self.MARK, redacted)


# Other apps' records can name the athlete too; those apps clear or redact it when asked, with a
# Redactor made before the athlete's own fields were replaced.
Anonymiser = Callable[[Athlete, Redactor], None]
_anonymisers: list[Anonymiser] = []


def register_clinical_records(check: ClinicalRecordCheck) -> None:
    """``check(athlete)`` answers True when the athlete has a clinical record in the calling app."""
    if check not in _checks:
        _checks.append(check)


def register_anonymiser(anonymiser: Anonymiser) -> None:
    """``anonymiser(athlete, redact)`` clears the free text the calling app holds for the athlete and
    passes the retained short text through ``redact`` (see the module's docstring)."""
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
    redact = Redactor(athlete)
    with transaction.atomic():
        athlete.anonymise(request=request, actor=actor)
        for anonymiser in _anonymisers:
            anonymiser(athlete, redact)
    return Outcome.ANONYMISED
