"""Editing a clinic exercise; shipped exercises are read-only (404 on every changing URL, the same
answer another clinic's exercise gets)."""

import pytest
from django.urls import reverse

from exercises.models import Exercise
from runphys.models import AuditEvent
from tests.factories import make_exercise
from tests.helpers import exercise_form_data

pytestmark = pytest.mark.django_db


def edit_url(exercise: Exercise) -> str:
    return reverse("exercises:edit", args=[exercise.code])


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_a_clinic_member_edits_their_exercise(request, client_name, clinic_exercise):
    client = request.getfixturevalue(client_name)
    page = client.get(edit_url(clinic_exercise))
    assert page.status_code == 200 and "Step sideways ten times." in page.text
    response = client.post(edit_url(clinic_exercise), exercise_form_data(name="Banded crab walk", reps="12"))
    assert response.status_code == 302 and response["Location"] == clinic_exercise.get_absolute_url()
    clinic_exercise.refresh_from_db()
    assert (clinic_exercise.name, clinic_exercise.reps) == ("Banded crab walk", 12)
    event = AuditEvent.objects.get(action="exercise_update")
    assert event.target_id == str(clinic_exercise.code) and {"name", "reps"} <= set(event.fields)
    assert "Banded crab walk" not in str(event.fields)  # names of fields, never values


def test_invalid_input_re_renders_with_errors_and_changes_nothing(alice_client, clinic_exercise):
    response = alice_client.post(edit_url(clinic_exercise), exercise_form_data(name="Renamed", days_per_week="9"))
    assert response.status_code == 200 and "Days a week must be from 1 to 7." in response.text
    clinic_exercise.refresh_from_db()
    assert clinic_exercise.name == "Banded monster walk" and clinic_exercise.days_per_week == 3
    assert not AuditEvent.objects.filter(action="exercise_update").exists()


def test_an_exercise_cannot_be_its_own_progression(alice_client, clinic_exercise):
    response = alice_client.post(edit_url(clinic_exercise), exercise_form_data(progression=str(clinic_exercise.code)))
    assert response.status_code == 200 and "Select a valid choice." in response.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_shipped_exercise_cannot_be_edited_by_a_clinic(library, alice_client, method):
    shipped = Exercise.objects.get(slug="clamshell-band")
    response = getattr(alice_client, method)(edit_url(shipped), exercise_form_data(name="Hijacked"))
    assert response.status_code == 404
    shipped.refresh_from_db()
    assert shipped.name == "Clamshell with a band"


@pytest.mark.parametrize("action", ["archive", "restore"])
def test_a_shipped_exercise_cannot_be_archived_or_restored_by_a_clinic(library, alice_client, action):
    shipped = Exercise.objects.get(slug="clamshell-band")
    assert alice_client.post(reverse(f"exercises:{action}", args=[shipped.code])).status_code == 404
    shipped.refresh_from_db()
    assert not shipped.is_archived


def test_charlie_gets_404(charlie_client, clinic_exercise):
    assert charlie_client.get(edit_url(clinic_exercise)).status_code == 404
    assert charlie_client.post(edit_url(clinic_exercise), exercise_form_data(name="Mine now")).status_code == 404
    clinic_exercise.refresh_from_db()
    assert clinic_exercise.name == "Banded monster walk"


def test_anonymous_is_sent_to_login(client, clinic_exercise):
    assert client.post(edit_url(clinic_exercise), exercise_form_data()).status_code == 302


def test_wrong_method_is_refused(alice_client, clinic_exercise):
    assert alice_client.put(edit_url(clinic_exercise)).status_code == 405


def test_a_link_to_an_exercise_archived_since_survives_an_edit(alice_client, clinic_a, clinic_exercise):
    harder = make_exercise(clinic_a, name="Banded monster walk, deeper squat")
    clinic_exercise.progression = harder
    clinic_exercise.save()
    harder.archive()
    response = alice_client.post(edit_url(clinic_exercise), exercise_form_data(progression=str(harder.code)))
    assert response.status_code == 302
    clinic_exercise.refresh_from_db()
    assert clinic_exercise.progression == harder


@pytest.mark.parametrize("field", ["starting_position", "progression_note"])
def test_a_megabyte_of_text_is_refused_with_the_fields_limit(alice_client, clinic_exercise, field):
    """A 1 MB text once made every handout using the exercise take 18 s to render."""
    before = clinic_exercise.starting_position, clinic_exercise.progression_note
    response = alice_client.post(edit_url(clinic_exercise), exercise_form_data(**{field: "x" * 1024 * 1024}))
    assert response.status_code == 200
    assert "Ensure this value has at most 1000 characters (it has 1048576)." in response.text
    clinic_exercise.refresh_from_db()
    assert (clinic_exercise.starting_position, clinic_exercise.progression_note) == before


def test_a_megabyte_of_steps_is_refused_by_line_count_and_by_line_length(alice_client, clinic_exercise):
    many = alice_client.post(edit_url(clinic_exercise), exercise_form_data(steps="step\n" * 200_000))
    assert many.status_code == 200 and "At most 15 lines." in many.text
    long = alice_client.post(edit_url(clinic_exercise), exercise_form_data(steps="x" * 1024 * 1024))
    assert long.status_code == 200 and "Keep each line under 300 characters." in long.text
    clinic_exercise.refresh_from_db()
    assert clinic_exercise.steps == ["Bend the knees a little.", "Step sideways ten times.", "Step back."]
