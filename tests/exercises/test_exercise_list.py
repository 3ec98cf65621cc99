"""The library page: live search and filters, the htmx partial, scoping and a pinned query count."""

import re

import pytest
from django.urls import reverse

from exercises.models import Exercise
from tests.factories import make_exercise

pytestmark = pytest.mark.django_db

URL = reverse("exercises:list")


def names(response) -> set[str]:
    return set(re.findall(r'class="stretched-link" href="[^"]+">([^<]+)</a>', response.text))


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_clinic_members_see_the_library_and_their_clinics_exercises(request, library, clinic_exercise, client_name):
    response = request.getfixturevalue(client_name).get(URL)
    assert response.status_code == 200
    assert "Clamshell with a band" in names(response)
    assert clinic_exercise.name in names(response)
    assert 'id="exercise-filters"' in response.text  # the whole page


def test_charlie_does_not_see_clinic_a_exercises(library, clinic_exercise, charlie_client):
    response = charlie_client.get(URL)
    assert "Clamshell with a band" in names(response)
    assert clinic_exercise.name not in response.text


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_wrong_method_is_refused(alice_client):
    assert alice_client.post(URL).status_code == 405


def test_search_narrows_the_list(library, alice_client):
    response = alice_client.get(URL, {"q": "clamshell"})
    assert names(response) == {"Clamshell with a band"}
    assert "1 exercise" in response.text


def test_the_search_box_asks_htmx_for_results_with_a_debounce(alice_client):
    response = alice_client.get(URL)
    search_box = re.search(r'<input[^>]*name="q"[^>]*>', response.text).group(0)
    assert f'hx-get="{URL}"' in search_box
    assert 'hx-trigger="input changed delay:300ms, search"' in search_box
    assert 'hx-target="#exercise-results"' in response.text


def test_an_htmx_request_gets_only_the_results(library, alice_client):
    response = alice_client.get(URL, {"q": "pigeon"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="exercise-results"')
    assert "<nav" not in response.text and 'id="exercise-filters"' not in response.text
    assert names(response) == {"Supported pigeon stretch", "Supported pigeon with lift-offs"}
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"family": "extension_mobility"}, {"Hip flexor stretch off the end of a bed",
                                         "Standing split-stance hip flexor stretch"}),
    ({"finding": "limited_extension", "equipment": "bed"}, {"Hip flexor stretch off the end of a bed"}),
    ({"equipment": "band"}, {"Hip internal rotation contract-relax", "Clamshell with a band",
                             "Single-leg rotational hip control with a band"}),
    ({"finding": "poor_control", "family": "ir_mobility"}, {"Standing hip CARs (controlled articular rotations)"}),
])
def test_each_filter_narrows_the_list(library, alice_client, params, expected):
    assert names(alice_client.get(URL, params)) == expected


def test_the_owner_filter_separates_the_library_from_the_clinics_own(library, clinic_exercise, alice_client):
    assert names(alice_client.get(URL, {"owner": "clinic"})) == {clinic_exercise.name}
    shipped = names(alice_client.get(URL, {"owner": "shipped"}))
    assert clinic_exercise.name not in shipped and len(shipped) == 17


def test_archived_exercises_show_only_when_asked(clinic_exercise, alice_client):
    clinic_exercise.archive()
    assert clinic_exercise.name not in names(alice_client.get(URL))
    response = alice_client.get(URL, {"archived": "on"})
    assert clinic_exercise.name in names(response) and "archived" in response.text


def test_unknown_filter_values_are_ignored(library, alice_client):
    response = alice_client.get(URL, {"family": "yoga", "equipment": "rowing-machine"})
    assert response.status_code == 200
    assert len(names(response)) == 17


def test_no_match_says_so(library, alice_client):
    response = alice_client.get(URL, {"q": "trampoline"})
    assert "No exercise matches" in response.text


def test_the_query_count_does_not_grow_with_exercises(library, clinic_a, alice_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4) as few:
        alice_client.get(URL)
    for n in range(20):
        make_exercise(clinic_a, name=f"Drill number {n}")
    assert Exercise.objects.count() == 37
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(URL)
    assert len(names(response)) == 24  # one full page


def test_search_finds_a_muscle_named_in_the_library(library, alice_client):
    assert names(alice_client.get(URL, {"q": "piriformis"})) == {
        "Glute-biased external rotation stretch (seated figure-4)", "Supported pigeon stretch"}


def test_search_and_the_region_filter_find_a_clinics_calf_exercises(library, clinic_a, alice_client):
    # Neither name nor steps say "calf": the region does.
    heel_drops = make_exercise(clinic_a, name="Eccentric heel drops", region="ankle_calf", family="strength",
                               addresses=[], steps=["Rise on both feet.", "Lower slowly on one."])
    make_exercise(clinic_a, name="Step-down", region="knee", family="strength", addresses=[])
    assert names(alice_client.get(URL, {"q": "calf"})) == {heel_drops.name}
    assert names(alice_client.get(URL, {"q": "calves eccentric"})) == {heel_drops.name}
    assert names(alice_client.get(URL, {"region": "ankle_calf"})) == {heel_drops.name}
    assert names(alice_client.get(URL, {"region": "knee", "family": "strength"})) == {"Step-down"}
    assert "Ankle and calf" in alice_client.get(URL, {"q": "calf"}).text
