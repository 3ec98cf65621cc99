"""Factories for program and handout tests: a small exercise library, programs and issued versions."""

import io

import pytest
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from assessments.programs.models import Program, ProgramVersion
from exercises.models import Exercise

# name -> (family, addresses, is_stretch, shipped illustration)
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


def make_exercise(name: str, *, clinic=None, family: str = "ir_mobility", addresses=("low_ir",),
                  is_stretch: bool = False, illustration: str = "", **kw) -> Exercise:
    fields = {
        "slug": slugify(name), "summary": f"What {name.lower()} is for.",
        "starting_position": "Lie face down with the knee bent to a right angle.",
        "steps": ["Let the foot fall slowly outwards.", "Hold the end position.", "Return under control."],
        "cues": ["Keep the pelvis flat on the bed."], "cautions": ["Stop if the hip pinches."],
        "sets": 3, "reps": 10, "days_per_week": 5, "equipment": ["none"],
    }
    fields.update(kw)
    return Exercise.objects.create(name=name, clinic=clinic, family=family, addresses=list(addresses),
                                   is_stretch=is_stretch, illustration=illustration, **fields)


def make_library(clinic=None) -> dict[str, Exercise]:
    return {
        name: make_exercise(name, clinic=clinic, family=family, addresses=addresses, is_stretch=stretch,
                            illustration=illustration)
        for name, (family, addresses, stretch, illustration) in LIBRARY.items()
    }


def make_program(athlete, clinician, exercises=(), *, assessment=None, title: str = "Hip program") -> Program:
    program = Program.start(athlete=athlete, by=clinician, title=title, clinician=clinician,
                            starts_on=timezone.localdate(), assessment=assessment)
    for exercise in exercises:
        program.latest.add_exercise(exercise)
    return program


def draft_of(program: Program) -> ProgramVersion:
    return ProgramVersion.objects.get(program=program, status=ProgramVersion.Status.DRAFT)


def picture_bytes(size=(1600, 1200), colour=(40, 120, 90), image_format="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, image_format)
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded pictures and stored handouts go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


# Left IR under the women's cut-off and asymmetric, ER fine: IR mobility is suggested.
LOW_LEFT_IR = [("left", "ir", 24), ("right", "ir", 40), ("left", "er", 42), ("right", "er", 44)]


def make_world(clinic, clinician):
    """An athlete with an assessment, the small library, and a draft program of two exercises."""
    from tests.assessments.conftest import make_assessment, make_athlete

    athlete = make_athlete(clinic, first_name="Ines", last_name="Okafor")
    assessment = make_assessment(athlete, clinician, LOW_LEFT_IR, knee_valgus=True)
    library = make_library()
    program = make_program(athlete, clinician, [library["Prone hip internal rotation"],
                                                library["Single-leg rotational hip control"]], assessment=assessment)
    return athlete, assessment, library, program
