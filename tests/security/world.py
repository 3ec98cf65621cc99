"""One of every kind of record a clinic owns, for the sweeps: clinic A's world.

Factories come from the apps' own test helpers, so the sweeps build records the way their tests do.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile

from assessments.models import Assessment, MdcSetting, ReferenceValue
from assessments.programs import deliveries
from assessments.programs.models import HandoutDelivery, Program, ProgramItem, ProgramVersion
from athletes.models import Athlete
from exercises.models import Exercise, ProgramTemplate, ProgramTemplateItem
from runphys.models import Clinic, Invitation, Membership, User
from tests.assessments.conftest import FOUR, make_assessment
from tests.assessments.programs_support import make_exercise, make_program, picture_bytes
from tests.athletes.conftest import make_athlete
from tests.helpers import issue


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

    exercise = make_exercise("Clinic A hip drill", clinic=clinic)
    exercise.start_picture.save("start.jpg", ContentFile(picture_bytes(size=(40, 30))), save=True)
    archived_exercise = make_exercise("Clinic A retired drill", clinic=clinic)
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
