"""Limits on input size: every free-text field is bounded in the model, the form and the database;
every formset builds a bounded number of forms; the request body is capped before it is read."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Cast
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from athletes.models import Athlete
from exercises.models import Exercise, TextLinesField
from runphys.models import Clinic
from tests.factories import make_athlete, make_exercise

pytestmark = pytest.mark.django_db

OUR_APPS = ("runphys", "athletes", "exercises", "assessments")


def our_fields():
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS:
            for field in model._meta.get_fields():
                if isinstance(field, models.Field) and not field.is_relation:
                    yield model, field


def length_bounds(model) -> dict[str, int]:
    """{field: limit} of the model's ``runphys.bounds`` CHECKs: LENGTH(field) or LENGTH(CAST(field))."""
    bounds = {}
    for constraint in model._meta.constraints:
        if isinstance(getattr(constraint, "condition", None), LessThanOrEqual):
            column = constraint.condition.lhs.source_expressions[0]
            if isinstance(column, Cast):
                column = column.source_expressions[0]
            bounds[column.name] = constraint.condition.rhs
    return bounds


def test_every_text_field_of_ours_is_bounded_in_the_model_and_the_database():
    unbounded = []
    for model, field in our_fields():
        if isinstance(field, models.CharField | models.TextField) and not field.max_length:
            unbounded.append(f"{model.__name__}.{field.name} has no max_length")
        if isinstance(field, models.TextField) and length_bounds(model).get(field.name) != field.max_length:
            unbounded.append(f"{model.__name__}.{field.name}: no CHECK on its length at {field.max_length}")
        if isinstance(field, TextLinesField) and length_bounds(model).get(field.name) != TextLinesField.STORED_MAX:
            unbounded.append(f"{model.__name__}.{field.name}: no CHECK on its stored length")
    assert unbounded == []
    # Every JSON field of ours is a list of sentences (bounded above), of codes or of field names.
    json_fields = {f"{m.__name__}.{f.name}" for m, f in our_fields() if isinstance(f, models.JSONField)}
    lists = {f"Exercise.{name}" for name in ("steps", "cues", "faults", "cautions")}
    assert json_fields - lists == {"Exercise.addresses", "Exercise.equipment", "AuditEvent.fields",
                                   "AuditEvent.target_ids"}  # the record codes a list page showed


def test_the_database_refuses_an_over_long_text_whatever_the_path(clinic_a):
    athlete = make_athlete(clinic_a)
    athlete.notes = "x" * 4001
    with pytest.raises(IntegrityError), transaction.atomic():
        athlete.save()  # save() does not validate: the database is what refuses
    athlete.notes = "x" * 4000  # the bound itself is allowed
    athlete.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Clinic.objects.filter(pk=clinic_a.pk).update(handout_footer="x" * 1001)
    exercise = make_exercise(clinic_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(pk=exercise.pk).update(starting_position="x" * 1001)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(pk=exercise.pk).update(steps=["x" * 300] * (TextLinesField.STORED_MAX // 300))
    exercise.refresh_from_db()
    assert len(exercise.starting_position) < 1000 and len(exercise.steps) == 3


def test_the_model_refuses_too_before_the_database_is_asked(clinic_a):
    athlete = make_athlete(clinic_a)
    athlete.injury_history = "x" * 4001
    exercise = make_exercise(clinic_a)
    exercise.cautions = ["Stop if it hurts."] * 16
    with pytest.raises(ValidationError) as refused:
        athlete.full_clean()
    assert refused.value.messages == ["The injury history may be at most 4000 characters long."]
    with pytest.raises(ValidationError) as refused:
        exercise.full_clean()
    assert refused.value.message_dict["cautions"] == ["At most 15 lines."]


def test_a_body_over_the_cap_is_refused_before_it_is_read(alice_client, settings):
    url = reverse("athlete_create")
    response = alice_client.post(url, data=b"x" * 10, content_type="application/octet-stream",
                                 CONTENT_LENGTH=str(settings.REQUEST_BODY_MAX_BYTES + 1))
    assert response.status_code == 413 and "more than RunPhys takes in one go (12 MB)" in response.text
    assert not Athlete.objects.exists()


def test_more_fields_than_any_form_has_is_a_clear_400(alice_client, settings):
    data = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = alice_client.post(reverse("athlete_create"), data)
    assert response.status_code == 400 and "Nothing was saved" in response.text
    assert not Athlete.objects.exists()


def test_form_fields_over_two_megabytes_are_a_clear_400(alice_client):
    response = alice_client.post(reverse("athlete_create"), {"notes": "x" * (2 * 1024 * 1024 + 1)})
    assert response.status_code == 400 and "Nothing was saved" in response.text
