"""Throttling: 10 failures an hour per account (from browsers the user never logged in with) or per
known browser (device cookie), failures against 20 different accounts per address, for passwords
and second-factor codes wherever they are checked; password-reset requests likewise; then a
cool-off that ends by itself within the hour.

Time is moved by ageing the recorded attempts (their ``at``), as an hour passing would."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from runphys import devices, throttle
from runphys.models import AuditEvent, AuthAttempt, EmailDelivery
from tests.factories import PASSWORD, make_user
from tests.helpers import logged_in
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
    # Each account is kept as a keyed digest: of the user it matched, or of what was typed when
    # it matched nobody, never as the text.
    assert set(AuthAttempt.objects.values_list("account", flat=True)) == {
        throttle.user_key(alice), throttle.typed_key("typed-my-password-here")}
    for attempt in AuthAttempt.objects.all():
        assert "alice" not in attempt.account and "password" not in attempt.account


def test_old_attempts_are_pruned_as_new_ones_arrive(alice):
    fail_logins(Client(), alice.email, 3)
    age_attempts(61)
    fail_logins(Client(), alice.email, 1)
    assert AuthAttempt.objects.count() == 1


# --- Passwords, per address -----------------------------------------------------------------------

def test_failures_against_twenty_accounts_from_one_address_cool_it_off_for_unknown_browsers(clinic_a):
    regular = make_user("regular@clinic-a.example", "Regular Member", clinic_a)
    known_browser = Client(REMOTE_ADDR="198.51.100.99")
    log_in(known_browser, regular.email, PASSWORD)
    known_browser.post(reverse("logout"))
    users = [make_user(f"member{n}@clinic-a.example", f"Member {n}", clinic_a) for n in range(5)]
    sprayer = Client(REMOTE_ADDR="198.51.100.99")
    for n in range(20):
        # A password sprayed over accounts: the five real ones, then made-up addresses.
        email = users[n].email if n < 5 else f"nobody{n}@example.com"
        log_in(sprayer, email, "wrong-password-guess")
    assert AuditEvent.objects.filter(action="login_locked", target_type="address").count() == 1

    # A real member with the right password, from that address, in a browser new to them: refused.
    fresh = make_user("fresh@clinic-a.example", "Fresh Member", clinic_a)
    refused = log_in(sprayer, fresh.email, PASSWORD)
    assert not is_logged_in(sprayer) and "Too many attempts" in refused.text
    # A member whose browser logged in before, from the same address: in.
    log_in(known_browser, regular.email, PASSWORD)
    assert is_logged_in(known_browser)
    # From elsewhere the sprayed members log in (each account has one failure).
    elsewhere = Client(REMOTE_ADDR="203.0.113.20")
    log_in(elsewhere, users[0].email, PASSWORD)
    assert is_logged_in(elsewhere)
    age_attempts(60)
    log_in(sprayer, fresh.email, PASSWORD)
    assert is_logged_in(sprayer)


def test_a_clinic_behind_one_address_is_not_locked_out_by_failures_there(clinic_a, alice):
    """A shared NAT: someone there hammers one account and a few members mistype; everyone else
    behind the address, in browsers that never logged in before, still logs in."""
    nat = "192.0.2.44"
    members = [make_user(f"member{n}@clinic-a.example", f"Member {n}", clinic_a) for n in range(8)]
    fail_logins(Client(REMOTE_ADDR=nat), alice.email, 30)
    for member in members[:5]:
        fail_logins(Client(REMOTE_ADDR=nat), member.email, 2)
    assert not AuditEvent.objects.filter(action="login_locked", target_type="address").exists()
    for member in members:
        client = Client(REMOTE_ADDR=nat)
        log_in(client, member.email, PASSWORD)
        assert is_logged_in(client), member.email


# --- Known browsers (device cookies): the owner is never locked out by others ---------------------

def known_browser(user, address: str = "203.0.113.20") -> Client:
    """A browser the user logged in with (it holds their device cookie), logged out again."""
    client = Client(REMOTE_ADDR=address)
    log_in(client, user.email, PASSWORD)
    assert is_logged_in(client) and devices.COOKIE in client.cookies
    client.post(reverse("logout"))
    return client


def test_a_distributed_attack_locks_unknown_browsers_but_the_owner_still_logs_in(alice):
    owners_laptop = known_browser(alice)
    for n in range(10):
        log_in(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), alice.email, "wrong-password-guess")
    assert AuditEvent.objects.filter(action="login_locked", target_id=str(alice.pk)).count() == 1
    assert not AuditEvent.objects.filter(action="login_locked", target_type="address").exists()

    new_browser = Client(REMOTE_ADDR="203.0.113.20")  # even from the owner's own address
    assert "Too many attempts" in log_in(new_browser, alice.email, PASSWORD).text
    assert not is_logged_in(new_browser)
    log_in(owners_laptop, alice.email, PASSWORD)
    assert is_logged_in(owners_laptop)
    # The attack goes on: still nothing the owner notices.
    owners_laptop.post(reverse("logout"))
    fail_logins(Client(REMOTE_ADDR="198.51.100.200"), alice.email, 20)
    log_in(owners_laptop, alice.email, PASSWORD)
    assert is_logged_in(owners_laptop)


def test_a_known_browser_that_fails_ten_times_counts_as_unknown(alice):
    laptop = known_browser(alice)
    fail_logins(laptop, alice.email, 10)
    assert AuditEvent.objects.filter(action="login_device_locked", target_id=str(alice.pk)).count() == 1
    # Its failures were the device's, not the account's: other browsers are not locked...
    elsewhere = Client(REMOTE_ADDR="198.51.100.3")
    log_in(elsewhere, alice.email, PASSWORD)
    assert is_logged_in(elsewhere)
    # ... and the device is now one browser among others: ten more lock the account for them.
    fail_logins(laptop, alice.email, 10)
    assert "Too many attempts" in log_in(laptop, alice.email, PASSWORD).text


def test_a_device_cookie_counts_only_for_its_user_and_only_signed(alice, bob):
    alices_laptop = known_browser(alice)
    fail_logins(Client(), bob.email, 10)
    assert "Too many attempts" in log_in(alices_laptop, bob.email, PASSWORD).text
    forged = Client()
    forged.cookies[devices.COOKIE] = alices_laptop.cookies[devices.COOKIE].value.replace(":", ".", 1)
    fail_logins(Client(), alice.email, 10)
    assert "Too many attempts" in log_in(forged, alice.email, PASSWORD).text
    log_in(alices_laptop, alice.email, PASSWORD)
    assert is_logged_in(alices_laptop)


def test_one_shared_browser_remembers_several_users(alice, bob):
    desk = known_browser(alice)
    log_in(desk, bob.email, PASSWORD)
    desk.post(reverse("logout"))
    fail_logins(Client(), alice.email, 10)
    fail_logins(Client(), bob.email, 10)
    for user in (alice, bob):
        log_in(desk, user.email, PASSWORD)
        assert is_logged_in(desk)
        desk.post(reverse("logout"))


# --- The account is the user matched, however it was spelt ---------------------------------------

def test_look_alike_spellings_count_against_the_user_they_reach_and_reach_no_one_else(clinic_a):
    iris = make_user("iris.timmis@clinic-a.example", "Iris Timmis", clinic_a)
    fail_logins(Client(REMOTE_ADDR="198.51.100.7"), "IRIS.TIMMIS@clinic-a.example", 5)
    fail_logins(Client(REMOTE_ADDR="198.51.100.8"), " iris.timmis@CLINIC-A.example", 5)
    assert AuditEvent.objects.filter(action="login_locked", target_id=str(iris.pk)).count() == 1
    # The dotless ı is not an i: SQL's UPPER() would say it is, so the address with it reached
    # Iris's account by a key of its own, outside her lock. It reaches nobody now.
    look_alike = "ırıs.tımmıs@clinic-a.example"
    client = Client(REMOTE_ADDR="203.0.113.9")
    response = log_in(client, look_alike, PASSWORD)
    assert response.status_code == 200 and not is_logged_in(client)
    assert "Too many attempts" in log_in(client, iris.email.upper(), PASSWORD).text
    assert set(AuthAttempt.objects.values_list("account", flat=True)) == {
        throttle.user_key(iris), throttle.typed_key(look_alike)}

    # A real account with that address is its own account, with its own count.
    other = make_user(look_alike, "Other Person", clinic_a)
    log_in(client, look_alike, PASSWORD)
    assert client.session["_auth_user_id"] == str(other.pk)
    client.post(reverse("logout"))
    fail_logins(Client(REMOTE_ADDR="198.51.100.9"), look_alike, 3)
    assert AuthAttempt.objects.filter(account=throttle.user_key(other)).count() == 3


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


def change_password(client: Client, old_password: str):
    new = "a-brand-new-passphrase-77"
    return client.post(reverse("password_change"), {"old_password": old_password, "new_password1": new,
                                                     "new_password2": new})


def test_the_old_password_of_a_password_change_is_throttled_and_audited(alice):
    owners_laptop = known_browser(alice)
    stolen_session, owners_other_session = logged_in(alice), logged_in(alice)
    for _ in range(10):
        response = change_password(stolen_session, "guess-from-a-stolen-session")
        assert response.status_code == 200 and "entered incorrectly" in response.text
    failed = AuditEvent.objects.filter(action="password_change_failed")
    assert failed.count() == 10 and {(e.actor, e.target_id) for e in failed} == {(alice, str(alice.pk))}
    assert AuditEvent.objects.filter(action="login_locked", target_id=str(alice.pk)).count() == 1

    # The 41st guess, right this time: refused unchecked, so nothing changes and no session ends.
    refused = change_password(stolen_session, PASSWORD)
    assert refused.status_code == 200 and "Too many attempts" in refused.text
    assert AuditEvent.objects.filter(action="password_change_refused", actor=alice).count() == 1
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert owners_other_session.get(reverse("dashboard")).status_code == 200
    # The same lock holds at login for unknown browsers; the owner's own browser is let in.
    new_browser = Client()
    assert "Too many attempts" in log_in(new_browser, alice.email, PASSWORD).text
    log_in(owners_laptop, alice.email, PASSWORD)
    assert is_logged_in(owners_laptop)


def test_the_django_admin_password_change_is_the_throttled_page(alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client = logged_in(alice)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert client.post("/admin/password_change/", {"old_password": "guess"}).status_code == 405


def test_wrong_codes_when_confirming_again_and_setting_up_are_throttled_and_audited(alice):
    device, _ = enrol(alice)
    client = logged_in(alice)
    for _ in range(5):
        client.post(reverse("reauthenticate"), {"password": PASSWORD, "code": "99999999"})
    client.post(reverse("two_factor_setup"), {})
    for _ in range(5):
        client.post(reverse("two_factor_confirm"), {"code": "000000"})
    assert AuditEvent.objects.filter(action="reauthentication_code_failed", actor=alice).count() == 5
    assert AuditEvent.objects.filter(action="two_factor_setup_code_failed", actor=alice).count() == 5
    assert AuditEvent.objects.filter(action="second_factor_locked", target_id=str(alice.pk)).count() == 1
    refused = client.post(reverse("reauthenticate"), {"password": PASSWORD, "code": totp_code(device, 1)})
    assert "Too many attempts" in refused.text


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


def test_wrong_codes_for_twenty_accounts_from_one_address_cool_it_off(clinic_a):
    users = [make_user(f"member{n}@clinic-a.example", f"Member {n}", clinic_a) for n in range(21)]
    devices_ = [enrol(user)[0] for user in users]
    client = Client(REMOTE_ADDR="198.51.100.5")
    for user in users[:20]:
        log_in(client, user.email, PASSWORD)
        code_step(client, "99999999")
    assert AuditEvent.objects.filter(action="second_factor_locked", target_type="address").count() == 1
    log_in(client, users[20].email, PASSWORD)
    refused = code_step(client, totp_code(devices_[20], 1))
    assert "Too many attempts" in refused.text and not is_logged_in(client)


def test_a_known_browser_passes_the_code_step_while_the_account_is_locked(alice):
    device, _ = enrol(alice)
    laptop = Client()
    log_in(laptop, alice.email, PASSWORD)
    code_step(laptop, totp_code(device, 1))
    assert is_logged_in(laptop)
    laptop.post(reverse("logout"))
    attacker = Client(REMOTE_ADDR="198.51.100.5")  # knows the password, guesses codes
    for _ in range(10):
        log_in(attacker, alice.email, PASSWORD)
        code_step(attacker, "99999999")
    assert AuditEvent.objects.filter(action="second_factor_locked", target_id=str(alice.pk)).count() == 1
    log_in(laptop, alice.email, PASSWORD)
    code_step(laptop, totp_code(device, 2))
    assert is_logged_in(laptop)


# --- Password reset -------------------------------------------------------------------------------

def request_reset(client: Client, email: str):
    return client.post(reverse("password_reset"), {"email": email})


@pytest.fixture
def deliveries_after_tasks(run_tasks, django_capture_on_commit_callbacks):
    """Run the queued tasks as the worker would (the reset tasks, then the deliveries they queue)
    and count the email deliveries."""
    def count(**filters) -> int:
        ran = True
        while ran:
            with django_capture_on_commit_callbacks(execute=True):
                ran = run_tasks()
        return EmailDelivery.objects.filter(**filters).count()
    return count


def test_reset_requests_are_limited_per_account_and_say_the_same_when_refused(alice, deliveries_after_tasks):
    client = Client()
    responses = [request_reset(client, alice.email) for _ in range(8)]
    assert deliveries_after_tasks(recipient=alice.email) == 5
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("password_reset_done"))}
    assert AuditEvent.objects.filter(action="password_reset_locked", target_id=str(alice.pk)).count() == 1
    assert AuditEvent.objects.filter(action="password_reset_refused").count() == 3
    unknown = request_reset(client, "nobody@nowhere.example")
    assert (unknown.status_code, unknown["Location"]) == (302, reverse("password_reset_done"))

    age_attempts(60)
    request_reset(client, alice.email)
    assert deliveries_after_tasks(recipient=alice.email) == 6


def test_reset_requests_for_twenty_addresses_from_one_client_address_cool_it_off(clinic_a, deliveries_after_tasks):
    users = [make_user(f"member{n}@clinic-a.example", f"Member {n}", clinic_a) for n in range(5)]
    client = Client(REMOTE_ADDR="198.51.100.77")
    for n in range(20):
        request_reset(client, users[n].email if n < 5 else f"unknown{n}@example.com")
    assert deliveries_after_tasks() == 5
    request_reset(client, users[0].email)
    assert deliveries_after_tasks() == 5
    request_reset(Client(REMOTE_ADDR="203.0.113.1"), users[0].email)
    assert deliveries_after_tasks() == 6


def reset_request_work(email: str, address: str) -> list[str]:
    """The SQL one reset request runs, with its values taken out."""
    with CaptureQueriesContext(connection) as queries:
        response = request_reset(Client(REMOTE_ADDR=address), email)
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    return [re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", query["sql"]) for query in queries.captured_queries]


@pytest.mark.parametrize("nth", [1, 5, 6])
def test_a_reset_request_does_the_same_work_whether_or_not_the_account_exists(alice, nth, deliveries_after_tasks,
                                                                           mailoutbox):
    """No timing: the same statements, in the same order, and one queued task, for an address with
    an account and one without, on a first request, the one that reaches the limit and a refused one."""
    for _ in range(nth - 1):
        request_reset(Client(REMOTE_ADDR="192.0.2.1"), alice.email)
        request_reset(Client(REMOTE_ADDR="192.0.2.2"), "no-account@clinic-a.example")
    DBTaskResult.objects.all().delete()
    existing = reset_request_work(alice.email, "192.0.2.1")
    missing = reset_request_work("no-account@clinic-a.example", "192.0.2.2")
    assert existing == missing
    assert not any("runphys_user" in query for query in existing)  # nobody is looked up in the request
    tasks = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert tasks == ([] if nth > 5 else ["runphys.password_reset.send_reset_email"] * 2)
    deliveries_after_tasks()
    assert [message.to for message in mailoutbox] == ([] if nth > 5 else [[alice.email]])


def test_attempt_rows_can_be_aged_past_the_window():
    # The clock seam the other tests rely on: an attempt older than the window no longer counts.
    account = throttle.account_key("x@example.com")
    for _ in range(10):
        throttle.record(LOGIN, account=account, ip=None)
    AuthAttempt.objects.update(at=timezone.now() - throttle.WINDOW)
    assert throttle.retry_after(LOGIN, account=account, ip=None) is None
