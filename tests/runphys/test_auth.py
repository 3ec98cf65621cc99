"""Logging in and out, password reset by email, idle time-out, and login required everywhere."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from runphys import sessions
from runphys.models import AuditEvent, EmailDelivery
from tests.factories import PASSWORD
from tests.url_patterns import project_routes, sample_url

pytestmark = pytest.mark.django_db


def test_login_with_email_and_password_opens_the_dashboard(client, alice):
    response = client.post(reverse("login"), {"username": "ALICE@clinic-a.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert "Alice" in page.text
    assert "Clinic A Physio" in page.text
    assert AuditEvent.objects.filter(action="login", actor=alice).count() == 1


def test_wrong_password_shows_an_error_and_logs_nobody_in(client, alice):
    response = client.post(reverse("login"), {"username": alice.email, "password": "not-the-password"})
    assert response.status_code == 200
    assert "The email address or password is not right" in response.text
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.actor is None
    assert alice.email not in str(failed.fields) + failed.target_id


def test_deactivated_user_cannot_log_in(client, alice):
    alice.is_active = False
    alice.save()
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(alice_client):
    assert alice_client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in alice_client.session
    response = alice_client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in alice_client.session
    assert alice_client.get(reverse("dashboard")).status_code == 302


def test_a_new_session_key_on_login(client, alice):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen-session-key"
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert client.cookies["sessionid"].value != "attacker-chosen-session-key"


@pytest.mark.parametrize("route", [r for r in project_routes() if r.login_required], ids=lambda r: r.full_name)
def test_every_page_sends_anonymous_users_to_login(client, route):
    url = sample_url(route.route)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_pages_open_to_anonymous_users_are_only_the_login_and_reset_pages():
    open_routes = {r.full_name for r in project_routes() if not r.login_required}
    # login_code is the login's second step (the code), reached only with a correct password.
    assert open_routes == {
        "login", "login_code", "password_reset", "password_reset_done", "password_reset_confirm",
        "password_reset_complete", "invitation_accept",
        # The athlete's own program through their private link (tests/assessments/programs/test_athlete_view.py).
        "athlete:program", "athlete:log", "athlete:comment", "athlete:logo", "athlete:picture",
    }


def test_password_reset_email_link_works_once(client, alice, mailoutbox, run_tasks,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": alice.email})
    assert response.status_code == 302
    assert mailoutbox == []  # queued, not sent inside the request
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()  # the reset task, which queues the email
    run_tasks()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [alice.email]
    assert message.subject == "Reset your RunPhys password"
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)
    assert message.alternatives and link in message.alternatives[0][0]

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-passphrase-77"
    done = client.post(form_page.redirect_chain[-1][0],
                       {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new_password)

    again = client.get(link, follow=True)
    assert "This link no longer works" in again.text


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox, run_tasks,
                                                                               django_capture_on_commit_callbacks):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    with django_capture_on_commit_callbacks(execute=True):
        assert run_tasks() == 1  # the reset task ran, and found no account
    assert mailoutbox == []
    assert not EmailDelivery.objects.exists()


def test_password_change_keeps_the_user_logged_in_and_needs_the_old_password(alice_client, alice):
    url = reverse("password_change")
    bad = alice_client.post(url, {"old_password": "wrong", "new_password1": "x" * 3, "new_password2": "x" * 3})
    assert bad.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    good = alice_client.post(url, {"old_password": PASSWORD, "new_password1": "tempo-run-thursday-19",
                                   "new_password2": "tempo-run-thursday-19"})
    assert good.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("tempo-run-thursday-19")


def test_short_and_common_passwords_are_refused(alice_client, alice):
    for weak in ("short-pw1", "password1234"):
        response = alice_client.post(reverse("password_change"),
                                     {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
        assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_idle_session_expires_and_activity_renews_it(client, alice, settings, monkeypatch):
    before = timezone.now()
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    after = timezone.now()
    session = Session.objects.get(session_key=client.session.session_key)
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert before + idle <= session.expire_date <= after + idle
    assert settings.SESSION_COOKIE_AGE == 30 * 60

    # Activity within a minute of the last renewal does not write the session...
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=29))
    assert client.get(reverse("dashboard")).status_code == 200
    assert Session.objects.get(pk=session.pk).expire_date < timezone.now() + timedelta(minutes=29)

    # ...activity 25 minutes later renews the window.
    stale = client.session
    stale[sessions.RENEWED_AT] -= 25 * 60
    stale.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get(reverse("dashboard")).status_code == 200
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + timedelta(minutes=25)

    # Thirty-one idle minutes later the session is gone: from the table (its row's expiry is
    # passed) and from the cache in front of it (whose entries expire by the clock).
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(minutes=1))
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 31 * 60)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_carry_security_headers_and_no_store(alice_client):
    response = alice_client.get(reverse("dashboard"))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_csrf_is_enforced_on_login(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 403


def test_a_request_loads_the_user_membership_and_clinic_in_one_query(alice, django_assert_num_queries):
    from runphys.throttle import ThrottledModelBackend

    clinic_name = alice.clinic.name
    with django_assert_num_queries(1):
        user = ThrottledModelBackend().get_user(alice.pk)
        assert (user, user.clinic.name, user.is_clinic_admin) == (alice, clinic_name, True)


def test_a_user_without_a_clinic_and_an_inactive_user(alice, clinic_a):
    from runphys.throttle import ThrottledModelBackend
    from tests.factories import make_user

    operator = make_user("ops@runphys.example", "Site Operator", None)
    assert ThrottledModelBackend().get_user(operator.pk) == operator
    assert ThrottledModelBackend().get_user(operator.pk).clinic is None
    alice.is_active = False
    alice.save()
    assert ThrottledModelBackend().get_user(alice.pk) is None
    assert ThrottledModelBackend().get_user(10**9) is None


def test_a_clinic_less_user_can_log_in_and_reach_a_page(client):
    from tests.factories import make_user

    make_user("ops@runphys.example", "Site Operator", None)
    assert client.post(reverse("login"), {"username": "ops@runphys.example", "password": PASSWORD}).status_code == 302
    assert client.get(reverse("password_change")).status_code == 200
