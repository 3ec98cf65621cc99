"""“Copy to my clinic”: a shipped exercise becomes an editable clinic exercise."""

import pytest
from django.urls import reverse

from exercises.models import Exercise
from runphys.models import AuditEvent

pytestmark = pytest.mark.django_db


def copy_url(exercise: Exercise) -> str:
    return reverse("exercises:copy", args=[exercise.code])


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_copying_a_shipped_exercise_opens_the_copy_for_editing(request, library, clinic_a, client_name):
    shipped = Exercise.objects.get(slug="ninety-ninety-hip-rotations")
    response = request.getfixturevalue(client_name).post(copy_url(shipped))
    copy = Exercise.objects.get(clinic=clinic_a)
    assert response.status_code == 302 and response["Location"] == reverse("exercises:edit", args=[copy.code])
    assert copy.copied_from == shipped and copy.name == shipped.name and copy.steps == shipped.steps
    assert AuditEvent.objects.filter(action="exercise_copy", target_id=str(copy.code)).count() == 1
    assert Exercise.objects.shipped().count() == 17


def test_a_clinic_can_duplicate_its_own_exercise(alice_client, clinic_exercise, clinic_a):
    alice_client.post(copy_url(clinic_exercise))
    assert Exercise.objects.filter(clinic=clinic_a, name=clinic_exercise.name).count() == 2


def test_charlie_cannot_copy_clinic_a_exercise(charlie_client, clinic_exercise, clinic_b):
    assert charlie_client.post(copy_url(clinic_exercise)).status_code == 404
    assert not Exercise.objects.filter(clinic=clinic_b).exists()


def test_anonymous_is_sent_to_login(client, library):
    shipped = Exercise.objects.get(slug="clamshell-band")
    assert client.post(copy_url(shipped)).status_code == 302
    assert Exercise.objects.count() == 17


def test_copying_needs_post(alice_client, library):
    shipped = Exercise.objects.get(slug="clamshell-band")
    assert alice_client.get(copy_url(shipped)).status_code == 405
    assert Exercise.objects.count() == 17
