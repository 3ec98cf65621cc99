"""Shaping a draft: add an exercise or a template, move and remove items (htmx answers with the
refreshed list, other requests are redirected), and edit a dosage within the §6 ranges."""

import pytest
from django.urls import reverse

from assessments.programs.models import ProgramItem
from exercises.models import ProgramTemplate, ProgramTemplateItem
from runphys.models import AuditEvent
from tests.factories import make_exercise
from tests.helpers import issue

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def names(program) -> list[str]:
    return [i.exercise.name for i in program.latest.items.order_by("order")]


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_add_an_exercise_with_htmx_returns_the_list(request, who, world):
    library, program = world.library, world.program
    client = request.getfixturevalue(f"{who}_client")
    exercise = library["Glute-biased external rotation stretch"]
    response = client.post(reverse("programs:item_add", args=[program.code]), {"exercise": str(exercise.code)}, **HTMX)
    assert response.status_code == 200
    assert 'id="program-items"' in response.text
    assert "<html" not in response.text
    assert names(program)[-1] == exercise.name
    item = program.latest.items.get(exercise=exercise)
    assert (item.order, item.sets, item.finding) == (3, exercise.sets, "")
    assert AuditEvent.objects.filter(action="update", target_type="programversion", fields=["items"]).exists()


def test_add_without_htmx_redirects(bob_client, world):
    library, program = world.library, world.program
    response = bob_client.post(reverse("programs:item_add", args=[program.code]),
                               {"exercise": str(library["Glute-biased external rotation stretch"].code)})
    assert response.status_code == 302 and response.url == program.get_absolute_url()


def test_add_refuses_another_clinics_exercise_and_saves_nothing(bob_client, clinic_b, world):
    program = world.program
    theirs = make_exercise(clinic_b, name="Clinic B drill")
    response = bob_client.post(reverse("programs:item_add", args=[program.code]), {"exercise": str(theirs.code)},
                               **HTMX)
    assert response.status_code == 200 and 'data-testid="items-error"' in response.text
    assert program.latest.items.count() == 2


def test_add_a_template(bob_client, world):
    library, program = world.library, world.program
    template = ProgramTemplate.objects.create(name="Stretch set")
    ProgramTemplateItem.objects.create(template=template, exercise=library["Glute-biased external rotation stretch"],
                                       sets=1, reps=3, hold_seconds=30, days_per_week=3)
    response = bob_client.post(reverse("programs:item_add_template", args=[program.code]),
                               {"template": str(template.code)}, **HTMX)
    assert response.status_code == 200
    item = program.latest.items.get(exercise__name="Glute-biased external rotation stretch")
    assert (item.order, item.hold_seconds, item.reps) == (3, 30, 3)


def test_add_an_unknown_template_saves_nothing(bob_client, world):
    program = world.program
    response = bob_client.post(reverse("programs:item_add_template", args=[program.code]), {"template": "nope"},
                               **HTMX)
    assert 'data-testid="items-error"' in response.text and program.latest.items.count() == 2


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_move_and_remove(request, who, world):
    program = world.program
    client = request.getfixturevalue(f"{who}_client")
    second = program.latest.items.get(order=2)
    response = client.post(reverse("programs:item_move", args=[second.code]), {"direction": "up"}, **HTMX)
    assert response.status_code == 200
    assert names(program) == ["Single-leg rotational hip control", "Prone hip internal rotation"]
    client.post(reverse("programs:item_move", args=[second.code]), {"direction": "up"}, **HTMX)  # already first
    assert names(program) == ["Single-leg rotational hip control", "Prone hip internal rotation"]
    client.post(reverse("programs:item_move", args=[second.code]), {"direction": "down"}, **HTMX)
    assert names(program) == ["Prone hip internal rotation", "Single-leg rotational hip control"]
    first = program.latest.items.get(order=1)
    response = client.post(reverse("programs:item_remove", args=[first.code]), **HTMX)
    assert response.status_code == 200 and 'data-exercise="prone-hip-internal-rotation"' not in response.text
    assert list(program.latest.items.values_list("order", flat=True)) == [1]


def test_move_with_a_bad_direction_is_refused(bob_client, world):
    program = world.program
    item = program.latest.items.get(order=2)
    response = bob_client.post(reverse("programs:item_move", args=[item.code]), {"direction": "sideways"})
    assert response.status_code == 400
    assert names(program) == ["Prone hip internal rotation", "Single-leg rotational hip control"]


def test_items_of_an_issued_version_cannot_change(bob_client, bob, world):
    library, program = world.library, world.program
    version = program.latest
    issue(version, by=bob)
    item = version.items.get(order=2)
    response = bob_client.post(reverse("programs:item_move", args=[item.code]), {"direction": "up"}, **HTMX)
    assert "has been issued" in response.text
    bob_client.post(reverse("programs:item_remove", args=[item.code]), **HTMX)
    bob_client.post(reverse("programs:item_add", args=[program.code]),
                    {"exercise": str(library["Glute-biased external rotation stretch"].code)}, **HTMX)
    bob_client.post(reverse("programs:item_edit", args=[item.code]), {"sets": 9})
    assert names(program) == ["Prone hip internal rotation", "Single-leg rotational hip control"]
    assert ProgramItem.objects.get(pk=item.pk).sets == 3


def dosage(**kw) -> dict:
    return {"sets": 2, "reps": 15, "hold_seconds": 5, "rest_seconds": 60, "sessions_per_day": 2, "days_per_week": 4,
            "side": "right", "tempo": "3-1-1-0", "load": "band", "band_colour": "red", "pain_ceiling": 3,
            "progression_criterion": "3 × 15 smooth", "notes": "Keep the band taut."} | kw


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_edit_a_dosage(request, who, world):
    item = world.program.latest.items.get(order=1)
    client = request.getfixturevalue(f"{who}_client")
    url = reverse("programs:item_edit", args=[item.code])
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="view", target_type="programitem", target_id=str(item.code)).exists()
    response = client.post(url, dosage())
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.sets, item.reps, item.side, item.band_colour, item.notes) == (2, 15, "right", "red",
                                                                                "Keep the band taut.")
    assert "sets" in AuditEvent.objects.get(action="update", target_type="programitem").fields


@pytest.mark.parametrize(("field", "value", "message"), [
    ("sets", 11, "Sets must be from 1 to 10."),
    ("reps", 201, "Repetitions must be from 1 to 200."),
    ("hold_seconds", 301, "The hold must be from 0 to 300 seconds."),
    ("days_per_week", 8, "Days a week must be from 1 to 7."),
    ("pain_ceiling", 11, "The pain ceiling must be from 0 to 10."),
    ("tempo", "slow", "Write the tempo as four numbers like 3-1-1-0"),
    ("band_colour", "", "Choose the band colour."),
])
def test_a_dosage_outside_the_ranges_is_refused(bob_client, world, field, value, message):
    item = world.program.latest.items.get(order=1)
    response = bob_client.post(reverse("programs:item_edit", args=[item.code]), dosage(**{field: value}))
    assert response.status_code == 200 and message in response.text
    item.refresh_from_db()
    assert (item.sets, item.reps, item.side) == (3, 10, "both")
