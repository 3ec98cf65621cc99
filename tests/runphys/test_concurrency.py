"""Optimistic concurrency (``runphys.concurrency``): two physios saving the same record.

Every edit form of a record is exercised the way two browsers would use it: both open the page,
one saves, then the other saves what they typed on the page they loaded. The second save is refused
(409) with who changed the record and when, their input is on the page, nothing of the first save
is lost, and saving the re-rendered page again goes through. On PostgreSQL two requests also race
for real, each on its own database connection.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from assessments.programs.models import ProgramItem, ProgramVersion
from athletes.models import Athlete
from exercises.models import Exercise, ProgramTemplate
from runphys.models import Clinic, Membership
from tests.factories import draft_of, make_exercise, make_template, make_user, make_world
from tests.helpers import lock_waiters, logged_in
from tests.security.pages import forms_on
from tests.workers import wait_for


@dataclass(frozen=True)
class Edit:
    url: Callable  # world, clinic -> the edit page's path
    field: str  # the field both users change
    stored: Callable  # world, clinic -> its value in the database


def _clinic_exercise(world, clinic):
    return Exercise.objects.filter(clinic=clinic).first() or make_exercise(clinic, name="Clinic wall sit")


def _clinic_template(world, clinic):
    return ProgramTemplate.objects.filter(clinic=clinic).first() or make_template(
        clinic, [world.library["Prone hip internal rotation"]], name="Clinic hip template")


def _item(world):
    return draft_of(world.program).items.order_by("order").first()


def _template_item(world, clinic):
    return _clinic_template(world, clinic).items.order_by("order").first()


EDITS = {
    "athlete": Edit(lambda w, c: reverse("athlete_edit", args=[w.athlete.code]), "notes",
                    lambda w, c: Athlete.objects.get(pk=w.athlete.pk).notes),
    "assessment": Edit(lambda w, c: reverse("assessments:edit", args=[w.assessment.code]), "assessment-notes",
                       lambda w, c: Assessment.objects.get(pk=w.assessment.pk).notes),
    "program details": Edit(lambda w, c: reverse("programs:edit", args=[w.program.code]), "title",
                            lambda w, c: ProgramVersion.objects.get(pk=draft_of(w.program).pk).title),
    "program item": Edit(lambda w, c: reverse("programs:item_edit", args=[_item(w).code]), "notes",
                         lambda w, c: ProgramItem.objects.get(pk=_item(w).pk).notes),
    "exercise": Edit(lambda w, c: reverse("exercises:edit", args=[_clinic_exercise(w, c).code]), "summary",
                     lambda w, c: Exercise.objects.get(pk=_clinic_exercise(w, c).pk).summary),
    "program template": Edit(lambda w, c: reverse("exercises:template_edit", args=[_clinic_template(w, c).code]),
                             "description",
                             lambda w, c: ProgramTemplate.objects.get(pk=_clinic_template(w, c).pk).description),
    "template item": Edit(lambda w, c: reverse("exercises:template_item_edit", args=[_template_item(w, c).code]),
                          "notes", lambda w, c: _template_item(w, c).notes),
    "clinic settings": Edit(lambda w, c: reverse("clinic_settings"), "handout_footer",
                            lambda w, c: Clinic.objects.get(pk=c.pk).handout_footer),
}


def _opened(client: Client, url: str, field: str) -> dict[str, list[str]]:
    """What the page's form would submit unchanged (the hidden fields included)."""
    response = client.get(url)
    assert response.status_code == 200
    return _form_with(response.content.decode(), url, field)


def _form_with(html: str, url: str, field: str) -> dict[str, list[str]]:
    [form] = [f for f in forms_on(html, "http://testserver" + url) if any(x.name == field for x in f.fields)]
    return form.baseline()


@pytest.fixture
def world(clinic_a, bob, media_root):
    return make_world(clinic_a, bob)


@pytest.fixture
def dana(clinic_a):
    """A second clinic admin (the clinic settings are only for admins)."""
    return make_user("dana@clinic-a.example", "Dana Doyle", clinic_a, Membership.Role.ADMIN)


@pytest.mark.parametrize("name", EDITS)
def test_a_save_against_a_changed_record_is_refused_with_who_and_when_and_keeps_the_input(
        name, world, clinic_a, alice, bob, dana):
    edit = EDITS[name]
    first, second = (dana, alice) if name == "clinic settings" else (bob, alice)
    first_client, second_client = logged_in(first), logged_in(second)
    url = edit.url(world, clinic_a)
    mine = _opened(second_client, url, edit.field)
    theirs = _opened(first_client, url, edit.field)
    assert [v for k, v in mine.items() if k.endswith("lock_version")] == [["1"]], "the page carries its version"

    theirs[edit.field] = ["Re-measured after the run: the first save"]
    assert first_client.post(url, theirs).status_code == 302
    assert edit.stored(world, clinic_a) == "Re-measured after the run: the first save"

    mine[edit.field] = ["Typed on the page opened before that save"]
    refused = second_client.post(url, mine)

    assert refused.status_code == 409
    page = refused.content.decode()
    record = _record(name, world, clinic_a)
    changed_at = timezone.localtime(type(record)._base_manager.get(pk=record.pk).changed_at)
    assert f"{first.full_name} changed this record at {changed_at:%H:%M}" in page
    assert "Typed on the page opened before that save" in page  # the input is kept
    assert edit.stored(world, clinic_a) == "Re-measured after the run: the first save"  # nothing lost

    # Reviewed: the page now carries the current version, so saving it again goes through.
    again = _form_with(page, url, edit.field)
    assert second_client.post(url, again).status_code == 302
    assert edit.stored(world, clinic_a) == "Typed on the page opened before that save"


def _record(name: str, world, clinic):
    return {
        "athlete": lambda: world.athlete, "assessment": lambda: world.assessment,
        "program details": lambda: draft_of(world.program), "program item": lambda: _item(world),
        "exercise": lambda: _clinic_exercise(world, clinic),
        "program template": lambda: _clinic_template(world, clinic),
        "template item": lambda: _template_item(world, clinic),
        "clinic settings": lambda: clinic,
    }[name]()


def test_saving_twice_from_one_page_is_refused_the_second_time(world, bob_client):
    """The second save of one page (an edit in one tab, then the same page resubmitted) would
    overwrite the record with what that page showed: it is refused too."""
    url = reverse("athlete_edit", args=[world.athlete.code])
    data = _opened(bob_client, url, "notes")
    data["notes"] = ["First"]
    assert bob_client.post(url, data).status_code == 302
    data["notes"] = ["Second, from the old page"]
    assert bob_client.post(url, data).status_code == 409
    assert Athlete.objects.get(pk=world.athlete.pk).notes == "First"


def test_a_hostile_version_is_a_form_error_not_a_save(world, bob_client):
    url = reverse("athlete_edit", args=[world.athlete.code])
    data = _opened(bob_client, url, "notes")
    data |= {"notes": ["Changed"], "lock_version": ["-1"]}
    assert bob_client.post(url, data).status_code == 200
    assert Athlete.objects.get(pk=world.athlete.pk).notes == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs two PostgreSQL connections")
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_on_two_connections_give_one_save_and_one_refusal(clinic_a, alice, bob, media_root):
    """Both requests load version 1 and post at once, each on its own connection. The athlete row is
    held locked until both are waiting on it; then one save wins and the other is refused."""
    world = make_world(clinic_a, bob)
    url = reverse("athlete_edit", args=[world.athlete.code])
    users = {"alice": alice, "bob": bob}
    clients = {who: logged_in(user) for who, user in users.items()}
    posts = {}
    for who, client in clients.items():
        posts[who] = _opened(client, url, "notes") | {"notes": [f"Saved by {who}"]}
    responses = {}

    def post(who: str) -> None:
        try:
            responses[who] = clients[who].post(url, posts[who])
        finally:
            connections.close_all()

    with transaction.atomic():
        Athlete._base_manager.select_for_update().get(pk=world.athlete.pk)
        threads = [threading.Thread(target=post, args=(who,)) for who in clients]
        for thread in threads:
            thread.start()
        wait_for(lambda: lock_waiters() == 2, timeout=30)
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(response.status_code for response in responses.values())
    assert statuses == [302, 409]
    [winner] = [who for who, response in responses.items() if response.status_code == 302]
    [loser] = [who for who, response in responses.items() if response.status_code == 409]
    athlete = Athlete._base_manager.get(pk=world.athlete.pk)
    assert athlete.notes == f"Saved by {winner}"
    assert athlete.lock_version == 2
    refused = responses[loser].content.decode()
    assert f"{users[winner].full_name} changed this record" in refused
    assert f"Saved by {loser}" in refused


def test_the_assessment_page_says_once_who_changed_the_record(world, alice, bob):
    """The refusal stands once at the top of the entry page, not again above its Context section."""
    alice_client, bob_client = logged_in(alice), logged_in(bob)
    url = reverse("assessments:edit", args=[world.assessment.code])
    mine = _opened(alice_client, url, "assessment-notes")
    theirs = _opened(bob_client, url, "assessment-notes")
    theirs["assessment-notes"] = ["Bob's note"]
    assert bob_client.post(url, theirs).status_code == 302

    mine["assessment-notes"] = ["Alice's note"]
    refused = alice_client.post(url, mine)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert page.count("changed this record") == 1
    assert page.index("changed this record") < page.index("Context")
    assert "need your attention" not in page  # no value is marked: the conflict is the only message
    assert 'name="assessment-lock_version"' in page
    assert "Alice&#x27;s note" in page
