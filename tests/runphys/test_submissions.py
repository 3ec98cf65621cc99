"""Idempotent creates (``runphys.submissions``): every create form sent twice makes one record.

Each form is read from its page as a browser has it (its one-time key included), filled in and
sent twice: one record, both answers lead to it, and the second says it was a repeat. On
PostgreSQL two requests with the same key race on two connections. Old keys are pruned on write.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from assessments.programs.models import Program, ProgramVersion
from athletes.models import Athlete
from exercises.models import Exercise, ProgramTemplate
from runphys import submissions
from runphys.models import Invitation, SubmissionKey
from tests.factories import make_template, make_world
from tests.helpers import exercise_form_data, lock_waiters, logged_in
from tests.security.pages import forms_on
from tests.workers import wait_for


@dataclass(frozen=True)
class Create:
    page: Callable  # world -> the page with the form
    count: Callable  # world -> how many of what it makes there are
    data: Callable = field(default=lambda world: {})  # world -> what the user fills in
    action: Callable | None = None  # world -> the path the form posts to, when not its page

    def posts_to(self, world) -> str:
        return (self.action or self.page)(world)


def _shipped_template(world):
    return ProgramTemplate.objects.filter(clinic=None).first() or make_template(
        None, [world.library["Prone hip internal rotation"]], name="Shipped hip template")


def _own(model, world) -> int:
    return model.objects.filter(clinic=world.athlete.clinic).count()


def _exercise(world, name: str = "Prone hip internal rotation") -> Exercise:
    return world.library[name]


CREATES = {
    "athlete": Create(
        lambda w: reverse("athlete_create"), lambda w: Athlete.objects.count(),
        lambda w: {"first_name": "Ada", "last_name": "Hill", "date_of_birth": "1991-03-04", "sex": "female"}),
    "assessment": Create(
        lambda w: reverse("assessments:create", args=[w.athlete.code]), lambda w: Assessment.objects.count(),
        lambda w: {"main-ir-left-degrees": "30", "main-ir-right-degrees": "32", "main-er-left-degrees": "40",
                   "main-er-right-degrees": "41"}),
    "program from an assessment": Create(
        lambda w: reverse("programs:create", args=[w.assessment.code]), lambda w: Program.objects.count()),
    "program for an athlete": Create(
        lambda w: reverse("programs:new", args=[w.athlete.code]), lambda w: Program.objects.count()),
    "exercise": Create(lambda w: reverse("exercises:create"), lambda w: _own(Exercise, w),
                       lambda w: exercise_form_data()),
    "program template": Create(
        lambda w: reverse("exercises:template_create"), lambda w: _own(ProgramTemplate, w),
        lambda w: {"name": "Clinic hip block", "items-0-exercise": str(_exercise(w).code)}),
    "invitation": Create(
        lambda w: reverse("member_invite"), lambda w: Invitation.objects.count(),
        lambda w: {"email": "erin@clinic-a.example", "role": "clinician"}),
    "issue": Create(
        lambda w: w.program.get_absolute_url(),
        lambda w: ProgramVersion.objects.filter(status=ProgramVersion.Status.ISSUED).count(),
        action=lambda w: reverse("programs:issue", args=[w.program.code])),
    "template from a program": Create(
        lambda w: reverse("programs:save_as_template", args=[w.program.latest.code]),
        lambda w: _own(ProgramTemplate, w)),
    "exercise copied": Create(
        lambda w: _exercise(w).get_absolute_url(), lambda w: _own(Exercise, w),
        action=lambda w: reverse("exercises:copy", args=[_exercise(w).code])),
    "template copied": Create(
        lambda w: _shipped_template(w).get_absolute_url(), lambda w: _own(ProgramTemplate, w),
        action=lambda w: reverse("exercises:template_copy", args=[_shipped_template(w).code])),
}


@pytest.fixture
def world(clinic_a, bob, media_root):
    return make_world(clinic_a, bob)


def filled(client, world, create: Create) -> dict[str, list[str]]:
    """The form as its page has it (its one-time key included), with the user's input."""
    page, action = create.page(world), create.posts_to(world)
    response = client.get(page)
    assert response.status_code == 200
    [form] = [f for f in forms_on(response.content.decode(), "http://testserver" + page) if f.path == action]
    data = form.baseline()
    assert [len(v) for k, v in data.items() if k.endswith(submissions.FIELD)] == [1], "the page carries its key"
    for name, value in create.data(world).items():
        data[name] = value if isinstance(value, list) else [value]
    return data


@pytest.mark.parametrize("name", CREATES)
def test_a_form_sent_twice_makes_one_record_and_both_answers_lead_to_it(name, world, alice):
    create = CREATES[name]
    client = logged_in(alice)
    data = filled(client, world, create)
    before = create.count(world)

    first = client.post(create.posts_to(world), data)
    second = client.post(create.posts_to(world), data)

    assert first.status_code == second.status_code == 302, (first.status_code, second.status_code)
    assert create.count(world) == before + 1
    assert second["Location"] == first["Location"]
    assert submissions.REPEATED in client.get(second["Location"]).text


def test_a_page_opened_twice_has_two_keys_and_makes_two_records(world, alice):
    """Two pages are two deliberate records: only a repeat of one page is folded."""
    client = logged_in(alice)
    create = CREATES["athlete"]
    first, second = filled(client, world, create), filled(client, world, create)
    assert first[submissions.FIELD] != second[submissions.FIELD]
    second["first_name"] = ["Bea"]
    for data in (first, second):
        assert client.post(create.posts_to(world), data).status_code == 302
    assert Athlete.objects.filter(first_name__in=["Ada", "Bea"]).count() == 2


def test_another_users_key_is_their_own(world, alice, bob):
    """Keys are per user: the same key from someone else is a different submission."""
    create = CREATES["athlete"]
    data = filled(logged_in(alice), world, create)
    assert logged_in(alice).post(create.posts_to(world), data).status_code == 302
    assert logged_in(bob).post(create.posts_to(world), data | {"first_name": ["Bea"]}).status_code == 302
    assert Athlete.objects.filter(first_name__in=["Ada", "Bea"]).count() == 2


def test_an_invalid_first_submission_keeps_its_key_and_makes_nothing(world, alice):
    client = logged_in(alice)
    create = CREATES["athlete"]
    data = filled(client, world, create) | {"date_of_birth": ["2999-01-01"]}
    response = client.post(create.posts_to(world), data)
    assert response.status_code == 200 and not SubmissionKey.objects.exists()
    assert f'value="{data[submissions.FIELD][0]}"' in response.text  # the corrected page sends it again
    assert client.post(create.posts_to(world), data | {"date_of_birth": ["1991-03-04"]}).status_code == 302
    assert Athlete.objects.filter(first_name="Ada").count() == 1


def test_a_hostile_key_is_refused_or_ignored_never_an_error(world, alice):
    client = logged_in(alice)
    create = CREATES["athlete"]
    for key in ['<script>alert(1)</script>', "A" * 10_000, "short"]:
        response = client.post(create.posts_to(world), filled(client, world, create) | {submissions.FIELD: [key]})
        assert response.status_code == 200
    assert not Athlete.objects.filter(first_name="Ada").exists()


def test_old_keys_are_pruned_when_the_user_next_creates(world, alice, bob):
    old = timezone.now() - submissions.KEEP_FOR - timedelta(minutes=1)
    SubmissionKey.objects.create(user=alice, key="a" * 32, result_url="/x/", created_at=old)
    SubmissionKey.objects.create(user=alice, key="b" * 32, result_url="/y/")
    SubmissionKey.objects.create(user=bob, key="c" * 32, result_url="/z/", created_at=old)
    client = logged_in(alice)
    assert client.post(reverse("athlete_create"), filled(client, world, CREATES["athlete"])).status_code == 302
    assert not SubmissionKey.objects.filter(key="a" * 32).exists()  # alice's old key
    assert SubmissionKey.objects.filter(key__in=["b" * 32, "c" * 32]).count() == 2  # recent, and bob's
    assert SubmissionKey.objects.filter(user=alice).count() == 2  # the recent one and the new one


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs two PostgreSQL connections")
@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_racing_on_two_connections_make_one_record(clinic_a, alice, bob, media_root):
    """The same page sent twice at once (a double click), each request on its own connection.
    The key table is held locked until both requests wait to insert the key; then they race."""
    world = make_world(clinic_a, bob)
    create = CREATES["athlete"]
    clients = [logged_in(alice), logged_in(alice)]
    data = filled(clients[0], world, create)
    responses = [None, None]

    def post(n: int) -> None:
        try:
            responses[n] = clients[n].post(create.posts_to(world), data)
        finally:
            connections.close_all()

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {SubmissionKey._meta.db_table} IN SHARE MODE")
        threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        wait_for(lambda: lock_waiters() == 2, timeout=30)
    for thread in threads:
        thread.join(timeout=30)

    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Athlete.objects.filter(first_name="Ada").count() == 1
