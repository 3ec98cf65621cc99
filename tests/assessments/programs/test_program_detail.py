"""The program page, the programs list and the draft's details: what they show, what they audit,
and query counts that do not grow with the number of items, versions or programs."""

import pytest
from django.urls import reverse

from assessments.programs.models import ProgramVersion
from runphys.models import AuditEvent
from tests.factories import make_athlete, make_exercise, make_program
from tests.helpers import issue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_detail_shows_the_draft_with_reasons_and_actions(request, who, world):
    program = world.program
    response = request.getfixturevalue(f"{who}_client").get(program.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "Prone hip internal rotation" in text and "Single-leg rotational hip control" in text
    assert "Version 1 draft" in text and 'data-testid="issue-button"' in text
    assert "3 × 10" in text and "Added by the clinician" in text
    assert reverse("programs:handout_preview", args=[program.latest.code]) in text
    assert AuditEvent.objects.filter(action="view", target_type="program", target_id=str(program.code)).exists()


def test_detail_of_an_issued_program_is_read_only_and_lists_every_version(alice_client, bob, world):
    program = world.program
    first = program.latest
    issue(first, by=bob)
    issue(program.revise(by=bob), by=bob)
    text = alice_client.get(program.get_absolute_url()).text
    assert "Version 2 issued" in text and 'data-testid="revise-button"' in text
    assert 'data-testid="issue-button"' not in text and "Remove" not in text
    for version in program.versions.all():
        assert reverse("programs:handout_pdf", args=[version.code]) in text


def test_the_refer_flag_stays_in_view_and_warns_about_stretches(bob_client, clinic_a, bob):
    from tests.factories import make_assessment

    athlete = make_athlete(clinic_a)
    assessment = make_assessment(athlete, bob, [{"side": "left", "movement": "ir", "degrees": 30, "end_feel": "empty"}])
    stretch = make_exercise(name="Pigeon stretch", family="er_flexibility", addresses=["low_er"], is_stretch=True)
    program = make_program(athlete, bob, [stretch], assessment=assessment)
    text = bob_client.get(program.get_absolute_url()).text
    assert 'data-testid="refer-flag"' in text
    assert 'data-testid="stretch-warning"' in text and "Pigeon stretch" in text


def test_detail_query_count_does_not_grow_with_items_or_versions(bob_client, bob, world,
                                                                 django_assert_max_num_queries):
    program, library = world.program, world.library
    issue(program.latest, by=bob)
    program.revise(by=bob)
    # 13 (the picker's first matches and how many match among them), and 4 for the athlete's link
    # and what they logged (link, items, logs, comments)
    with django_assert_max_num_queries(17) as few:
        bob_client.get(program.get_absolute_url())
    issue(program.latest, by=bob)
    draft = program.revise(by=bob)
    for exercise in library.values():
        draft.add_exercise(exercise)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = bob_client.get(program.get_absolute_url())
    assert response.text.count('data-testid="program-item"') == 2 + len(library)


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_list_shows_the_clinics_programs(request, who, world, clinic_b, charlie):
    make_program(make_athlete(clinic_b, first_name="Zed"), charlie, title="Theirs")
    response = request.getfixturevalue(f"{who}_client").get(reverse("programs:list"))
    assert response.status_code == 200
    assert "Ines Okafor" in response.text and "Hip program" in response.text
    assert "Zed" not in response.text and "Theirs" not in response.text
    assert AuditEvent.objects.filter(action="list", target_type="program").count() == 1


def test_charlie_sees_none_of_clinic_a_in_the_list(charlie_client, world):
    assert "Ines" not in charlie_client.get(reverse("programs:list")).text


def test_list_query_count_does_not_grow_with_rows(alice_client, clinic_a, bob, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as few:
        alice_client.get(reverse("programs:list"))
    for n in range(15):
        program = make_program(make_athlete(clinic_a, first_name=f"A{n}"), bob, title=f"Program {n}")
        if n % 2:
            program.latest.add_exercise(world.library["Prone hip internal rotation"])
            issue(program.latest, by=bob)
            program.revise(by=bob)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(reverse("programs:list"))
    assert response.text.count("data-code=") == 16


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_edit_details_of_the_draft(request, who, bob, alice, world):
    program = world.program
    client = request.getfixturevalue(f"{who}_client")
    url = reverse("programs:edit", args=[program.code])
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="view", target_type="programversion").exists()
    response = client.post(url, {"title": "Phase 2", "clinician": alice.pk, "starts_on": "2026-05-04",
                                 "review_on": "2026-05-30"})
    assert response.status_code == 302
    draft = ProgramVersion.objects.get(pk=program.latest.pk)
    assert (draft.title, draft.clinician) == ("Phase 2", alice)
    event = AuditEvent.objects.get(action="update", target_type="programversion")
    assert set(event.fields) == {"title", "clinician", "starts_on", "review_on"}


def test_edit_details_invalid_input_changes_nothing(bob_client, world):
    program = world.program
    response = bob_client.post(reverse("programs:edit", args=[program.code]),
                               {"title": "", "clinician": "", "starts_on": "2026-05-04", "review_on": "2026-01-01"})
    assert response.status_code == 200 and "This field is required." in response.text
    assert ProgramVersion.objects.get(pk=program.latest.pk).title == "Hip program"


def test_details_of_an_issued_version_cannot_be_edited(bob_client, bob, world):
    program = world.program
    issue(program.latest, by=bob)
    response = bob_client.post(reverse("programs:edit", args=[program.code]),
                               {"title": "Sneaky", "clinician": bob.pk, "starts_on": "2026-05-04"})
    assert response.status_code == 302
    assert ProgramVersion.objects.get(program=program).title == "Hip program"
