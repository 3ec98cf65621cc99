"""What the clinic's audit log asks of the exercise library (``runphys.audit_log``): the names of
the exercises and program templates its events are about, the shipped ones and the clinic's own."""

from django.db.models import Q

from exercises.models import Exercise, ProgramTemplate
from runphys import audit_log
from runphys.models import AuditEvent, Clinic


def library_names(model):
    def names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
        rows = model.objects.filter(Q(clinic__isnull=True) | Q(clinic=clinic), code__in=audit_log.uuids(ids))
        return {str(row.code): row.name for row in rows.only("code", "name")}

    return names


exercise_names = library_names(Exercise)
template_names = library_names(ProgramTemplate)


def register() -> None:
    audit_log.register_names(AuditEvent.RecordType.EXERCISE, exercise_names)
    audit_log.register_names(AuditEvent.RecordType.PROGRAM_TEMPLATE, template_names)
