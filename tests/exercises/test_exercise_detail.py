"""The exercise page: pictures, instructions, cautions and the default dosage."""

import pytest
from django.urls import reverse

from exercises.models import Exercise
from tests.factories import make_exercise

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_a_shipped_exercise_shows_everything_a_physio_needs(request, library, client_name):
    exercise = Exercise.objects.get(slug="wall-assisted-pigeon-lift-offs")
    response = request.getfixturevalue(client_name).get(exercise.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    for sentence in [exercise.starting_position, *exercise.steps, *exercise.cues, *exercise.faults]:
        assert sentence.replace("'", "&#x27;") in text
    for caution in exercise.cautions:
        assert caution.replace("'", "&#x27;") in text
    assert f'src="/static/exercises/{exercise.slug}-start.svg"' in text
    assert f'src="/static/exercises/{exercise.slug}-end.svg"' in text
    assert "Hold</dt><dd class=\"col-6\">5 s" in text and "1 × 6" in text
    assert "Copy to my clinic" in text and reverse("exercises:edit", args=[exercise.code]) not in text
    assert exercise.regression.get_absolute_url() in text  # the easier step back is linked


def test_a_clinic_exercise_offers_edit_and_archive(clinic_exercise, bob_client):
    response = bob_client.get(clinic_exercise.get_absolute_url())
    assert response.status_code == 200
    assert reverse("exercises:edit", args=[clinic_exercise.code]) in response.text
    assert reverse("exercises:archive", args=[clinic_exercise.code]) in response.text
    assert "No picture yet" in response.text


def test_charlie_gets_404_for_clinic_a_exercise(clinic_exercise, charlie_client):
    assert charlie_client.get(clinic_exercise.get_absolute_url()).status_code == 404


def test_an_archived_exercise_is_still_found_by_its_code(clinic_exercise, alice_client):
    clinic_exercise.archive()
    response = alice_client.get(clinic_exercise.get_absolute_url())
    assert response.status_code == 200
    assert 'data-testid="archived-notice"' in response.text
    assert reverse("exercises:restore", args=[clinic_exercise.code]) in response.text


def test_anonymous_is_sent_to_login(client, clinic_exercise):
    assert client.get(clinic_exercise.get_absolute_url()).status_code == 302


def test_wrong_method_is_refused(alice_client, clinic_exercise):
    assert alice_client.post(clinic_exercise.get_absolute_url()).status_code == 405


def test_user_text_is_escaped(clinic_a, alice_client):
    exercise = make_exercise(clinic_a, steps=["<script>alert(1)</script> then lunge"])
    response = alice_client.get(exercise.get_absolute_url())
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; then lunge" in response.text


def test_the_query_count_is_pinned_and_links_cost_nothing_extra(library, clinic_a, alice, alice_client,
                                                                 django_assert_max_num_queries):
    plain = make_exercise(clinic_a)
    with django_assert_max_num_queries(3) as baseline:
        assert alice_client.get(plain.get_absolute_url()).status_code == 200
    linked = Exercise.objects.get(slug="hip-internal-rotation-contract-relax").copy_to(clinic_a, by=alice)
    assert linked.progression and linked.regression and linked.copied_from
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert alice_client.get(linked.get_absolute_url()).status_code == 200
