"""What the clinic's audit log asks of athletes (``runphys.audit_log``): their names, found in
bulk, and the athletes a typed name matches. An erased athlete is named "erased athlete": a deleted
row is missing, an anonymised one is named so here, never by the words that replaced the name."""

import uuid

from athletes.models import Athlete
from runphys import audit_log
from runphys.models import AuditEvent, Clinic


def athlete_name(athlete: Athlete) -> str:
    return audit_log.ERASED_ATHLETE if athlete.is_anonymised else athlete.full_name


def athlete_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    athletes = Athlete.objects.for_clinic(clinic).filter(code__in=audit_log.uuids(ids)).only(
        "code", "first_name", "last_name", "anonymised_at")
    return {str(athlete.code): athlete_name(athlete) for athlete in athletes}


def athletes_themselves(clinic: Clinic, codes: list[uuid.UUID]):
    yield AuditEvent.RecordType.ATHLETE, codes


def athletes_named(clinic: Clinic, text: str, limit: int) -> list[uuid.UUID]:
    return list(Athlete.objects.for_clinic(clinic).search(text).values_list("code", flat=True)[:limit])


def register() -> None:
    audit_log.register_names(AuditEvent.RecordType.ATHLETE, athlete_names)
    audit_log.register_athlete_records(athletes_themselves)
    audit_log.register_athlete_search(athletes_named)
