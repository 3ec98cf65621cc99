"""The dashboard: the athletes this user opened lately, and a quick search."""

import pytest
from django.urls import reverse

from runphys import audit
from tests.factories import make_athlete, make_user

pytestmark = pytest.mark.django_db

URL = reverse("dashboard")


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_lists_the_athletes_the_user_opened_newest_first(request, user, clinic_a):
    client = request.getfixturevalue(f"{user}_client")
    older, newer = make_athlete(clinic_a, first_name="Older"), make_athlete(clinic_a, first_name="Newer")
    client.get(older.get_absolute_url())
    client.get(newer.get_absolute_url())
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["recent"] == [newer, older]
    assert 'data-testid="dashboard-heading"' in response.text


def test_someone_elses_views_do_not_show(alice_client, bob_client, athlete):
    bob_client.get(athlete.get_absolute_url())
    response = alice_client.get(URL)
    assert response.context["recent"] == [] and "records you open will be listed here" in response.text


def test_another_clinics_athletes_never_show(charlie_client, charlie, athlete):
    # Even a stray audit event pointing at another clinic's athlete does not reveal them.
    audit.record("view", actor=charlie, target=athlete, clinic=charlie.clinic)
    response = charlie_client.get(URL)
    assert response.context["recent"] == [] and "Hannah" not in response.text


def test_quick_search_opens_the_list(alice_client, athlete):
    page = alice_client.get(URL).text
    assert f'action="{reverse("athlete_list")}" role="search" method="post"' in page and 'name="q"' in page
    assert [a.full_name for a in alice_client.post(reverse("athlete_list"), {"q": "ilves"}).context["athletes"]] == [
        "Hannah Ilves"]


def test_a_user_without_a_clinic_is_told_so(client, db):
    client.force_login(make_user("loner@example.com", "Lone Ranger", None))
    response = client.get(URL)
    assert response.status_code == 200 and "does not belong to a clinic yet" in response.text


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_wrong_method(alice_client):
    assert alice_client.post(URL).status_code == 405


def test_query_count_does_not_grow_with_views(alice_client, clinic_a, django_assert_num_queries):
    for n in range(3):
        alice_client.get(make_athlete(clinic_a, first_name=f"A{n}").get_absolute_url())
    # user with membership and clinic (the session is cached), recent codes, their athletes; the worklist's three
    # buckets, one each while they are short (tests/assessments/programs/test_worklist.py); the programs that could need
    # attention (none here; with some, two more: tests/assessments/programs/test_athlete_view.py);
    # one INSERT of the audit row naming the athletes shown (tests/runphys/test_audit.py)
    with django_assert_num_queries(8):
        alice_client.get(URL)
    for n in range(20):
        alice_client.get(make_athlete(clinic_a, first_name=f"B{n}").get_absolute_url())
    with django_assert_num_queries(8):
        response = alice_client.get(URL)
    assert len(response.context["recent"]) == 8
