"""The athlete's own program through their private link: the token, the page, logging, the ends of
a link, throttling, the audit, and what comes back to the physio."""

import base64
import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.programs import adherence
from assessments.programs.models import DayComment, ExerciseLog, ProgramLink
from athletes import erasure, export
from runphys.models import AuditEvent
from tests.factories import make_athlete, make_program, make_world
from tests.helpers import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def followed(world, bob):
    """Ines, who agreed to email, with her program issued: it has a working link."""
    world.athlete.email = "ines@runner.example"
    world.athlete.record_email_consent(True, by=bob)
    world.athlete.save(actor=bob)
    issue(world.program.latest, by=bob)
    return world


def link_of(program) -> ProgramLink:
    return ProgramLink.objects.get(program=program, ended_at__isnull=True)


def log(client: Client, link: ProgramLink, item, day, **data):
    return client.post(reverse("athlete:log", args=[link.token]),
                       {"item": str(item.code), "day": day.isoformat(), **data})


def items_of(program):
    return list(program.latest.items.order_by("order"))


# --- The token ------------------------------------------------------------------------------------

def test_the_token_is_random_128_bits_and_stored_only_as_a_keyed_digest(followed):
    link = link_of(followed.program)
    token = link.token
    assert len(base64.urlsafe_b64decode(token + "==")) == 16
    stored = [str(value) for value in ProgramLink.objects.filter(pk=link.pk).values_list().get()]
    assert token not in " ".join(stored)
    assert link.digest == ProgramLink.digest_of(token) and link.digest != token
    # Nothing about the athlete in the URL.
    path = link.path()
    for personal in ("Ines", "Okafor", str(followed.athlete.code), str(followed.athlete.date_of_birth)):
        assert personal not in path
    # Another program's token is another token.
    drill = followed.library["Prone hip internal rotation"]
    other = make_program(followed.athlete, followed.program.created_by, [drill])
    issue(other.latest, by=followed.program.created_by)
    assert link_of(other).token != token


def test_the_page_shows_todays_exercises_and_nothing_the_athlete_should_not_see(client, followed):
    link = link_of(followed.program)
    response = client.get(link.path())
    assert response.status_code == 200
    text = response.text
    assert "Hello Ines" in text and "Clinic A Physio" in text and "020 0000 0001" in text
    assert "Prone hip internal rotation" in text and "Single-leg rotational hip control" in text
    assert text.count('data-testid="exercise-card"') == 2
    for item in items_of(followed.program):
        assert item.dose_line in text
    assert "Okafor" not in text and "1990" not in text
    assert "below the reference" not in text.lower() and "asymmetry" not in text.lower()  # no clinical findings
    assert response["Cache-Control"].startswith("no-store")
    assert response["X-Robots-Tag"] == "noindex, nofollow" and response["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" in response
    assert "bootstrap" not in text  # a small page: no framework


# --- Ends of a link ---------------------------------------------------------------------------------

def ended_cases(world, link, bob):
    athlete = world.athlete
    return {
        "revoked": lambda: link.end(by=bob),
        "replaced": lambda: ProgramLink.fresh(world.program, by=bob),
        "consent withdrawn": lambda: (athlete.record_email_consent(False, by=bob), athlete.save(actor=bob)),
        "archived": lambda: athlete.archive(),
        "expired": lambda: world.program.versions.update(review_on=timezone.localdate() - timedelta(days=29),
                                                         starts_on=timezone.localdate() - timedelta(days=60)),
    }


@pytest.mark.parametrize("how", ["revoked", "replaced", "consent withdrawn", "archived", "expired"])
def test_an_ended_link_is_a_plain_404_page_with_no_data(client, followed, bob, how):
    link = link_of(followed.program)
    ended_cases(followed, link, bob)[how]()
    response = client.get(link.path())
    assert response.status_code == 404
    assert "This program link has ended" in response.text and "Clinic A Physio" in response.text
    for data in ("Ines", "Prone hip internal rotation", "Hip program"):
        assert data not in response.text
    assert log(client, link, items_of(followed.program)[0], timezone.localdate(), pain="2").status_code == 404
    assert not ExerciseLog.objects.exists()


def test_a_fresh_link_works_and_the_old_one_does_not(client, followed, bob):
    old = link_of(followed.program)
    fresh = ProgramLink.fresh(followed.program, by=bob)
    assert client.get(old.path()).status_code == 404 and client.get(fresh.path()).status_code == 200


def test_a_wrong_token_is_a_404_and_is_recorded_as_denied(client, followed):
    response = client.get(reverse("athlete:program", args=["A" * 22]))
    assert response.status_code == 404 and "Ines" not in response.text
    assert AuditEvent.objects.filter(action="link_denied").count() == 1


def test_the_physio_revokes_the_link_in_one_click_audited(bob_client, client, followed):
    link = link_of(followed.program)
    page = bob_client.get(followed.program.get_absolute_url()).text
    assert link.token in page and 'data-testid="revoke-link"' in page
    response = bob_client.post(reverse("programs:link_revoke", args=[followed.program.code]))
    assert response.status_code == 302
    assert client.get(link.path()).status_code == 404
    event = AuditEvent.objects.get(action="revoke_link")
    assert event.target_id == str(followed.program.code) and link.token not in str(event.fields)


def test_erasure_deletes_the_comments_and_ends_the_link(client, followed, bob):
    link = link_of(followed.program)
    item = items_of(followed.program)[0]
    today = timezone.localdate()
    log(client, link, item, today, pain="3", feel="right")
    client.post(reverse("athlete:comment", args=[link.token]), {"text": "Ines here: my left hip felt tight"})
    assert DayComment.objects.count() == 1
    archive = zipfile.ZipFile(io.BytesIO(export.build(followed.athlete).content))
    document = archive.read("athlete.json").decode()
    assert "my left hip felt tight" in document and '"pain": 3' in document
    erasure.erase(followed.athlete, actor=bob)
    assert not DayComment.objects.exists()
    assert ExerciseLog.objects.count() == 1  # what was done stays, as the record
    assert client.get(link.path()).status_code == 404
    assert ProgramLink.objects.get(pk=link.pk).ending == ProgramLink.Ending.ERASED


# --- Logging ------------------------------------------------------------------------------------

def test_a_double_tap_is_one_record_and_today_can_be_changed_or_undone(client, followed):
    link = link_of(followed.program)
    item = items_of(followed.program)[0]
    today = timezone.localdate()
    for _ in range(2):
        assert log(client, link, item, today, pain="3", feel="right").status_code == 302
    saved = ExerciseLog.objects.get()
    assert (saved.item, saved.version, saved.day, saved.done, saved.pain, saved.feel) == (
        item, followed.program.latest, today, True, 3, "right")
    log(client, link, item, today, pain="5", feel="hard")
    assert ExerciseLog.objects.get().pain == 5
    log(client, link, item, today, undo="1")
    assert not ExerciseLog.objects.exists()


def test_a_phone_under_no_referrer_can_log_and_keeps_no_cookie(followed):
    """Under ``Referrer-Policy: no-referrer`` Chromium posts the link's forms with ``Origin: null``;
    the link is its own credential, so the post is taken, and the page sets no cookie at all."""
    phone = Client(enforce_csrf_checks=True)
    link = link_of(followed.program)
    page = phone.get(link.path())
    assert page.status_code == 200 and not page.cookies
    assert 'name="csrfmiddlewaretoken"' not in page.content.decode()
    item = items_of(followed.program)[0]
    response = phone.post(reverse("athlete:log", args=[link.token]),
                          {"item": str(item.code), "day": timezone.localdate().isoformat(), "pain": "4"},
                          headers={"Origin": "null"})
    assert response.status_code == 302
    assert ExerciseLog.objects.get().pain == 4
    assert not response.cookies


@pytest.mark.parametrize("days_ago", [2, -1, 30])
def test_nothing_can_be_logged_for_another_day_than_today_or_yesterday(client, followed, days_ago):
    link = link_of(followed.program)
    response = log(client, link, items_of(followed.program)[0], timezone.localdate() - timedelta(days=days_ago),
                   pain="2")
    assert response.status_code == 400 and "Only today and yesterday can be logged" in response.text
    assert not ExerciseLog.objects.exists()


def test_yesterday_can_be_added_but_not_changed(client, followed):
    link = link_of(followed.program)
    item = items_of(followed.program)[0]
    yesterday = timezone.localdate() - timedelta(days=1)
    assert log(client, link, item, yesterday, pain="2").status_code == 302
    assert log(client, link, item, yesterday, pain="7").status_code == 409
    assert ExerciseLog.objects.get().pain == 2


@pytest.mark.parametrize("field, value", [("pain", "11"), ("pain", "-1"), ("feel", "great"), ("item", "not-a-code")])
def test_bad_input_is_refused_and_nothing_stored(client, followed, field, value):
    link = link_of(followed.program)
    data = {"item": str(items_of(followed.program)[0].code), "day": timezone.localdate().isoformat(), field: value}
    response = client.post(reverse("athlete:log", args=[link.token]), data)
    assert response.status_code == 400 and not ExerciseLog.objects.exists()


def test_a_link_cannot_log_against_another_programs_item(client, followed, clinic_b, charlie):
    link = link_of(followed.program)
    drill = followed.library["Prone hip internal rotation"]
    theirs = make_program(make_athlete(clinic_b, first_name="Zed"), charlie, [drill])
    other_item = theirs.latest.items.get()
    assert log(client, link, other_item, timezone.localdate(), pain="1").status_code == 404
    mine_too = make_program(followed.athlete, followed.program.created_by, [drill])  # same athlete, other program
    assert log(client, link, mine_too.latest.items.get(), timezone.localdate()).status_code == 404
    assert not ExerciseLog.objects.exists()


def test_the_day_comment_is_one_per_day_and_at_most_300_characters(client, followed):
    link = link_of(followed.program)
    url = reverse("athlete:comment", args=[link.token])
    client.post(url, {"text": "Felt fine"})
    client.post(url, {"text": "Felt fine, a bit stiff"})
    assert list(DayComment.objects.values_list("text", flat=True)) == ["Felt fine, a bit stiff"]
    assert client.post(url, {"text": "x" * 301}).status_code == 400
    assert DayComment.objects.get().text == "Felt fine, a bit stiff"


# --- Throttling and audit ---------------------------------------------------------------------

def test_wrong_tokens_are_throttled_per_client_address(client, followed, settings):
    for _ in range(20):
        assert client.get(reverse("athlete:program", args=["B" * 22])).status_code == 404
    assert client.get(reverse("athlete:program", args=["B" * 22])).status_code == 429
    # Another address is not held back by this one.
    assert Client(REMOTE_ADDR="203.0.113.9").get(link_of(followed.program).path()).status_code == 200


def test_a_link_is_throttled_per_link(client, followed, monkeypatch):
    from assessments.programs import athlete_views

    monkeypatch.setattr(athlete_views, "PER_LINK_PER_HOUR", 3)
    link = link_of(followed.program)
    assert [client.get(link.path()).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_every_open_and_log_is_audited_as_the_athlete_without_the_token(client, followed):
    link = link_of(followed.program)
    client.get(link.path(), REMOTE_ADDR="198.51.100.7")
    log(client, link, items_of(followed.program)[0], timezone.localdate(), pain="1")
    events = list(AuditEvent.objects.filter(action__in=["link_view", "link_log"]).order_by("pk"))
    assert [e.action for e in events] == ["link_view", "link_log"]
    assert all(e.actor is None and e.clinic == followed.athlete.clinic and e.target_type == "programlink"
               and e.target_id == str(link.code) for e in events)
    assert events[0].ip_address == "198.51.100.7"
    for event in AuditEvent.objects.all():
        assert link.token not in f"{event.target_id} {event.fields}"


# --- Back to the physio ------------------------------------------------------------------------------

def test_the_program_page_shows_what_was_logged(bob_client, client, followed):
    link = link_of(followed.program)
    first, second = items_of(followed.program)
    today = timezone.localdate()
    log(client, link, first, today, pain="3", feel="right")
    log(client, link, second, today, pain="6", feel="hard")
    client.post(reverse("athlete:comment", args=[link.token]), {"text": "The band one hurt at the end"})
    page = bob_client.get(followed.program.get_absolute_url()).text
    assert 'data-testid="adherence-chart"' in page and 'data-label="2/' in page
    assert "Prone hip internal rotation: latest 3/10" in page
    assert "Single-leg rotational hip control: latest 6/10" in page
    assert "The band one hurt at the end" in page


def test_rising_pain_and_a_quiet_week_need_attention_on_the_dashboard(alice_client, client, followed):
    link = link_of(followed.program)
    first = items_of(followed.program)[0]
    today = timezone.localdate()
    log(client, link, first, today - timedelta(days=1), pain="2")
    assert 'data-testid="needs-attention"' not in alice_client.get(reverse("dashboard")).text
    log(client, link, first, today, pain="5")
    page = alice_client.get(reverse("dashboard")).text
    assert 'data-testid="needs-attention"' in page and "Ines Okafor" in page
    assert re.search(r"Prone hip internal rotation: pain 5/10 on .*, up from about 2/10", page)


def test_nothing_logged_for_a_week_on_an_active_program_needs_attention(followed):
    program = followed.program
    issued_at = timezone.now() - timedelta(days=adherence.QUIET_DAYS)
    program.versions.update(issued_at=issued_at)
    [attention] = adherence.needs_attention([program], today=timezone.localdate())
    assert attention.reason == "Nothing logged for 7 days or more"
    assert adherence.needs_attention([program], today=timezone.localdate() - timedelta(days=1)) == []


def test_another_clinics_athletes_never_need_our_attention(charlie_client, client, followed):
    link = link_of(followed.program)
    first = items_of(followed.program)[0]
    log(client, link, first, timezone.localdate() - timedelta(days=1), pain="1")
    log(client, link, first, timezone.localdate(), pain="7")
    assert "Ines" not in charlie_client.get(reverse("dashboard")).text


def test_query_counts_do_not_grow_with_the_number_of_logs(client, bob_client, alice_client, followed,
                                                          django_assert_num_queries):
    link = link_of(followed.program)
    items = items_of(followed.program)
    today = timezone.localdate()

    def counts() -> tuple[int, int, int]:
        measured = []
        for who, url in ((client, link.path()), (bob_client, followed.program.get_absolute_url()),
                         (alice_client, reverse("dashboard"))):
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                assert who.get(url).status_code == 200
            measured.append(len(queries))
        return tuple(measured)

    log(client, link, items[0], today, pain="2")
    before = counts()
    for day in range(1, 40):  # weeks of earlier logs, straight into the table
        for item in items:
            ExerciseLog.objects.create(version=followed.program.latest, item=item, day=today - timedelta(days=day),
                                       pain=day % 4)
    assert counts() == before


def test_the_next_assessment_shows_the_exercises_done_since_the_last(alice_client, clinic_a, bob):
    from tests.factories import LOW_LEFT_IR, make_assessment

    world = make_world(clinic_a, bob)
    world.athlete.record_email_consent(True, by=bob)
    world.athlete.save(actor=bob)
    issue(world.program.latest, by=bob)
    today = timezone.localdate()
    for item in world.program.latest.items.all():
        ExerciseLog.objects.create(version=world.program.latest, item=item, day=today)
    later = make_assessment(world.athlete, bob, LOW_LEFT_IR, assessed_on=today)
    page = alice_client.get(later.get_absolute_url()).text
    assert re.search(r"Exercises done since the previous assessment \(.*\), as the athlete logged them: 2 of about",
                     page)
