"""The athlete page lists the athlete's programs with their latest version, in fixed queries."""

import pytest
from django.template.loader import render_to_string

from tests.factories import make_athlete, make_library, make_program
from tests.helpers import issue

pytestmark = pytest.mark.django_db


def test_programs_appear_on_the_athlete_page(bob_client, clinic_a, bob):
    athlete = make_athlete(clinic_a)
    page = bob_client.get(athlete.get_absolute_url())
    assert "No program yet" in page.text
    library = make_library()
    program = make_program(athlete, bob, [library["Prone hip internal rotation"]], title="IR in extension, phase 1")
    issue(program.latest, by=bob)
    page = bob_client.get(athlete.get_absolute_url())
    assert "IR in extension, phase 1" in page.text and "version 1, issued" in page.text
    assert program.get_absolute_url() in page.text


def test_program_entries_cost_the_same_queries_for_one_or_many(clinic_a, bob, django_assert_num_queries):
    athlete = make_athlete(clinic_a)
    library = make_library()
    make_program(athlete, bob, [library["Prone hip internal rotation"]], title="First")
    with django_assert_num_queries(2):
        render_to_string("assessments/_athlete_programs.html", {"athlete": athlete})
    for n in range(4):
        make_program(athlete, bob, [], title=f"Program {n}")
    with django_assert_num_queries(2):
        html = render_to_string("assessments/_athlete_programs.html", {"athlete": athlete})
    assert html.count("list-group-item") == 5


def test_issued_programs_show_what_the_athlete_logged_in_fixed_queries(clinic_a, bob, django_assert_num_queries):
    from django.utils import timezone

    from assessments.programs.models import DayComment, ExerciseLog

    athlete = make_athlete(clinic_a)
    library = make_library()
    program = make_program(athlete, bob, [library["Prone hip internal rotation"],
                                          library["Single-leg rotational hip control"]])
    issue(program.latest, by=bob)
    item = program.latest.items.first()
    ExerciseLog.objects.create(version=program.latest, item=item, day=timezone.localdate())
    DayComment.objects.create(program=program, version=program.latest, day=timezone.localdate(), text="Easy today")
    # programs, versions, users, and the issued versions' items, the week's logs, the comments
    with django_assert_num_queries(5):
        html = render_to_string("assessments/_athlete_programs.html", {"athlete": athlete})
    prescribed = sum(i.days_per_week for i in program.latest.items.all())
    assert f"Last 7 days: 1 of {prescribed} exercise days logged by the athlete" in html and "Easy today" in html
    for n in range(3):
        other = make_program(athlete, bob, [library["Prone hip internal rotation"]], title=f"Program {n}")
        issue(other.latest, by=bob)
    with django_assert_num_queries(5):
        render_to_string("assessments/_athlete_programs.html", {"athlete": athlete})
