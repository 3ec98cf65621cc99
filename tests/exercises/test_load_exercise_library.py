"""The shipped library: loaded idempotently by a command, complete, dosed inside the ranges, and
illustrated."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from exercises import library
from exercises.dosage import RANGES, STRETCH_HOLD_SECONDS, STRETCH_MIN_DAYS_PER_WEEK, STRETCH_REPS
from exercises.models import HIP_FAMILIES, Exercise, Family, Finding, ProgramTemplate, ProgramTemplateItem, Region

pytestmark = pytest.mark.django_db

STATIC_EXERCISES = Path(settings.BASE_DIR) / "static" / "exercises"


def load() -> str:
    out = StringIO()
    call_command("load_exercise_library", stdout=out)
    return out.getvalue()


def test_the_command_loads_the_library_and_says_how_much():
    assert load() == ("Exercise library: 17 exercises created, 0 updated, 0 retired; "
                      "3 program templates loaded.\n")
    assert Exercise.objects.shipped().count() == 17
    assert ProgramTemplate.objects.filter(clinic=None).count() == 3


def test_loading_twice_changes_nothing_and_keeps_every_code():
    load()
    codes = dict(Exercise.objects.values_list("slug", "code"))
    template_codes = set(ProgramTemplate.objects.values_list("code", flat=True))
    items = ProgramTemplateItem.objects.count()
    assert "0 exercises created, 17 updated, 0 retired" in load()
    assert dict(Exercise.objects.values_list("slug", "code")) == codes
    assert set(ProgramTemplate.objects.values_list("code", flat=True)) == template_codes
    assert ProgramTemplateItem.objects.count() == items
    assert Exercise.objects.count() == 17


def test_reloading_repairs_an_edited_row_and_archives_a_retired_one(monkeypatch):
    load()
    Exercise.objects.filter(slug="clamshell-band").update(name="Changed by hand", reps=99)
    monkeypatch.setattr(library, "EXERCISES", [e for e in library.EXERCISES if e["slug"] != "single-leg-bridge"])
    monkeypatch.setattr(library, "TEMPLATES", [t for t in library.TEMPLATES if t["slug"] != "hip-control-for-runners"])
    assert "1 retired" in load()
    clamshell = Exercise.objects.get(slug="clamshell-band")
    assert (clamshell.name, clamshell.reps) == ("Clamshell with a band", 12)
    assert Exercise.objects.get(slug="single-leg-bridge").is_archived


def test_the_library_covers_every_exercise_of_the_reference_and_seeds(library):
    slugs = set(Exercise.objects.values_list("slug", flat=True))
    expected = {
        # clinical-reference §5 and the seeds
        "single-leg-rotational-hip-control-band",  # seed 000
        "hip-internal-rotation-contract-relax", "split-stance-pelvic-turn",  # seed 001
        "half-kneeling-hip-flexor-stretch-reach", "hamstring-biased-er-stretch", "glute-biased-er-stretch",
        "single-leg-stability-hold",  # seed 002
        "hip-external-rotation-bed-edge",  # seed 003
        "ninety-ninety-hip-rotations", "standing-hip-cars", "wall-assisted-pigeon-lift-offs",  # seed 004
        # the companions a running physio expects
        "prone-hip-internal-rotation-active", "thomas-position-hip-flexor-stretch", "standing-hip-flexor-stretch",
        "clamshell-band", "single-leg-bridge",
    }
    assert expected <= slugs
    # The shipped library is hip work: every hip family, each exercise filed under the hip.
    assert {e.family for e in Exercise.objects.all()} == set(HIP_FAMILIES)
    assert {e.region for e in Exercise.objects.all()} == {Region.HIP}
    assert {code for e in Exercise.objects.all() for code in e.addresses} == set(Finding.values)


def test_every_shipped_exercise_is_complete(library):
    for exercise in Exercise.objects.shipped():
        assert len(exercise.steps) >= 3, exercise.slug
        assert exercise.cues and exercise.faults and exercise.cautions, exercise.slug
        assert exercise.starting_position and exercise.summary and exercise.credit, exercise.slug
        assert exercise.addresses and exercise.equipment, exercise.slug
        assert exercise.pain_ceiling is not None and exercise.progression_criterion, exercise.slug
        exercise.full_clean()


def test_every_default_dosage_is_inside_the_ranges(library):
    for exercise in Exercise.objects.shipped():
        for field, (low, high, _) in RANGES.items():
            assert low <= getattr(exercise, field) <= high, (exercise.slug, field)


def test_stretches_follow_the_acsm_dose(library):
    stretches = Exercise.objects.shipped().filter(is_stretch=True)
    assert stretches.count() >= 7
    for stretch in stretches:
        assert STRETCH_HOLD_SECONDS[0] <= stretch.hold_seconds <= STRETCH_HOLD_SECONDS[1], stretch.slug
        assert STRETCH_REPS[0] <= stretch.reps * stretch.sets <= STRETCH_REPS[1], stretch.slug
        assert stretch.days_per_week >= STRETCH_MIN_DAYS_PER_WEEK, stretch.slug


def test_the_seed_facts_survive_in_the_dosage(library):
    cars = Exercise.objects.get(slug="standing-hip-cars")
    assert cars.reps == 5  # 5 slow repetitions per side (seed 004)
    lift_offs = Exercise.objects.get(slug="wall-assisted-pigeon-lift-offs")
    assert lift_offs.hold_seconds == 5 and 6 <= lift_offs.reps <= 8  # 5 s holds, 6-8 per side (seed 004)
    bed_edge = Exercise.objects.get(slug="hip-external-rotation-bed-edge")
    assert "100" in bed_edge.progression_criterion and "not a published norm" in bed_edge.progression_criterion
    band = Exercise.objects.get(slug="single-leg-rotational-hip-control-band")
    assert band.load == "band" and band.band_colour


def test_every_shipped_exercise_has_both_illustrations(library):
    for exercise in Exercise.objects.shipped():
        for position in ("start", "end"):
            path = STATIC_EXERCISES / f"{exercise.slug}-{position}.svg"
            assert path.is_file(), path
            assert exercise.picture_url(position) == f"/static/exercises/{exercise.slug}-{position}.svg"
        start = (STATIC_EXERCISES / f"{exercise.slug}-start.svg").read_text()
        end = (STATIC_EXERCISES / f"{exercise.slug}-end.svg").read_text()
        assert start.replace("start position", "") != end.replace("end position", ""), exercise.slug


def test_progressions_link_shipped_exercises_in_both_directions(library):
    linked = Exercise.objects.shipped().exclude(progression=None)
    assert linked.count() >= 8
    for exercise in Exercise.objects.shipped().select_related("progression", "regression"):
        for other in (exercise.progression, exercise.regression):
            assert other is None or (other.is_shipped and other != exercise)


def test_the_three_shipped_templates_are_built_from_the_seeds(library):
    templates = {t.slug: t for t in ProgramTemplate.objects.filter(clinic=None)}
    assert set(templates) == {"ir-in-extension-mobility", "er-and-anterior-hip-flexibility", "hip-control-for-runners"}
    er = [item.exercise.slug for item in templates["er-and-anterior-hip-flexibility"].items.all()]
    # Seed 002's order: hip flexor stretch, hamstring-biased, glute-biased, then a stability drill.
    assert er == ["half-kneeling-hip-flexor-stretch-reach", "hamstring-biased-er-stretch", "glute-biased-er-stretch",
                  "single-leg-stability-hold"]
    families = {item.exercise.family for item in templates["ir-in-extension-mobility"].items.all()}
    assert families == {Family.IR_MOBILITY}
    for item in ProgramTemplateItem.objects.select_related("exercise"):
        assert item.dosage_values() == item.exercise.dosage_values()


def test_instructions_are_our_own_words_not_the_seeds():
    seeds = Path(settings.BASE_DIR).parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("The seed articles are not on this machine.")
    seed_text = " ".join(p.read_text() for p in seeds.glob("*.txt")).lower()
    for entry in library.EXERCISES:
        for sentence in [*entry["steps"], *entry["cues"], *entry["faults"], *entry["cautions"], entry["summary"]]:
            words = sentence.lower().rstrip(".").split()
            # No run of eight words taken over from an article.
            for start in range(max(len(words) - 7, 0)):
                assert " ".join(words[start:start + 8]) not in seed_text, sentence
