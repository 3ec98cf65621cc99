"""The athlete list: clinic-scoped, searchable, filterable, sortable, paginated, constant query count."""

from datetime import date

import pytest
from django.core import signing
from django.urls import reverse

from athletes import paging
from athletes.models import Athlete
from tests.factories import make_athlete

pytestmark = pytest.mark.django_db

URL = reverse("athlete_list")


def names(response) -> list[str]:
    return [athlete.full_name for athlete in response.context["athletes"]]


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_clinic_members_see_their_clinics_athletes(request, client_name, athlete, athlete_b):
    response = request.getfixturevalue(client_name).get(URL)
    assert response.status_code == 200
    assert names(response) == ["Hannah Ilves"]
    assert "Ilves, Hannah" in response.text and "Lakeside Marathon" in response.text
    assert "Berg" not in response.text


def test_another_clinic_sees_none_of_them(charlie_client, athlete, athlete_b):
    response = charlie_client.post(URL, {"q": "Hannah"})
    assert response.status_code == 200
    assert names(response) == []
    assert "Ilves" not in response.text


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_other_methods_are_not_allowed(alice_client):
    assert alice_client.put(URL).status_code == 405
    assert alice_client.delete(URL).status_code == 405


def test_search_by_name_or_email(alice_client, clinic_a):
    make_athlete(clinic_a, first_name="Ann", last_name="Smith", email="runner1@example.com")
    make_athlete(clinic_a, first_name="Bea", last_name="Jones", email="bea@club.example")
    assert names(alice_client.post(URL, {"q": "smith"})) == ["Ann Smith"]
    assert names(alice_client.post(URL, {"q": "CLUB.example"})) == ["Bea Jones"]
    empty = alice_client.post(URL, {"q": "nobody"})
    assert names(empty) == [] and "No athlete matches" in empty.text


def test_archived_athletes_leave_the_default_list_and_have_their_own_filter(alice_client, clinic_a):
    make_athlete(clinic_a, first_name="Still", last_name="Here")
    make_athlete(clinic_a, first_name="Long", last_name="Gone").archive()
    assert names(alice_client.get(URL)) == ["Still Here"]
    assert names(alice_client.get(URL, {"status": "archived"})) == ["Long Gone"]
    assert names(alice_client.get(URL, {"status": "all"})) == ["Long Gone", "Still Here"]


def test_filter_by_sport_and_open_findings(alice_client, clinic_a):
    make_athlete(clinic_a, first_name="Run", last_name="Ner")
    tri = make_athlete(clinic_a, first_name="Tri", last_name="Athlete", sport=Athlete.Sport.TRIATHLETE)
    tri.set_assessment_summary(last_assessed_on=date(2026, 1, 1), open_findings_count=2)
    assert names(alice_client.get(URL, {"sport": "triathlete"})) == ["Tri Athlete"]
    response = alice_client.get(URL, {"open_findings": "on"})
    assert names(response) == ["Tri Athlete"] and "2 open findings" in response.text


def test_sort_by_name_or_by_last_assessment(alice_client, clinic_a):
    make_athlete(clinic_a, first_name="Amy", last_name="Able")
    late = make_athlete(clinic_a, first_name="Zoe", last_name="Zane")
    mid = make_athlete(clinic_a, first_name="Mo", last_name="Mint")
    late.set_assessment_summary(last_assessed_on=date(2026, 3, 1), open_findings_count=0)
    mid.set_assessment_summary(last_assessed_on=date(2026, 2, 1), open_findings_count=0)
    assert names(alice_client.get(URL)) == ["Amy Able", "Mo Mint", "Zoe Zane"]
    by_assessment = alice_client.get(URL, {"sort": "last_assessed"})
    assert names(by_assessment) == ["Zoe Zane", "Mo Mint", "Amy Able"]
    assert "1 Mar 2026" in by_assessment.text


@pytest.mark.parametrize("per_page", [25, 50, 100])
def test_pages_of_25_50_or_100(alice_client, clinic_a, per_page):
    Athlete.objects.bulk_create(
        [Athlete(clinic=clinic_a, first_name=f"N{n:03d}", last_name="Same", date_of_birth=date(1990, 1, 1))
         for n in range(per_page + 3)]
    )
    first = alice_client.get(URL, {"per_page": per_page})
    assert len(first.context["athletes"]) == per_page
    assert f"{per_page + 3} athletes" in first.text
    second = alice_client.post(URL, {"per_page": per_page, "page": first.context["page"].next_cursor})
    assert names(second) == [f"N{n:03d} Same" for n in range(per_page, per_page + 3)]
    assert f"{per_page + 3} athletes · page 2 of 2" in second.text


def test_invalid_parameters_fall_back_to_the_defaults(alice_client, athlete):
    response = alice_client.get(URL, {"per_page": "7", "sort": "drop table", "status": "x", "page": "999"})
    assert response.status_code == 200
    assert names(response) == ["Hannah Ilves"]
    assert response.context["page"].per_page == 25 and response.context["page"].number == 1


def test_htmx_requests_get_only_the_results(alice_client, athlete):
    response = alice_client.post(URL, {"q": "hannah"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="athlete-results"')
    assert "<html" not in response.text and "Ilves, Hannah" in response.text
    assert "HX-Request" in response["Vary"]


def test_the_search_and_its_pages_are_posted_so_no_name_lands_in_a_url(alice_client, clinic_a):
    Athlete.objects.bulk_create(
        [Athlete(clinic=clinic_a, first_name=f"Zara{n:02d}", last_name="Quill", date_of_birth=date(1990, 1, 1))
         for n in range(30)]
    )
    page = alice_client.post(URL, {"q": "zara"})
    assert '<form method="post" action="/athletes/" id="athlete-filters"' in page.text
    assert 'hx-post="/athletes/"' in page.text and "hx-push-url" not in page.text
    cursor = page.context["page"].next_cursor
    assert f'form="athlete-filters" name="page" value="{cursor}"' in page.text
    assert "zara" not in "".join(page.text.split('value="zara"'))  # only as the search box's value
    assert "quill" not in signing.loads(cursor, salt=paging.SALT).__repr__().lower()  # a code, not a name
    second = alice_client.post(URL, {"q": "zara", "page": cursor})
    assert names(second) == [f"Zara{n:02d} Quill" for n in range(25, 30)]


def test_the_list_does_not_log_a_view_of_each_athlete(alice_client, athlete):
    from runphys.models import AuditEvent

    alice_client.get(URL)
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.parametrize("per_page", [25, 100])
def test_query_count_stays_fixed_from_5_to_500_athletes(alice_client, clinic_a, bob, per_page,
                                                        django_assert_num_queries):
    def add(count: int) -> None:
        Athlete.objects.bulk_create(
            [Athlete(clinic=clinic_a, primary_clinician=bob, first_name=f"F{n}", last_name=f"L{n}",
                     date_of_birth=date(1990, 1, 1), goal_event="10K") for n in range(count)]
        )

    add(5)
    # user with membership and clinic (the session comes from its cache), the page's matches ranked by
    # id with their count, the page's athletes with their clinician, the audit row of the athletes
    # shown. The session is not saved (renewed at most once a minute).
    with django_assert_num_queries(4):
        few = alice_client.post(URL, {"per_page": per_page, "q": "F"})
    add(per_page)
    with django_assert_num_queries(4):
        full = alice_client.post(URL, {"per_page": per_page, "q": "F"})
    add(500)
    with django_assert_num_queries(4):
        many = alice_client.post(URL, {"per_page": per_page, "q": "F"})
    assert many.context["page"].count == 505 + per_page
    # A later page: its ranked rows, and the (capped) count apart.
    with django_assert_num_queries(4):
        deeper = alice_client.post(URL, {"per_page": per_page, "q": "F", "page": many.context["page"].next_cursor})
    assert len(few.context["athletes"]) == 5 and len(full.context["athletes"]) == per_page
    assert len(many.context["athletes"]) == len(deeper.context["athletes"]) == per_page


def test_a_row_is_drawn_once_and_drawn_anew_when_anything_it_shows_changes(alice_client, clinic_a, bob):
    """Rows are kept drawn under what they show (athletes.templatetags.athletes.ListRow): opening the
    list again reuses them, and a change to the athlete or to their clinician's name is seen at once."""
    from athletes.templatetags.athletes import drawn_row

    athlete = Athlete.objects.create(clinic=clinic_a, primary_clinician=bob, first_name="Rowan", last_name="Vale",
                                     date_of_birth=date(1990, 1, 1), goal_event="Berlin marathon")
    drawn_row.cache_clear()
    assert "Berlin marathon" in alice_client.get(URL).text
    misses = drawn_row.cache_info().misses
    assert "Berlin marathon" in alice_client.get(URL).text
    assert drawn_row.cache_info().misses == misses  # the same rows, not drawn again

    athlete.goal_event = "Valencia marathon"
    athlete.save(actor=bob)
    bob.full_name = "Robert Baker"
    bob.save()
    page = alice_client.get(URL).text
    assert "Valencia marathon" in page and "Berlin marathon" not in page
    assert "Robert Baker" in page
