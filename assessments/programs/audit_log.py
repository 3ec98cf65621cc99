"""What the clinic's audit log asks of the assessments app (``runphys.audit_log``): names for the
events about assessments, programs, their versions, exercises and links (the athlete's name, with
the date or the program's title), and which of these records belong to an athlete, so that an
athlete's events take them in. Like ``athlete_records`` it lives in the programs room because it
reaches both rooms. Each namer is one query, whatever the number of ids.
"""

import uuid

from django.db.models import OuterRef, Q, Subquery
from django.utils.formats import date_format

from assessments.models import Assessment, MdcSetting, ReferenceValue
from assessments.programs.models import Program, ProgramItem, ProgramLink, ProgramVersion
from athletes.audit_log import athlete_name
from runphys import audit_log
from runphys.models import AuditEvent, Clinic

Type = AuditEvent.RecordType


def assessment_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    assessments = Assessment.objects.for_clinic(clinic).filter(code__in=audit_log.uuids(ids)).select_related("athlete")
    return {str(a.code): f"{athlete_name(a.athlete)}, {date_format(a.assessed_on)}"
            for a in assessments.only("code", "assessed_on", *ATHLETE_NAME_FIELDS)}


def program_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    latest_title = ProgramVersion.objects.filter(program=OuterRef("pk")).order_by("-number").values("title")[:1]
    programs = (Program.objects.for_clinic(clinic).filter(code__in=audit_log.uuids(ids)).select_related("athlete")
                .only("code", *ATHLETE_NAME_FIELDS).annotate(latest_title=Subquery(latest_title)))
    return {str(p.code): f"{athlete_name(p.athlete)}: {p.latest_title}" for p in programs}


def version_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    versions = (ProgramVersion.objects.for_clinic(clinic).filter(code__in=audit_log.uuids(ids))
                .select_related("program__athlete"))
    return {str(v.code): f"{athlete_name(v.program.athlete)}: {v.title} (version {v.number})" for v in versions}


def item_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    items = (ProgramItem.objects.for_clinic(clinic).filter(code__in=audit_log.uuids(ids))
             .select_related("version__program__athlete", "exercise"))
    return {str(i.code): f"{athlete_name(i.version.program.athlete)}: {i.exercise.name} in {i.version.title} "
                         f"(version {i.version.number})" for i in items}


def link_names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
    links = (ProgramLink.objects.for_clinic(clinic).filter(code__in=audit_log.uuids(ids))
             .select_related("program__athlete").only("code", *prefixed("program__")))
    return {str(link.code): athlete_name(link.program.athlete) for link in links}


def override_names(model):
    """The clinic's own reference values and MDC settings (a restored one is gone: its row is deleted)."""
    def names(clinic: Clinic, ids: set[str]) -> dict[str, str]:
        rows = model.objects.filter(Q(clinic__isnull=True) | Q(clinic=clinic), code__in=audit_log.uuids(ids))
        return {str(row.code): str(row) for row in rows}

    return names


reference_names = override_names(ReferenceValue)
mdc_names = override_names(MdcSetting)
ATHLETE_NAME_FIELDS = ("athlete__first_name", "athlete__last_name", "athlete__anonymised_at")


def prefixed(path: str) -> tuple[str, ...]:
    return tuple(f"{path}{field}" for field in ATHLETE_NAME_FIELDS)


def athletes_records(clinic: Clinic, codes: list[uuid.UUID]):
    """The codes of these athletes' assessments, programs, versions, program exercises and links."""
    athletes = {"athlete__clinic": clinic, "athlete__code__in": codes}
    yield Type.ASSESSMENT, Assessment.objects.filter(**athletes).values_list("code", flat=True)
    yield Type.PROGRAM, Program.objects.filter(**athletes).values_list("code", flat=True)
    versions = ProgramVersion.objects.filter(program__athlete__clinic=clinic, program__athlete__code__in=codes)
    version_codes = list(versions.values_list("code", flat=True))
    yield Type.PROGRAM_VERSION, version_codes
    yield Type.PROGRAM_VERSION_ANONYMISED, version_codes
    yield Type.PROGRAM_ITEM, ProgramItem.objects.filter(version__in=versions).values_list("code", flat=True)
    yield Type.PROGRAM_LINK, ProgramLink.objects.filter(
        program__athlete__clinic=clinic, program__athlete__code__in=codes).values_list("code", flat=True)


def register() -> None:
    audit_log.register_names(Type.ASSESSMENT, assessment_names)
    audit_log.register_names(Type.PROGRAM, program_names)
    audit_log.register_names(Type.PROGRAM_VERSION, version_names)
    audit_log.register_names(Type.PROGRAM_VERSION_ANONYMISED, version_names)
    audit_log.register_names(Type.PROGRAM_ITEM, item_names)
    audit_log.register_names(Type.PROGRAM_LINK, link_names)
    audit_log.register_names(Type.REFERENCE_VALUE, reference_names)
    audit_log.register_names(Type.MDC_SETTING, mdc_names)
    audit_log.register_athlete_records(athletes_records)
