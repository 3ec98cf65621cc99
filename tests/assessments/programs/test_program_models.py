"""Program, ProgramVersion and ProgramItem: starting, shaping, copying into a new version, and the
constraints that keep bad data out by any path."""

import pytest
from django.db import IntegrityError, transaction

from assessments.findings import MOTIVES, Code
from assessments.programs.models import Program, ProgramItem, ProgramVersion
from exercises.models import ProgramTemplate, ProgramTemplateItem
from tests.factories import draft_of
from tests.helpers import issue

pytestmark = pytest.mark.django_db


def test_start_makes_an_empty_first_draft(world, bob):
    program = Program.start(athlete=world.athlete, by=bob, title="Phase 2", clinician=bob,
                            starts_on=world.assessment.assessed_on)
    version = program.latest
    assert (version.number, version.status, version.title, version.items.count()) == (1, "draft", "Phase 2", 0)
    assert program.status == "draft" and program.title == "Phase 2" and program.draft == version


def test_add_exercise_copies_the_library_dosage_and_orders_at_the_end(world):
    library, program = world.library, world.program
    exercise = library["Glute-biased external rotation stretch"]
    exercise.hold_seconds, exercise.days_per_week = 30, 3
    exercise.save()
    item = program.latest.add_exercise(exercise, finding="below_reference_er", finding_detail="ER low", side="left")
    assert (item.order, item.hold_seconds, item.days_per_week, item.side) == (3, 30, 3, "left")
    assert item.why == MOTIVES[Code.BELOW_REFERENCE_ER].athlete_reason and item.motive_label == "ER below reference"


def test_add_template_keeps_its_order_and_dosages(world):
    library, program = world.library, world.program
    template = ProgramTemplate.objects.create(name="T")
    ProgramTemplateItem.objects.create(template=template, exercise=library["Glute-biased external rotation stretch"],
                                       order=2, sets=1, reps=4, days_per_week=2, notes="gently")
    ProgramTemplateItem.objects.create(template=template, exercise=library["Hip external rotation off a bed edge"],
                                       order=1, sets=5, reps=20, days_per_week=6)
    program.latest.add_template(template)
    items = list(program.latest.items.order_by("order").values_list("order", "exercise__name", "sets", "notes"))
    assert items[2:] == [(3, "Hip external rotation off a bed edge", 5, ""),
                         (4, "Glute-biased external rotation stretch", 1, "gently")]


def test_move_keeps_the_order_one_to_n(world):
    program = world.program
    draft = program.latest
    last = draft.add_exercise(world.library["Glute-biased external rotation stretch"])
    draft.move(last, -5)
    assert list(draft.items.order_by("order").values_list("exercise__name", "order")) == [
        ("Glute-biased external rotation stretch", 1), ("Prone hip internal rotation", 2),
        ("Single-leg rotational hip control", 3)]
    draft.remove(draft.items.get(order=2))
    assert list(draft.items.order_by("order").values_list("order", flat=True)) == [1, 2]


def test_revise_copies_the_issued_version_into_a_new_draft(world, bob):
    program = world.program
    first = program.latest
    item = first.items.get(order=1)
    item.notes, item.finding, item.finding_detail, item.sets = "Slowly", "below_reference_ir", "IR low", 4
    item.save()
    issue(first, by=bob)
    draft = Program.objects.get(pk=program.pk).revise(by=bob)
    assert (draft.number, draft.status, draft.title, draft.clinician) == (2, "draft", first.title, first.clinician)
    copied = draft.items.get(order=1)
    assert (copied.notes, copied.finding, copied.finding_detail, copied.sets) == ("Slowly", "below_reference_ir",
                                                                                  "IR low", 4)
    assert copied.pk != item.pk and draft_of(program) == draft


def test_issued_pdf_names_are_random_and_say_nothing_about_the_athlete(world, bob):
    program = world.program
    version = program.latest
    issue(version, by=bob)
    assert "ines" not in version.pdf.name.lower() and "okafor" not in version.pdf.name.lower()
    assert version.pdf_filename() == "exercise-program-v1.pdf"


def test_database_constraints(world, bob):
    program = world.program
    version = program.latest
    item = version.items.first()
    for field, value in (("sets", 0), ("reps", 201), ("side", "up"), ("finding", "made_up")):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProgramItem.objects.filter(pk=item.pk).update(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramVersion.objects.filter(pk=version.pk).update(review_on=version.starts_on.replace(year=2000))
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramVersion.objects.filter(pk=version.pk).update(title="")
