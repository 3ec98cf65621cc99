"""The clinic's assessments, newest first, with their open findings."""

from datetime import date

import pytest
from django.urls import reverse

from runphys.models import AuditEvent
from tests.factories import FOUR, make_assessment, make_athlete

pytestmark = pytest.mark.django_db
URL = reverse("assessments:list")


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_lists_the_clinics_assessments_with_open_findings(request, who, assessment, clinic_b, charlie):
    make_assessment(make_athlete(clinic_b, first_name="Zed"), charlie, FOUR)
    response = request.getfixturevalue(f"{who}_client").get(URL)
    assert response.status_code == 200
    assert "Rosa Runner" in response.text and "Zed" not in response.text
    assert "Left IR below reference" in response.text and "Left IR asymmetry" in response.text
    assert AuditEvent.objects.filter(action="list", target_type="assessment").count() == 1


def test_charlie_sees_none_of_clinic_a(charlie_client, assessment):
    response = charlie_client.get(URL)
    assert response.status_code == 200 and "Rosa" not in response.text


def test_wrong_method(alice_client):
    assert alice_client.post(URL).status_code == 405


def test_query_count_does_not_grow_with_rows(alice_client, clinic_a, bob, django_assert_max_num_queries):
    for n in range(2):
        make_assessment(make_athlete(clinic_a, first_name=f"A{n}"), bob, FOUR, assessed_on=date(2026, 1, n + 1))
    with django_assert_max_num_queries(8) as few:
        alice_client.get(URL)
    for n in range(2, 30):
        make_assessment(make_athlete(clinic_a, first_name=f"A{n}"), bob, FOUR, assessed_on=date(2026, 1, n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(URL)
    assert response.text.count("Left IR asymmetry") == 30
