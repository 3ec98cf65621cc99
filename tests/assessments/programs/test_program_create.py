"""Creating a program: from an assessment with its suggestions pre-filled, or for an athlete
without a new assessment (empty or from a template)."""

from datetime import date

import pytest
from django.urls import reverse

from assessments.programs.models import Program
from exercises.models import ProgramTemplate, ProgramTemplateItem
from runphys.models import AuditEvent
from tests.factories import LOW_LEFT_IR, make_assessment, make_athlete, make_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    return make_library()


@pytest.fixture
def assessment(clinic_a, bob, library):
    return make_assessment(make_athlete(clinic_a, first_name="Ines", last_name="Okafor"), bob, LOW_LEFT_IR,
                           knee_valgus=True)


def details(**kw) -> dict:
    return {"title": "Hip mobility, phase 1", "clinician": kw.pop("clinician"), "starts_on": "2026-05-04",
            "review_on": "2026-06-01"} | kw


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_form_shows_each_suggestion_beside_its_reason(request, who, assessment):
    response = request.getfixturevalue(f"{who}_client").get(reverse("programs:create", args=[assessment.code]))
    assert response.status_code == 200
    text = response.text
    assert "Prone hip internal rotation" in text and "Single-leg rotational hip control" in text
    assert "Left IR 24° (prone, hip extended, passive) is below the reference cut-off" in text
    assert "Seen while running: knee falling inward (valgus)." in text
    assert 'data-testid="refer-flag"' not in text
    assert AuditEvent.objects.filter(action="view", target_id=str(assessment.code)).exists()


def test_a_refer_flag_is_shown_prominently_and_withholds_stretches(bob_client, clinic_a, bob, library):
    athlete = make_athlete(clinic_a)
    assessment = make_assessment(athlete, bob, [
        {"side": "left", "movement": "ir", "degrees": 30, "end_feel": "spasm"},
        ("right", "ir", 40), ("left", "er", 20), ("right", "er", 22),
    ])
    response = bob_client.get(reverse("programs:create", args=[assessment.code]))
    text = response.text
    assert 'data-testid="refer-flag"' in text and "exercises held back on the flagged side" in text
    # Left IR spasm: nothing that stretches the left hip or takes its IR to end range. ER is low on both
    # sides, so the ER stretches are suggested for the right side only, and say why.
    assert "Prone hip internal rotation (end-range mobility, and the left hip has a refer/review flag)" in text
    assert "Right side only: the left hip has a refer/review flag." in text
    assert 'data-exercise="prone-hip-internal-rotation"' not in text


def test_creates_a_draft_with_the_ticked_suggestions_and_their_findings(bob_client, bob, assessment, library):
    keep = library["Prone hip internal rotation"]
    response = bob_client.post(reverse("programs:create", args=[assessment.code]),
                               details(clinician=bob.pk, exercises=[str(keep.code)]))
    program = Program.objects.get()
    assert response.status_code == 302 and response.url == program.get_absolute_url()
    draft = program.latest
    assert (draft.number, draft.status, draft.title, draft.starts_on) == (1, "draft", "Hip mobility, phase 1",
                                                                          date(2026, 5, 4))
    assert program.assessment == assessment and program.athlete == assessment.athlete
    item = draft.items.get()
    assert item.exercise == keep and item.finding == "below_reference_ir" and item.side == "left"
    assert item.finding_detail.startswith("Left IR 24°")
    assert (item.sets, item.reps, item.days_per_week) == (keep.sets, keep.reps, keep.days_per_week)
    assert AuditEvent.objects.filter(action="create", target_type="program", target_id=str(program.code)).exists()


def test_a_template_can_follow_the_suggestions(bob_client, bob, assessment, library):
    template = ProgramTemplate.objects.create(name="Glute basics")
    ProgramTemplateItem.objects.create(template=template, exercise=library["Hip external rotation off a bed edge"],
                                       sets=2, reps=20, days_per_week=3)
    bob_client.post(reverse("programs:create", args=[assessment.code]),
                    details(clinician=bob.pk, exercises=[], template=str(template.code)))
    item = Program.objects.get().latest.items.get()
    assert item.exercise.name == "Hip external rotation off a bed edge" and (item.sets, item.reps) == (2, 20)
    assert item.finding == ""


def test_invalid_input_re_renders_with_errors_and_saves_nothing(bob_client, bob, charlie, assessment, library):
    url = reverse("programs:create", args=[assessment.code])
    response = bob_client.post(url, details(clinician=bob.pk, review_on="2026-01-01"))
    assert response.status_code == 200 and "The review date cannot be before the start date." in response.text
    response = bob_client.post(url, details(clinician=charlie.pk, title=""))  # charlie is not a colleague
    assert response.status_code == 200 and "Select a valid choice" in response.text
    response = bob_client.post(url, details(clinician=bob.pk, exercises=["not-a-suggestion"]))
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not Program.objects.exists()


def test_an_archived_athletes_assessment_cannot_start_a_program(bob_client, assessment):
    assessment.athlete.archived_at = assessment.created_at
    assessment.athlete.save()
    assert bob_client.get(reverse("programs:create", args=[assessment.code])).status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_program_for_an_athlete_without_an_assessment(request, who, bob, assessment, library):
    client = request.getfixturevalue(f"{who}_client")
    url = reverse("programs:new", args=[assessment.athlete.code])
    assert client.get(url).status_code == 200
    athlete_code = str(assessment.athlete.code)
    assert AuditEvent.objects.filter(action="view", target_type="athlete", target_id=athlete_code).exists()
    template = ProgramTemplate.objects.create(name="Phase 2")
    ProgramTemplateItem.objects.create(template=template, exercise=library["Prone hip internal rotation"],
                                       sets=3, reps=12, days_per_week=4, order=2)
    ProgramTemplateItem.objects.create(template=template, exercise=library["Single-leg rotational hip control"],
                                       sets=2, reps=8, days_per_week=4, order=1)
    response = client.post(url, details(clinician=bob.pk, template=str(template.code)))
    program = Program.objects.get()
    assert response.status_code == 302 and program.assessment is None
    assert [i.exercise.name for i in program.latest.items.order_by("order")] == [
        "Single-leg rotational hip control", "Prone hip internal rotation"]


def test_program_for_an_athlete_invalid_input_saves_nothing(bob_client, bob, assessment):
    response = bob_client.post(reverse("programs:new", args=[assessment.athlete.code]),
                               details(clinician=bob.pk, starts_on="not a date"))
    assert response.status_code == 200 and "Enter a valid date." in response.text
    assert not Program.objects.exists()
