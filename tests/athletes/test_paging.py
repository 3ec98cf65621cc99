"""Pages of the athlete list at any depth: keyset cursors, the capped count, search ranking and the
trigram index that serves a fragment search on PostgreSQL."""

import importlib
from datetime import date

import pytest
from django.core import signing
from django.db import connection
from django.urls import reverse

from athletes import paging
from athletes.models import Athlete
from tests.factories import make_athlete

pytestmark = pytest.mark.django_db

URL = reverse("athlete_list")


def names(response) -> list[str]:
    return [athlete.full_name for athlete in response.context["athletes"]]


def add(clinic, names_and_dates) -> list[Athlete]:
    return Athlete.objects.bulk_create([
        Athlete(clinic=clinic, first_name=first, last_name=last, date_of_birth=date(1990, 1, 1),
                last_assessed_on=assessed)
        for first, last, assessed in names_and_dates
    ])


@pytest.mark.parametrize("sort", ["name", "last_assessed"])
def test_every_athlete_once_across_pages_while_athletes_are_added(alice_client, clinic_a, sort):
    # Same surnames, same dates and never-assessed ones: the tie-breakers matter.
    add(clinic_a, [(f"F{n:02}", f"L{n % 7}", date(2026, 1, 1 + n % 5) if n % 3 else None) for n in range(60)])
    seen, added, cursor = [], 0, None
    while True:
        response = alice_client.post(URL, {"sort": sort, **({"page": cursor} if cursor else {})})
        seen += [athlete.code for athlete in response.context["athletes"]]
        # Someone adds athletes sorting before and after this point of the list.
        if added < 20:
            add(clinic_a, [(f"New{added}", "A", date(2026, 12, 1)), (f"New{added + 1}", "Zz", None)])
            added += 2
        page = response.context["page"]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen))
    original = set(Athlete.objects.exclude(first_name__startswith="New").values_list("code", flat=True))
    assert original <= set(seen)


def test_previous_and_last_pages(alice_client, clinic_a):
    add(clinic_a, [(f"F{n:02}", f"L{n:02}", None) for n in range(60)])
    first = alice_client.get(URL)
    second = alice_client.post(URL, {"page": first.context["page"].next_cursor})
    third = alice_client.post(URL, {"page": second.context["page"].next_cursor})
    assert names(third) == [f"F{n:02} L{n:02}" for n in range(50, 60)]
    assert not third.context["page"].has_next and "page 3 of 3" in third.text
    back = alice_client.post(URL, {"page": third.context["page"].previous_cursor})
    assert names(back) == names(second) and back.context["page"].number == 2
    again = alice_client.post(URL, {"page": back.context["page"].previous_cursor})
    assert names(again) == names(first) and not again.context["page"].has_previous
    last = alice_client.post(URL, {"page": first.context["page"].last_cursor})
    assert names(last) == [f"F{n:02} L{n:02}" for n in range(35, 60)] and last.context["page"].number == 3
    before_last = alice_client.post(URL, {"page": last.context["page"].previous_cursor})
    assert names(before_last) == [f"F{n:02} L{n:02}" for n in range(10, 35)]


def test_a_tampered_or_foreign_cursor_is_the_first_page(alice_client, clinic_a, clinic_b):
    add(clinic_a, [(f"F{n:02}", f"L{n:02}", None) for n in range(30)])
    [foreign] = add(clinic_b, [("Other", "L15", None)])
    first = names(alice_client.get(URL))
    assert names(alice_client.post(URL, {"page": "2"})) == first
    assert names(alice_client.post(URL, {"page": first[0] + ":forged"})) == first
    token = signing.dumps([paging.NEXT, str(foreign.code), 2], salt=paging.SALT)  # well signed, wrong clinic
    assert names(alice_client.post(URL, {"page": token})) == first


def test_the_cursor_holds_a_code_and_no_name(alice_client, clinic_a):
    add(clinic_a, [(f"Zara{n:02}", "Quill", None) for n in range(30)])
    cursor = alice_client.get(URL).context["page"].next_cursor
    direction, code, number = signing.loads(cursor, salt=paging.SALT)
    assert (direction, number) == (paging.NEXT, 2)
    assert code == str(Athlete.objects.get(first_name="Zara24").code)
    assert "zara" not in cursor.lower() and "quill" not in cursor.lower()


def test_the_count_stops_at_the_cap(alice_client, clinic_a, settings):
    settings.ATHLETE_LIST_COUNT_CAP = 30
    add(clinic_a, [(f"F{n:02}", f"L{n:02}", None) for n in range(31)])
    response = alice_client.get(URL)
    page = response.context["page"]
    assert page.count_capped and "More than 30 athletes · page 1</p>" in response.text
    assert page.num_pages is None and page.has_next
    Athlete.objects.filter(first_name="F30").first().archive()
    response = alice_client.get(URL)
    assert not response.context["page"].count_capped and "30 athletes · page 1 of 2" in response.text


def test_a_searchs_first_page_counts_its_matches_as_it_ranks_them_and_caps_them(alice_client, clinic_a, settings,
                                                                               django_assert_num_queries):
    settings.ATHLETE_LIST_COUNT_CAP = 30
    add(clinic_a, [(f"F{n:02}", "Okafor", None) for n in range(31)] + [("Jonah", "Brandt", None)])
    # The user, the matches' ids ranked with their count, the page's rows, the audit: no count apart.
    with django_assert_num_queries(4) as captured:
        response = alice_client.post(URL, {"q": "okafor"})
    assert not any("COUNT(*)" in query["sql"] for query in captured.captured_queries)
    assert response.context["page"].count_capped and "More than 30 athletes" in response.text
    Athlete.objects.filter(first_name="F30").first().archive()
    response = alice_client.post(URL, {"q": "okafor"})
    assert "30 athletes · page 1 of 2" in response.text and "Brandt" not in response.text


def test_the_count_shows_thousands_with_a_separator(settings, clinic_a, alice_client):
    settings.ATHLETE_LIST_COUNT_CAP = 10_000
    page = paging.AthletePage([], 25, 1, 10_000, True, False, True)
    assert page.count_display == "10,000"


def test_a_search_ranks_a_whole_name_first_then_its_start_then_the_rest(alice_client, clinic_a):
    for first, last in [("Ben", "Nokafor"), ("Ada", "Okaforth"), ("Ines", "Okafor"), ("Cy", "Smith")]:
        make_athlete(clinic_a, first_name=first, last_name=last)
    assert names(alice_client.post(URL, {"q": "okafor"})) == ["Ines Okafor", "Ada Okaforth", "Ben Nokafor"]
    assert names(alice_client.post(URL, {"q": "kafo"})) == ["Ben Nokafor", "Ines Okafor", "Ada Okaforth"]
    assert names(alice_client.post(URL, {"q": "ines okafor"})) == ["Ines Okafor"]
    assert names(alice_client.post(URL, {"q": "OKAFOR", "sort": "last_assessed"}))[0] == "Ines Okafor"


def test_a_ranked_search_pages_through_every_match_once(alice_client, clinic_a):
    add(clinic_a, [(f"F{n:02}", "Okafor" if n % 4 == 0 else f"Okafor{n:02}" if n % 4 == 1 else f"Nokafor{n:02}", None)
                   for n in range(60)])
    seen, cursor = [], None
    while True:
        response = alice_client.post(URL, {"q": "okafor", **({"page": cursor} if cursor else {})})
        seen += names(response)
        if not response.context["page"].has_next:
            break
        cursor = response.context["page"].next_cursor
    assert len(seen) == len(set(seen)) == 60
    assert all(name.endswith(" Okafor") for name in seen[:15]) and all(" Okafor" in name for name in seen[:30])


def test_phone_numbers_are_searched_by_their_digits(alice_client, athlete):
    assert names(alice_client.post(URL, {"q": "7700 900"})) == ["Hannah Ilves"]
    assert names(alice_client.post(URL, {"q": "+44 7700900123"})) == ["Hannah Ilves"]
    assert names(alice_client.post(URL, {"q": "900124"})) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_the_trigram_index_serves_a_fragment_from_the_middle_of_a_surname(clinic_a):
    add(clinic_a, [("Ines", "Okafor", None), ("Ben", "Smith", None)])
    matches = Athlete.objects.search("kafo")
    assert [athlete.last_name for athlete in matches] == ["Okafor"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # two rows: without this reading them all is cheaper
        sql, params = matches.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "athlete_search_trigram" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_the_migration_says_what_to_do_when_pg_trgm_cannot_be_created():
    migration = importlib.import_module("athletes.migrations.0005_search_text_fields_and_trigram_index")
    with connection.cursor() as cursor:
        # Inside the test's transaction, undone after it: a role that may not create extensions.
        cursor.execute("DROP EXTENSION pg_trgm CASCADE")
        cursor.execute("CREATE ROLE runphys_test_no_extensions NOLOGIN")
        cursor.execute("SET LOCAL ROLE runphys_test_no_extensions")
    advice = r"(?s)needs PostgreSQL's pg_trgm extension.*permission denied.*CREATE EXTENSION IF NOT EXISTS pg_trgm"
    with pytest.raises(RuntimeError, match=advice), connection.schema_editor(atomic=False) as editor:
        migration.CreateTrigramExtension().database_forwards("athletes", editor, None, None)
