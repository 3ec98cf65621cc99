"""A clinic creates its own exercise with the crispy form."""

import pytest
from django.urls import reverse

from exercises.models import Exercise
from runphys.models import AuditEvent
from tests.helpers import exercise_form_data

pytestmark = pytest.mark.django_db

URL = reverse("exercises:create")


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_a_clinic_member_creates_an_exercise(request, client_name, clinic_a, library):
    client = request.getfixturevalue(client_name)
    assert client.get(URL).status_code == 200
    progression = Exercise.objects.get(slug="single-leg-bridge")
    response = client.post(URL, exercise_form_data(progression=str(progression.code)))
    exercise = Exercise.objects.get(name="Wall sit with a ball")
    assert response.status_code == 302 and response["Location"] == exercise.get_absolute_url()
    assert exercise.clinic == clinic_a and exercise.slug == "wall-sit-with-a-ball"
    assert exercise.steps == ["Slide down to a comfortable bend.", "Squeeze the ball.", "Hold, then slide up."]
    assert exercise.addresses == ["poor_control"] and exercise.equipment == ["wall"]
    assert (exercise.sets, exercise.reps, exercise.hold_seconds, exercise.load) == (3, 5, 20, "body_weight")
    assert exercise.progression == progression
    assert AuditEvent.objects.filter(action="exercise_create", target_id=str(exercise.code)).count() == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("sets", "11", "Sets must be from 1 to 10."),
    ("reps", "0", "Repetitions must be from 1 to 200."),
    ("hold_seconds", "301", "The hold must be from 0 to 300 seconds."),
    ("rest_seconds", "900", "The rest must be from 0 to 600 seconds."),
    ("sessions_per_day", "6", "Sessions a day must be from 1 to 5."),
    ("days_per_week", "8", "Days a week must be from 1 to 7."),
    ("pain_ceiling", "12", "The pain ceiling must be from 0 to 10."),
    ("tempo", "slowly", "Write the tempo as four numbers like 3-1-1-0 (X = fast)."),
    ("side", "up", "Select a valid choice."),
])
def test_a_dosage_outside_the_ranges_is_refused_with_a_clear_message(alice_client, field, value, message):
    response = alice_client.post(URL, exercise_form_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.text
    assert not Exercise.objects.exists()


def test_a_load_needs_its_detail(alice_client):
    response = alice_client.post(URL, exercise_form_data(load="band", band_colour=""))
    assert "Choose the band colour." in response.text
    response = alice_client.post(URL, exercise_form_data(load="kg", load_kg=""))
    assert "Enter the weight in kg." in response.text
    assert not Exercise.objects.exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "This field is required."),
    ({"steps": "  \n  "}, "This field is required."),
    ({"equipment": ["none", "band"]}, "cannot go with other equipment"),
    ({"addresses": ["tight_calves"]}, "Select a valid choice."),
    ({"video_url": "http://example.com/clip"}, "Enter a full https:// link."),
    ({"video_url": "javascript:alert(1)"}, "Enter a valid URL."),
])
def test_invalid_input_re_renders_with_errors_and_saves_nothing(alice_client, overrides, message):
    response = alice_client.post(URL, exercise_form_data(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert not Exercise.objects.exists() and not AuditEvent.objects.filter(action="exercise_create").exists()


def test_another_clinics_exercise_cannot_be_linked(charlie_client, clinic_exercise):
    response = charlie_client.post(URL, exercise_form_data(progression=str(clinic_exercise.code)))
    assert response.status_code == 200 and "Select a valid choice." in response.text
    assert Exercise.objects.count() == 1


def test_anonymous_is_sent_to_login(client):
    assert client.post(URL, exercise_form_data()).status_code == 302
    assert not Exercise.objects.exists()


def test_wrong_method_is_refused(alice_client):
    assert alice_client.delete(URL).status_code == 405


def test_a_user_outside_any_clinic_cannot_create_or_copy(client, django_user_model, library):
    # Rows without a clinic are the shipped library: nobody may make one through the app.
    admin = django_user_model.objects.create_superuser("root@runphys.example", "x" * 20, full_name="Root")
    client.force_login(admin)
    assert client.post(URL, exercise_form_data()).status_code == 403
    shipped = Exercise.objects.get(slug="clamshell-band")
    assert client.post(reverse("exercises:copy", args=[shipped.code])).status_code == 404  # sees no library
    assert client.post(reverse("exercises:template_create"), {"name": "x"}).status_code == 403
    assert Exercise.objects.count() == 17


def test_a_calf_exercise_is_filed_under_its_region_with_a_family_for_any_region(alice_client, clinic_a):
    response = alice_client.post(URL, exercise_form_data(
        name="Calf raise on a step", region="ankle_calf", family="strength", addresses=[]))
    exercise = Exercise.objects.get(name="Calf raise on a step")
    assert response.status_code == 302
    assert (exercise.region, exercise.family, exercise.addresses) == ("ankle_calf", "strength", [])
    assert "Ankle and calf" in alice_client.get(exercise.get_absolute_url()).text


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"family": "control_strength", "addresses": []}, "family", "is a family for hip work"),
    ({"family": "strength", "addresses": ["poor_control"]}, "addresses", "findings about the hip"),
])
def test_a_calf_exercise_cannot_take_a_hip_family_or_a_hip_finding(alice_client, overrides, field, message):
    response = alice_client.post(URL, exercise_form_data(name="Calf raise on a step", region="ankle_calf", **overrides))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not Exercise.objects.exists()


def test_pelvis_and_trunk_control_work_may_answer_the_control_finding(alice_client):
    response = alice_client.post(URL, exercise_form_data(name="Side plank", region="pelvis_trunk"))
    assert response.status_code == 302
    assert Exercise.objects.get(name="Side plank").addresses == ["poor_control"]
    response = alice_client.post(URL, exercise_form_data(name="Dead bug", region="pelvis_trunk",
                                                         family="ir_mobility", addresses=["low_ir"]))
    assert response.status_code == 200 and set(response.context["form"].errors) == {"family", "addresses"}


def test_the_family_menu_groups_the_hip_families_apart(alice_client):
    text = alice_client.get(URL).text
    assert '<optgroup label="Hip work, suggested for the assessment&#x27;s findings">' in text
    assert '<optgroup label="Any region">' in text and 'value="ankle_calf"' in text
