"""One of every kind of record a clinic owns, for the sweeps: clinic A's world, and how each URL
pattern that names a record names one of it (``RECORD_URLS``).

Records come from ``tests.factories``, so the sweeps build them the way the other tests do.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile

from assessments.models import Assessment, MdcSetting, ReferenceValue
from assessments.programs import deliveries
from assessments.programs.models import HandoutDelivery, Program, ProgramItem, ProgramVersion
from athletes.models import Athlete
from exercises.models import Exercise, ProgramTemplate, ProgramTemplateItem
from runphys.models import Clinic, Invitation, Membership, User
from tests.factories import FOUR, make_assessment, make_athlete, make_exercise, make_program
from tests.helpers import image_bytes, issue


@dataclass
class World:
    clinic: Clinic
    admin: User
    clinician: User
    athlete: Athlete
    archived_athlete: Athlete
    assessment: Assessment
    exercise: Exercise
    archived_exercise: Exercise
    template: ProgramTemplate
    program: Program
    draft: ProgramVersion
    item: ProgramItem
    issued_program: Program
    issued: ProgramVersion
    delivery: HandoutDelivery
    reference: ReferenceValue
    mdc: MdcSetting
    membership: Membership
    invitation: Invitation


def build_world(clinic: Clinic, admin: User, clinician: User) -> World:
    athlete = make_athlete(clinic, primary_clinician=clinician, first_name="Hannah", last_name="Ilves",
                           date_of_birth=date(1992, 6, 15), sex=Athlete.Sex.FEMALE, email="hannah@example.com")
    athlete.record_email_consent(True, by=clinician)
    athlete.save()
    archived_athlete = make_athlete(clinic, primary_clinician=clinician, first_name="Ari", last_name="Archived")
    archived_athlete.archive()
    assessment = make_assessment(athlete, clinician, FOUR)

    exercise = make_exercise(clinic, name="Clinic A hip drill")
    exercise.start_picture.save("start.jpg", ContentFile(image_bytes("JPEG", size=(40, 30))), save=True)
    archived_exercise = make_exercise(clinic, name="Clinic A retired drill")
    archived_exercise.archive()
    template = ProgramTemplate.objects.create(clinic=clinic, name="Clinic A phase 1", description="Ours.")
    ProgramTemplateItem.objects.create(template=template, exercise=exercise, sets=2, reps=8, days_per_week=5)

    program = make_program(athlete, clinician, [exercise], assessment=assessment)
    draft = program.latest
    issued_program = make_program(athlete, clinician, [exercise], title="Issued program")
    issued = issued_program.latest
    issue(issued, by=clinician)
    issued.refresh_from_db()
    delivery, _ = deliveries.send(issued, by=clinician, request_key=str(uuid.uuid4()))

    reference = ReferenceValue.objects.shipped().first()
    reference.pk, reference.code, reference.clinic = None, uuid.uuid4(), clinic  # the clinic's own override
    reference.save()
    mdc = MdcSetting.objects.shipped().first()
    mdc.pk, mdc.code, mdc.clinic = None, uuid.uuid4(), clinic
    mdc.save()

    invitation, _ = Invitation.issue(clinic=clinic, email="new.member@clinic-a.example", role="clinician",
                                     invited_by=admin)
    return World(
        clinic=clinic, admin=admin, clinician=clinician, athlete=athlete, archived_athlete=archived_athlete,
        assessment=assessment, exercise=exercise, archived_exercise=archived_exercise, template=template,
        program=program, draft=draft, item=draft.items.get(), issued_program=issued_program, issued=issued,
        delivery=delivery, reference=reference,
        mdc=mdc, membership=clinician.membership, invitation=invitation,
    )


# URL name -> the kwargs naming one of clinic A's records.
RECORD_URLS: dict[str, Callable[[World], dict]] = {
    "athlete_detail": lambda w: {"code": w.athlete.code},
    "athlete_edit": lambda w: {"code": w.athlete.code},
    "athlete_archive": lambda w: {"code": w.athlete.code},
    "athlete_unarchive": lambda w: {"code": w.archived_athlete.code},
    "athlete_export": lambda w: {"code": w.athlete.code},
    "athlete_erase": lambda w: {"code": w.athlete.code},
    "assessments:create": lambda w: {"athlete_code": w.athlete.code},
    "assessments:detail": lambda w: {"code": w.assessment.code},
    "assessments:edit": lambda w: {"code": w.assessment.code},
    "assessments:reference_edit": lambda w: {"code": w.reference.code},
    "assessments:reference_restore": lambda w: {"code": w.reference.code},
    "assessments:mdc_edit": lambda w: {"code": w.mdc.code},
    "assessments:mdc_restore": lambda w: {"code": w.mdc.code},
    "programs:create": lambda w: {"assessment_code": w.assessment.code},
    "programs:new": lambda w: {"athlete_code": w.athlete.code},
    "programs:detail": lambda w: {"code": w.program.code},
    "programs:edit": lambda w: {"code": w.program.code},
    "programs:issue": lambda w: {"code": w.program.code},
    "programs:revise": lambda w: {"code": w.issued_program.code},
    "programs:discard": lambda w: {"code": w.program.code},
    "programs:item_add": lambda w: {"code": w.program.code},
    "programs:item_add_template": lambda w: {"code": w.program.code},
    "programs:items": lambda w: {"code": w.program.code},
    "programs:picker": lambda w: {"code": w.program.code},
    "programs:items_order": lambda w: {"code": w.program.code},
    "programs:item_restore": lambda w: {"code": w.program.code},
    "programs:save_as_template": lambda w: {"code": w.issued.code},
    "programs:item_edit": lambda w: {"code": w.item.code},
    "programs:item_move": lambda w: {"code": w.item.code},
    "programs:item_remove": lambda w: {"code": w.item.code},
    "programs:handout_preview": lambda w: {"code": w.draft.code},
    "programs:handout_pdf": lambda w: {"code": w.draft.code},
    "programs:handout_state": lambda w: {"code": w.issued.code},
    "programs:handout_retry": lambda w: {"code": w.issued.code},
    "programs:link_revoke": lambda w: {"code": w.issued_program.code},
    "programs:link_fresh": lambda w: {"code": w.issued_program.code},
    "deliveries:send": lambda w: {"code": w.issued.code},
    "deliveries:status": lambda w: {"code": w.delivery.code},
    "exercises:detail": lambda w: {"code": w.exercise.code},
    "exercises:edit": lambda w: {"code": w.exercise.code},
    "exercises:copy": lambda w: {"code": w.exercise.code},
    "exercises:archive": lambda w: {"code": w.exercise.code},
    "exercises:restore": lambda w: {"code": w.archived_exercise.code},
    "exercises:picture": lambda w: {"code": w.exercise.code, "position": "start"},
    "exercises:template_detail": lambda w: {"code": w.template.code},
    "exercises:template_edit": lambda w: {"code": w.template.code},
    "exercises:template_copy": lambda w: {"code": w.template.code},
    "exercises:template_archive": lambda w: {"code": w.template.code},
    "exercises:template_items": lambda w: {"code": w.template.code},
    "exercises:template_picker": lambda w: {"code": w.template.code},
    "exercises:template_items_order": lambda w: {"code": w.template.code},
    "exercises:template_item_restore": lambda w: {"code": w.template.code},
    "exercises:template_item_add": lambda w: {"code": w.template.code},
    "exercises:template_item_edit": lambda w: {"code": w.template.items.first().code},
    "exercises:template_item_move": lambda w: {"code": w.template.items.first().code},
    "exercises:template_item_remove": lambda w: {"code": w.template.items.first().code},
    "member_role": lambda w: {"code": w.membership.code},
    "member_active": lambda w: {"code": w.membership.code},
    "invitation_revoke": lambda w: {"code": w.invitation.code},
}
