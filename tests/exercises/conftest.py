"""Fixtures for the exercise library: the shipped library, clinic exercises and pictures.

Every test here writes uploads under its own temporary MEDIA_ROOT, never into var/media.
"""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify
from PIL import Image

from exercises.library import load_library
from exercises.models import Equipment, Exercise, Family, Finding, ProgramTemplate, ProgramTemplateItem
from runphys.models import Clinic


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def library(db) -> None:
    load_library()


def make_exercise(clinic: Clinic | None, **fields) -> Exercise:
    values = {
        "name": "Banded monster walk", "summary": "Side steps against a band.", "family": Family.CONTROL_STRENGTH,
        "addresses": [Finding.POOR_CONTROL], "equipment": [Equipment.BAND],
        "starting_position": "Stand with a band round both ankles.",
        "steps": ["Bend the knees a little.", "Step sideways ten times.", "Step back."],
        "cues": ["Toes forward."], "faults": ["Knees falling in."], "cautions": ["Stop if the knee hurts."],
        "sets": 3, "reps": 10, "days_per_week": 3, "rest_seconds": 45,
    }
    values.update(fields)
    values.setdefault("slug", slugify(values["name"]))
    exercise = Exercise(clinic=clinic, **values)
    exercise.full_clean()
    exercise.save()
    return exercise


@pytest.fixture
def clinic_exercise(clinic_a) -> Exercise:
    return make_exercise(clinic_a)


def make_template(clinic: Clinic | None, exercises: list[Exercise], name: str = "Knee control, phase 1"
                  ) -> ProgramTemplate:
    template = ProgramTemplate.objects.create(clinic=clinic, name=name, description="For the knee that falls in.")
    for order, exercise in enumerate(exercises):
        item = ProgramTemplateItem(template=template, exercise=exercise, order=order)
        item.copy_dosage_from(exercise)
        item.save()
    return template


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (64, 48), colour=(200, 30, 30), **save) -> bytes:
    buffer = BytesIO()
    mode = "RGBA" if image_format == "PNG" else "RGB"
    Image.new(mode, size, colour).save(buffer, image_format, **save)
    return buffer.getvalue()


def upload(data: bytes, name: str = "picture.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def exercise_form_data(**overrides) -> dict:
    """A valid POST for the clinic exercise form."""
    data = {
        "name": "Wall sit with a ball", "summary": "Isometric quadriceps work with hip adduction.",
        "family": "control_strength", "addresses": ["poor_control"], "equipment": ["wall"],
        "starting_position": "Back against the wall, feet forward, a ball between the knees.",
        "steps": "Slide down to a comfortable bend.\nSqueeze the ball.\nHold, then slide up.",
        "cues": "Knees over the toes.", "faults": "Heels lifting.", "cautions": "Stop if the kneecap aches.",
        "sets": "3", "reps": "5", "hold_seconds": "20", "rest_seconds": "60", "sessions_per_day": "1",
        "days_per_week": "4", "side": "both", "tempo": "", "load": "body_weight", "load_kg": "", "band_colour": "",
        "pain_ceiling": "3", "progression_criterion": "Five 30-second holds.", "progression": "", "regression": "",
        "progression_note": "", "video_url": "", "credit": "Clinic A protocol",
    }
    data.update(overrides)
    return data
