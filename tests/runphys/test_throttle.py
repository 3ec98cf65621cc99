"""Throttling: 10 failures per account and 20 per address an hour for passwords and second-factor
codes, password-reset requests likewise, then a cool-off that ends by itself within the hour.

Time is moved by ageing the recorded attempts (their ``at``), as an hour passing would."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from runphys import throttle
from runphys.models import AuditEvent, AuthAttempt, EmailDelivery
from tests.factories import PASSWORD, make_user
from tests.otp import enrol, totp_code

pytestmark = pytest.mark.django_db

LOGIN = AuthAttempt.Kind.LOGIN


def age_attempts(minutes: float) -> None:
    """Every recorded attempt happened ``minutes`` earlier than it did."""
    for attempt in AuthAttempt.objects.all():
        AuthAttempt.objects.filter(pk=attempt.pk).update(at=attempt.at - timedelta(minutes=minutes))


def log_in(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail_logins(client: Client, email: str, times: int) -> None:
    for _ in range(times):
        response = log_in(client, email, "wrong-password-guess")
        assert response.status_code == 200


# --- Passwords, per account -----------------------------------------------------------------------

def test_ten_failures_lock_the_account_and_even_the_right_password_is_refused(alice):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    fail_logins(attacker, alice.email, 10)
    assert AuditEvent.objects.filter(action="login_locked", target_id=str(alice.pk)).count() == 1

    owner = Client(REMOTE_ADDR="203.0.113.20")  # another address: the account itself is locked
    refused = log_in(owner, alice.email, PASSWORD)
    assert refused.status_code == 200 and not is_logged_in(owner)
    assert "Too many attempts" in refused.text and "60 minutes" in refused.text
    assert AuditEvent.objects.filter(action="login_refused").count() == 1


def test_nine_failures_do_not_lock(alice):
    fail_logins(Client(), alice.email, 9)
    client = Client()
    log_in(client, alice.email, PASSWORD)
    assert is_logged_in(client)


def test_the_cool_off_ends_within_the_hour(alice):
    fail_logins(Client(), alice.email, 10)
    age_attempts(59)
    client = Client()
    assert "1 minute " in log_in(client, alice.email, PASSWORD).text and not is_logged_in(client)
    age_attempts(1)
    log_in(client, alice.email, PASSWORD)
    assert is_logged_in(client)


def test_attempts_during_the_cool_off_do_not_prolong_it(alice):
    attacker = Client()
    fail_logins(attacker, alice.email, 10)
    age_attempts(30)
    fail_logins(attacker, alice.email, 50)  # refused unchecked, and not counted
    assert AuthAttempt.objects.count() == 10
    age_attempts(30)
    client = Client()
    log_in(client, alice.email, PASSWORD)
    assert is_logged_in(client)


def test_the_account_is_the_address_typed_whatever_its_capitals(alice):
    fail_logins(Client(), alice.email.upper(), 5)
    fail_logins(Client(), f"  {alice.email}", 5)
    client = Client()
    log_in(client, alice.email, PASSWORD)
    assert not is_logged_in(client)


def test_another_account_is_not_locked_by_alice_s_failures(alice, bob):
    fail_logins(Client(REMOTE_ADDR="198.51.100.7"), alice.email, 10)
    client = Client(REMOTE_ADDR="203.0.113.20")
    log_in(client, bob.email, PASSWORD)
    assert is_logged_in(client)


def test_nothing_typed_is_stored_in_clear(alice):
    fail_logins(Client(), alice.email, 3)
    fail_logins(Client(), "typed-my-password-here", 1)
    # Each account is kept as its keyed digest, never as what was typed.
    assert set(AuthAttempt.objects.values_list("account", flat=True)) == {
        throttle.account_key(alice.email), throttle.account_key("typed-my-password-here")}
    for attempt in AuthAttempt.objects.all():
        assert "alice" not in attempt.account and "password" not in attempt.account


def test_old_attempts_are_pruned_as_new_ones_arrive(alice):
    fail_logins(Client(), alice.email, 3)
    age_attempts(61)
    fail_logins(Client(), alice.email, 1)
    assert AuthAttempt.objects.count() == 1


# --- Passwords, per address -----------------------------------------------------------------------

def test_twenty_failures_from_one_address_lock_it_for_every_account(clinic_a):
    users = [make_user(f"member{n}@clinic-a.example", f"Member {n}", clinic_a) for n in range(5)]
    botnet_node = Client(REMOTE_ADDR="198.51.100.99")
    for n in range(20):
        # Four failures per real account (under their limit) and some made-up addresses.
        email = users[n % 5].email if n < 15 else f"nobody{n}@example.com"
        log_in(botnet_node, email, "wrong-password-guess")
    assert AuditEvent.objects.filter(action="login_locked", target_type="address").count() == 1

    # A real member with the right password, from that address: refused.
    fresh = make_user("fresh@clinic-a.example", "Fresh Member", clinic_a)
    refused = log_in(botnet_node, fresh.email, PASSWORD)
    assert not is_logged_in(botnet_node) and "Too many attempts" in refused.text
    # From elsewhere the same members log in (each account has only 3 or 4 failures).
    elsewhere = Client(REMOTE_ADDR="203.0.113.20")
    log_in(elsewhere, users[0].email, PASSWORD)
    assert is_logged_in(elsewhere)
    age_attempts(60)
    log_in(botnet_node, fresh.email, PASSWORD)
    assert is_logged_in(botnet_node)


# --- Every password check is throttled, not only the login page -----------------------------------

def test_a_locked_account_cannot_authenticate_by_any_path(alice):
    fail_logins(Client(), alice.email, 10)
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="203.0.113.20")
    request.user = AnonymousUser()
    assert authenticate(request, username=alice.email, password=PASSWORD) is None
    age_attempts(60)
    assert authenticate(request, username=alice.email, password=PASSWORD) == alice


def test_wrong_passwords_at_re_authentication_count_too(alice_client, alice):
    for _ in range(10):
        alice_client.post(reverse("reauthenticate"), {"password": "guess-from-a-stolen-session"})
    response = alice_client.post(reverse("reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 200 and "Too many attempts" in response.text
    client = Client()
    log_in(client, alice.email, PASSWORD)
    assert not is_logged_in(client)


def test_throttle_reports_how_long_to_wait():
    account = throttle.account_key("someone@example.com")
    assert throttle.retry_after(LOGIN, account=account, ip="192.0.2.1") is None
    for _ in range(10):
        throttle.record(LOGIN, account=account, ip="192.0.2.1")
    wait = throttle.retry_after(LOGIN, account=account, ip="192.0.2.2")
    assert timedelta(minutes=59) < wait <= timedelta(hours=1)
    with pytest.raises(throttle.Throttled) as throttled:
        throttle.check(LOGIN, account=account, ip=None)
    assert throttled.value.minutes == 60


# --- Second factor --------------------------------------------------------------------------------

def code_step(client: Client, code: str):
    return client.post(reverse("login_code"), {"code": code})


def test_ten_wrong_codes_lock_the_second_factor_until_the_hour_passes(alice):
    device, _ = enrol(alice)
    client = Client()
    log_in(client, alice.email, PASSWORD)
    wrong = "000000" if totp_code(device, 1) != "000000" else "111111"
    for _ in range(10):
        assert code_step(client, wrong).status_code == 200
    assert AuditEvent.objects.filter(action="second_factor_locked", target_id=str(alice.pk)).count() == 1
    assert AuditEvent.objects.filter(action="second_factor_failed", actor=alice).count() == 10

    refused = code_step(client, totp_code(device, 1))
    assert "Too many attempts" in refused.text and not is_logged_in(client)
    age_attempts(60)
    log_in(client, alice.email, PASSWORD)
    code_step(client, totp_code(device, 1))
    assert is_logged_in(client)


def test_wrong_codes_from_one_address_lock_it_for_every_account(clinic_a):
    users = [make_user(f"member{n}@clinic-a.example", f"Member {n}", clinic_a) for n in range(3)]
    devices = [enrol(user)[0] for user in users]
    client = Client(REMOTE_ADDR="198.51.100.5")
    for n in range(20):
        log_in(client, users[n % 2].email, PASSWORD)
        code_step(client, "99999999")
    log_in(client, users[2].email, PASSWORD)
    refused = code_step(client, totp_code(devices[2], 1))
    assert "Too many attempts" in refused.text and not is_logged_in(client)


# --- Password reset -------------------------------------------------------------------------------

def request_reset(client: Client, email: str):
    return client.post(reverse("password_reset"), {"email": email})


def test_reset_requests_are_limited_per_account_and_say_the_same_when_refused(alice, mailoutbox,
                                                                              django_capture_on_commit_callbacks):
    client = Client()
    responses = [request_reset(client, alice.email) for _ in range(8)]
    assert EmailDelivery.objects.filter(recipient=alice.email).count() == 5
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("password_reset_done"))}
    assert AuditEvent.objects.filter(action="password_reset_locked", target_id=str(alice.pk)).count() == 1
    assert AuditEvent.objects.filter(action="password_reset_refused").count() == 3
    unknown = request_reset(client, "nobody@nowhere.example")
    assert (unknown.status_code, unknown["Location"]) == (302, reverse("password_reset_done"))

    age_attempts(60)
    request_reset(client, alice.email)
    assert EmailDelivery.objects.filter(recipient=alice.email).count() == 6


def test_reset_requests_are_limited_per_address(clinic_a):
    users = [make_user(f"member{n}@clinic-a.example", f"Member {n}", clinic_a) for n in range(5)]
    client = Client(REMOTE_ADDR="198.51.100.77")
    for n in range(20):
        request_reset(client, users[n % 5].email if n % 2 else f"unknown{n}@example.com")
    assert EmailDelivery.objects.count() == 10
    request_reset(client, users[0].email)
    assert EmailDelivery.objects.count() == 10
    request_reset(Client(REMOTE_ADDR="203.0.113.1"), users[0].email)
    assert EmailDelivery.objects.count() == 11


def test_attempt_rows_can_be_aged_past_the_window():
    # The clock seam the other tests rely on: an attempt older than the window no longer counts.
    account = throttle.account_key("x@example.com")
    for _ in range(10):
        throttle.record(LOGIN, account=account, ip=None)
    AuthAttempt.objects.update(at=timezone.now() - throttle.WINDOW)
    assert throttle.retry_after(LOGIN, account=account, ip=None) is None
