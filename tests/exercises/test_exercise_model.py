"""Exercise visibility, editability, search and filters, copying and archiving."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exercises.models import Equipment, Exercise, Family, Finding
from tests.factories import make_exercise
from tests.helpers import image_bytes, upload

pytestmark = pytest.mark.django_db


def test_a_user_sees_shipped_exercises_and_their_own_clinics_only(library, alice, charlie, clinic_exercise, clinic_b):
    theirs = make_exercise(clinic_b, name="Clinic B secret drill")
    visible_to_alice = set(Exercise.objects.for_user(alice))
    assert clinic_exercise in visible_to_alice and theirs not in visible_to_alice
    assert set(Exercise.objects.shipped()) <= visible_to_alice
    assert clinic_exercise not in set(Exercise.objects.for_user(charlie))


def test_archived_exercises_are_hidden_unless_asked_for(alice, clinic_exercise):
    clinic_exercise.archive()
    assert not Exercise.objects.for_user(alice).filter(pk=clinic_exercise.pk).exists()
    assert Exercise.objects.for_user(alice, include_archived=True).get(code=clinic_exercise.code) == clinic_exercise
    clinic_exercise.restore()
    assert Exercise.objects.for_user(alice).filter(pk=clinic_exercise.pk).exists()


def test_nobody_is_shown_anything_without_a_clinic(library, django_user_model):
    loner = django_user_model.objects.create_user("loner@nowhere.example", "x" * 20, full_name="Lone Wolf")
    assert not Exercise.objects.for_user(loner).exists()


def test_only_a_clinics_own_exercises_are_editable(library, alice, charlie, clinic_exercise):
    assert list(Exercise.objects.editable_by(alice)) == [clinic_exercise]
    assert not Exercise.objects.editable_by(charlie).exists()


def test_search_needs_every_word_somewhere_in_name_summary_position_or_steps(library):
    assert {e.slug for e in Exercise.objects.search("clamshell")} == {"clamshell-band"}
    assert "split-stance-pelvic-turn" in {e.slug for e in Exercise.objects.search("tightrope")}  # starting position
    assert "ninety-ninety-hip-rotations" in {e.slug for e in Exercise.objects.search("swing KNEES")}  # a step
    assert not Exercise.objects.search("clamshell tightrope").exists()


@pytest.mark.parametrize("finding", Finding.values)
def test_filtering_by_finding_matches_the_list_on_each_exercise(library, finding):
    expected = {e.slug for e in Exercise.objects.all() if finding in e.addresses}
    assert expected
    assert {e.slug for e in Exercise.objects.addressing(finding)} == expected


@pytest.mark.parametrize("equipment", Equipment.values)
def test_filtering_by_equipment_matches_the_list_on_each_exercise(library, equipment):
    expected = {e.slug for e in Exercise.objects.all() if equipment in e.equipment}
    assert expected
    assert {e.slug for e in Exercise.objects.with_equipment(equipment)} == expected


def test_a_code_is_not_matched_by_a_longer_or_shorter_one(clinic_a):
    make_exercise(clinic_a, addresses=[Finding.LOW_IR])
    assert not Exercise.objects.addressing("low").exists()
    assert not Exercise.objects.addressing("low_ir_extra").exists()
    assert Exercise.objects.addressing("low_ir").count() == 1


def test_lists_hold_known_codes_only_and_no_equipment_stands_alone(clinic_a):
    with pytest.raises(ValidationError) as error:
        make_exercise(clinic_a, addresses=["tight_hamstrings"])
    assert "addresses" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_exercise(clinic_a, equipment=[Equipment.NONE, Equipment.BAND])
    assert "equipment" in error.value.message_dict


def test_an_exercise_cannot_progress_to_itself(clinic_exercise):
    clinic_exercise.progression = clinic_exercise
    with pytest.raises(ValidationError):
        clinic_exercise.full_clean()


def test_copy_to_a_clinic_makes_an_independent_editable_copy(library, clinic_a, alice):
    source = Exercise.objects.get(slug="clamshell-band")
    copy = source.copy_to(clinic_a, by=alice)
    assert copy.pk != source.pk and copy.code != source.code
    assert copy.clinic == clinic_a and copy.copied_from == source and copy.created_by == alice
    assert (copy.name, copy.steps, copy.cautions, copy.family) == (source.name, source.steps, source.cautions,
                                                                   source.family)
    assert copy.dosage_values() == source.dosage_values()
    assert copy.progression == source.progression
    assert copy.start_picture_url == source.start_picture_url  # the drawn illustration comes along
    assert Exercise.objects.editable_by(alice).get() == copy
    source.refresh_from_db()
    assert source.clinic is None


def test_copying_duplicates_uploaded_pictures_instead_of_sharing_them(clinic_exercise, clinic_a, alice):
    clinic_exercise.start_picture.save("x.png", upload(image_bytes()), save=True)
    copy = clinic_exercise.copy_to(clinic_a, by=alice)
    assert copy.start_picture.name != clinic_exercise.start_picture.name
    with copy.start_picture.open("rb") as a, clinic_exercise.start_picture.open("rb") as b:
        assert a.read() == b.read()


def test_the_family_must_be_a_known_one(clinic_a):
    with pytest.raises(ValidationError):
        make_exercise(clinic_a, family="yoga")
    assert Family.IR_MOBILITY.label == "IR mobility"


def test_the_database_refuses_a_hip_family_outside_the_hip(clinic_a):
    exercise = make_exercise(clinic_a, name="Heel drop", region="ankle_calf", family="strength", addresses=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(pk=exercise.pk).update(family="control_strength")
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(pk=exercise.pk).update(region="shoulder")
    Exercise.objects.filter(pk=exercise.pk).update(region="pelvis_trunk", family="control_strength")  # allowed
