"""Sessions: the absolute time-out, re-authentication before sensitive actions, sessions ended by a
password change, a reset or a deactivation, and the password rules."""

import time

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from athletes.models import Athlete
from runphys import sessions
from runphys.models import AuditEvent, Invitation, Membership, User
from tests.factories import PASSWORD, make_athlete
from tests.helpers import logged_in
from tests.otp import enrol, totp_code

pytestmark = pytest.mark.django_db


def age(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def logged_in_user_id(client: Client) -> str | None:
    response = client.get(reverse("dashboard"))
    return str(response.wsgi_request.user.pk) if response.status_code == 200 else None


# --- Absolute time-out ----------------------------------------------------------------------------

def test_a_session_ends_twelve_hours_after_login_however_active(alice_client, alice):
    assert settings.SESSION_ABSOLUTE_AGE.total_seconds() == 12 * 3600
    age(alice_client, sessions.LOGGED_IN_AT, 12 * 3600 - 60)
    assert alice_client.get(reverse("dashboard")).status_code == 200
    age(alice_client, sessions.LOGGED_IN_AT, 120)
    response = alice_client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in alice_client.session
    assert AuditEvent.objects.filter(action="session_expired", actor=alice).count() == 1
    login_page = alice_client.get(response["Location"])
    assert "Your session has ended" in login_page.text


def test_a_session_without_a_login_time_counts_as_expired(alice_client):
    session = alice_client.session
    del session[sessions.LOGGED_IN_AT]
    session.save()
    assert alice_client.get(reverse("dashboard")).status_code == 302


def test_the_absolute_time_out_comes_from_the_environment():
    from tests.helpers import SETUP, run_python

    ages = "print(s.SESSION_ABSOLUTE_AGE.total_seconds(), s.REAUTHENTICATION_WINDOW.total_seconds())"
    result = run_python(SETUP + ages, SESSION_ABSOLUTE_HOURS="8", REAUTHENTICATION_MINUTES="5")
    assert result.stdout.split() == ["28800.0", "300.0"], result.stderr


# --- Re-authentication ----------------------------------------------------------------------------

@pytest.fixture
def stale(alice_client) -> Client:
    """Alice's client, logged in longer ago than the re-authentication window."""
    age(alice_client, sessions.CONFIRMED_AT, settings.REAUTHENTICATION_WINDOW.total_seconds() + 1)
    return alice_client


def protected_requests(alice, bob, clinic_a):
    """(method, URL, data, what must not have happened) for every view behind re-authentication."""
    athlete = make_athlete(clinic_a, primary_clinician=bob)
    invitation, _ = Invitation.issue(clinic=clinic_a, email="dora@clinic-a.example", role="clinician",
                                     invited_by=alice)
    bob_membership = bob.membership
    return [
        ("get", reverse("members"), {}, None),
        ("get", reverse("member_invite"), {}, None),
        ("post", reverse("member_invite"), {"email": "eve@clinic-a.example", "role": "admin"},
         lambda: not Invitation.objects.filter(email="eve@clinic-a.example").exists()),
        ("post", reverse("member_role", args=[bob_membership.code]), {"role": "admin"},
         lambda: Membership.objects.get(pk=bob_membership.pk).role == "clinician"),
        ("post", reverse("member_active", args=[bob_membership.code]), {"active": "0"},
         lambda: User.objects.get(pk=bob.pk).is_active),
        ("post", reverse("invitation_revoke", args=[invitation.code]), {},
         lambda: Invitation.objects.get(pk=invitation.pk).revoked_at is None),
        ("post", reverse("athlete_export", args=[athlete.code]), {},
         lambda: not AuditEvent.objects.filter(action="export").exists()),
        ("get", reverse("athlete_erase", args=[athlete.code]), {}, None),
        ("post", reverse("athlete_erase", args=[athlete.code]), {"reviewed": "on", "password": PASSWORD},
         lambda: Athlete.objects.filter(pk=athlete.pk, first_name=athlete.first_name).exists()),
    ]


def test_sensitive_pages_ask_for_the_password_again_after_the_window(stale, alice, bob, clinic_a):
    for method, url, data, unchanged in protected_requests(alice, bob, clinic_a):
        referer = "http://testserver" + reverse("dashboard")
        response = getattr(stale, method)(url, data, headers={"referer": referer})
        assert response.status_code == 302, url
        location = response["Location"]
        assert location.startswith(reverse("reauthenticate") + "?next="), url
        if method == "get":
            assert location.endswith(url.replace("/", "%2F")), location
        assert unchanged is None or unchanged(), url


def test_within_the_window_the_same_pages_open(alice_client, alice, bob, clinic_a):
    for method, url, _data, _ in protected_requests(alice, bob, clinic_a):
        if method == "get":
            assert alice_client.get(url).status_code == 200, url


def test_confirming_the_password_opens_them_again(stale, alice):
    url = reverse("reauthenticate") + "?next=" + reverse("members")
    page = stale.get(url)
    assert page.status_code == 200 and "Confirm it is you" in page.text and 'name="code"' not in page.text
    wrong = stale.post(url, {"password": "not-my-password", "next": reverse("members")})
    assert wrong.status_code == 200 and "not your password" in wrong.text
    assert stale.get(reverse("members")).status_code == 302
    right = stale.post(url, {"password": PASSWORD, "next": reverse("members")})
    assert right.status_code == 302 and right["Location"] == reverse("members")
    assert stale.get(reverse("members")).status_code == 200
    assert AuditEvent.objects.filter(action="reauthenticated", actor=alice).count() == 1


def test_with_two_factor_confirming_needs_a_code_too(stale, alice):
    device, _ = enrol(alice)
    url = reverse("reauthenticate")
    assert 'name="code"' in stale.get(url).text
    no_code = stale.post(url, {"password": PASSWORD, "next": reverse("members")})
    assert no_code.status_code == 200
    wrong_code = stale.post(url, {"password": PASSWORD, "code": "000000" if totp_code(device, 1) != "000000"
                                  else "111111", "next": reverse("members")})
    assert wrong_code.status_code == 200
    assert stale.get(reverse("members")).status_code == 302
    right = stale.post(url, {"password": PASSWORD, "code": totp_code(device, 1), "next": reverse("members")})
    assert right["Location"] == reverse("members")
    assert stale.session[sessions.SECOND_FACTOR] is True


def test_the_next_address_must_be_on_this_site(stale):
    response = stale.post(reverse("reauthenticate"), {"password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard")


def test_an_htmx_request_is_redirected_by_header(stale, alice, bob, clinic_a):
    response = stale.post(reverse("member_active", args=[bob.membership.code]), {"active": "0"},
                          headers={"hx-request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("reauthenticate"))
    bob.refresh_from_db()
    assert bob.is_active


def test_the_confirmation_page_needs_a_login(client):
    assert client.get(reverse("reauthenticate"))["Location"].startswith(reverse("login"))


# --- Sessions end with the password or the account ------------------------------------------------

def test_a_password_change_ends_every_other_session_and_keeps_this_one(alice):
    here, elsewhere = logged_in(alice), logged_in(alice)
    assert logged_in_user_id(elsewhere) == str(alice.pk)
    new = "tempo-run-thursday-19"
    response = here.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": new,
                                                      "new_password2": new})
    assert response.status_code == 302
    assert logged_in_user_id(here) == str(alice.pk)
    assert logged_in_user_id(elsewhere) is None
    assert AuditEvent.objects.filter(action="password_changed", actor=alice).count() == 1


def test_a_password_reset_ends_every_session(alice):
    first, second = logged_in(alice), logged_in(alice)
    uid, token = urlsafe_base64_encode(force_bytes(alice.pk)), default_token_generator.make_token(alice)
    stranger = Client()
    form_page = stranger.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    new = "a-brand-new-passphrase-77"
    done = stranger.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert logged_in_user_id(first) is None and logged_in_user_id(second) is None
    assert AuditEvent.objects.filter(action="password_reset", actor=alice).count() == 1


def test_deactivation_ends_every_session_of_the_member(alice_client, bob):
    bob_client = logged_in(bob)
    assert logged_in_user_id(bob_client) == str(bob.pk)
    alice_client.post(reverse("member_active", args=[bob.membership.code]), {"active": "0"})
    assert logged_in_user_id(bob_client) is None
    # Ended, not just ignored: reactivating bob does not bring the old session back.
    alice_client.post(reverse("member_active", args=[bob.membership.code]), {"active": "1"})
    bob.refresh_from_db()
    assert bob.is_active
    assert logged_in_user_id(bob_client) is None


def test_deactivation_leaves_other_users_sessions_alone(alice_client, bob, charlie_client, charlie):
    alice_client.post(reverse("member_active", args=[bob.membership.code]), {"active": "0"})
    assert logged_in_user_id(charlie_client) == str(charlie.pk)
    assert logged_in_user_id(alice_client) is not None


def test_a_new_session_key_at_each_step_of_a_two_factor_login(client, alice):
    device, _ = enrol(alice)
    planted = SessionStore()  # a real session the attacker made and slipped into the victim's browser
    planted["x"] = 1
    planted.save()
    client.cookies["sessionid"] = planted.session_key
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    after_password = client.cookies["sessionid"].value
    assert after_password != planted.session_key
    client.post(reverse("login_code"), {"code": totp_code(device, 1)})
    assert client.cookies["sessionid"].value not in {planted.session_key, after_password}


def test_the_login_and_confirmation_time_are_set_at_login(client, alice):
    before = time.time()
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert client.session[sessions.LOGGED_IN_AT] >= before
    assert client.session[sessions.CONFIRMED_AT] >= before


# --- Password rules -------------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "reason"), [
    ("Kx9#mQ2$vL4", "too short"),            # 11 characters
    ("password1234", "too common"),
    ("alicearcher2026", "too similar"),       # like her name
    ("481516234200", "entirely numeric"),
])
def test_weak_passwords_are_refused(alice, password, reason):
    with pytest.raises(password_validation.ValidationError) as refused:
        password_validation.validate_password(password, user=alice)
    assert reason in str(refused.value).lower()


def test_a_long_uncommon_password_is_accepted(alice):
    password_validation.validate_password("Kx9#mQ2$vL4w", user=alice)  # 12 characters
