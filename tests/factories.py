"""Every record factory of the tests, in one place: small functions with defaults a test overrides
by keyword (``make_athlete(clinic_a, first_name="Ines")``). They save through the models, the way
the app does; fixtures built on them live in the conftest files."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from assessments.models import Assessment, Reading
from assessments.programs.models import HandoutDelivery, Program, ProgramVersion
from athletes.models import Athlete
from exercises.models import Equipment, Exercise, Family, Finding, ProgramTemplate, ProgramTemplateItem
from runphys.models import Clinic, EmailDelivery, Membership, User

PASSWORD = "lateral-hip-rotation-42"


def make_user(email: str, full_name: str, clinic: Clinic | None, role: str = Membership.Role.CLINICIAN) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=full_name)
    if clinic is not None:
        Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


def make_athlete(clinic: Clinic, **fields) -> Athlete:
    """An athlete saved through the model's audited save (an actor-less "create" event). Rosa is a
    woman, so her readings are judged against the women's references."""
    values = {"first_name": "Rosa", "last_name": "Runner", "date_of_birth": date(1990, 5, 17),
              "sex": Athlete.Sex.FEMALE}
    athlete = Athlete(clinic=clinic, **(values | fields))
    athlete.save()
    return athlete


# Left IR under the women's cut-off and 14° short of the right: low IR and asymmetry.
FOUR = [("left", "ir", 24), ("right", "ir", 38), ("left", "er", 40), ("right", "er", 42)]
# Left IR under the women's cut-off and asymmetric, ER fine: IR mobility is suggested.
LOW_LEFT_IR = [("left", "ir", 24), ("right", "ir", 40), ("left", "er", 42), ("right", "er", 44)]


def make_assessment(athlete: Athlete, clinician: User, readings=(), *, assessed_on: date | None = None,
                    **fields) -> Assessment:
    """``readings``: (side, movement, degrees) triples or dicts of Reading fields. Assessed yesterday
    unless ``assessed_on`` says otherwise."""
    assessment = Assessment.objects.create(
        athlete=athlete, clinician=clinician, created_by=clinician,
        assessed_on=assessed_on or timezone.localdate() - timedelta(days=1), **fields,
    )
    for item in readings:
        values = dict(item) if isinstance(item, dict) else dict(zip(("side", "movement", "degrees"), item, strict=True))
        if values.get("degrees") is not None:
            values["degrees"] = Decimal(str(values["degrees"]))
        if values.get("movement") == "extension":
            values.setdefault("position", "modified_thomas")
        Reading.objects.create(assessment=assessment, **values)
    return assessment


def make_exercise(clinic: Clinic | None = None, **fields) -> Exercise:
    """A validated exercise: the clinic's own, or a shipped one when ``clinic`` is None. The slug
    follows the name unless given."""
    values = {
        "name": "Banded monster walk", "summary": "Side steps against a band.", "family": Family.CONTROL_STRENGTH,
        "addresses": [Finding.POOR_CONTROL], "equipment": [Equipment.BAND],
        "starting_position": "Stand with a band round both ankles.",
        "steps": ["Bend the knees a little.", "Step sideways ten times.", "Step back."],
        "cues": ["Toes forward."], "faults": ["Knees falling in."], "cautions": ["Stop if the knee hurts."],
        "sets": 3, "reps": 10, "days_per_week": 3, "rest_seconds": 45,
    } | fields
    values.setdefault("slug", slugify(values["name"]))
    exercise = Exercise(clinic=clinic, **values)
    exercise.full_clean()
    exercise.save()
    return exercise


# The small library the program tests draw from: name -> (family, addresses, is_stretch, shipped illustration).
LIBRARY = {
    "Prone hip internal rotation": (
        "ir_mobility", ["low_ir", "asymmetry"], False, "prone-hip-internal-rotation-active"),
    "Hip internal rotation contract-relax": ("ir_mobility", ["low_ir"], False, "hip-internal-rotation-contract-relax"),
    "Glute-biased external rotation stretch": ("er_flexibility", ["low_er"], True, "glute-biased-er-stretch"),
    "Hamstring-biased external rotation stretch": ("er_flexibility", ["low_er"], True, "hamstring-biased-er-stretch"),
    "Half-kneeling hip flexor stretch with reach": (
        "extension_mobility", ["limited_extension"], True, "half-kneeling-hip-flexor-stretch-reach"),
    "Single-leg rotational hip control": ("control_strength", ["poor_control"], False,
                                          "single-leg-rotational-hip-control-band"),
    "Hip external rotation off a bed edge": ("control_strength", ["poor_control"], False,
                                             "hip-external-rotation-bed-edge"),
}


def make_library(clinic: Clinic | None = None) -> dict[str, Exercise]:
    """The seven exercises of ``LIBRARY`` by name, shipped unless a clinic is given, all with the
    same plain text and dosage (3 × 10, five days a week, no equipment)."""
    return {
        name: make_exercise(
            clinic, name=name, family=family, addresses=addresses, is_stretch=stretch, illustration=illustration,
            summary=f"What {name.lower()} is for.",
            starting_position="Lie face down with the knee bent to a right angle.",
            steps=["Let the foot fall slowly outwards.", "Hold the end position.", "Return under control."],
            cues=["Keep the pelvis flat on the bed."], faults=[], cautions=["Stop if the hip pinches."],
            equipment=[Equipment.NONE], sets=3, reps=10, days_per_week=5, rest_seconds=0,
        )
        for name, (family, addresses, stretch, illustration) in LIBRARY.items()
    }


def make_template(clinic: Clinic | None, exercises: list[Exercise], name: str = "Knee control, phase 1"
                  ) -> ProgramTemplate:
    """A program template of ``exercises`` in order, each item at its exercise's dosage."""
    template = ProgramTemplate.objects.create(clinic=clinic, name=name, description="For the knee that falls in.")
    for order, exercise in enumerate(exercises):
        item = ProgramTemplateItem(template=template, exercise=exercise, order=order)
        item.copy_dosage_from(exercise)
        item.save()
    return template


def make_program(athlete: Athlete, clinician: User, exercises=(), *, assessment: Assessment | None = None,
                 title: str = "Hip program") -> Program:
    """A program starting today whose draft holds ``exercises`` in order."""
    program = Program.start(athlete=athlete, by=clinician, title=title, clinician=clinician,
                            starts_on=timezone.localdate(), assessment=assessment)
    for exercise in exercises:
        program.latest.add_exercise(exercise)
    return program


def make_failed_email(version: ProgramVersion, by: User) -> HandoutDelivery:
    """A handout email of ``version`` that the mail server refused for good just now."""
    email = EmailDelivery.objects.create(kind=EmailDelivery.Kind.HANDOUT, clinic=version.program.athlete.clinic,
                                         requested_by=by, recipient="x@example.com", subject="s", message_id="<m@x>",
                                         status=EmailDelivery.Status.FAILED, failed_at=timezone.now(),
                                         last_error="The mail server answered 550: no such mailbox")
    return HandoutDelivery.objects.create(version=version, email=email)


def draft_of(program: Program) -> ProgramVersion:
    return ProgramVersion.objects.get(program=program, status=ProgramVersion.Status.DRAFT)


@dataclass(frozen=True)
class World:
    """What most program tests start from (see ``make_world``)."""

    athlete: Athlete
    assessment: Assessment
    library: dict[str, Exercise]
    program: Program


def make_world(clinic: Clinic, clinician: User) -> World:
    """Ines with an assessment (low left IR, knee valgus), the small library, and a draft program of
    two of its exercises: prone hip internal rotation, then single-leg rotational hip control."""
    athlete = make_athlete(clinic, first_name="Ines", last_name="Okafor")
    assessment = make_assessment(athlete, clinician, LOW_LEFT_IR, knee_valgus=True)
    library = make_library()
    program = make_program(athlete, clinician, [library["Prone hip internal rotation"],
                                                library["Single-leg rotational hip control"]], assessment=assessment)
    return World(athlete=athlete, assessment=assessment, library=library, program=program)
