"""Two-factor authentication: enrolment with a locally drawn QR code, login in two steps, single-use
backup codes, the clinic's requirement, and the pages that change it."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from runphys import sessions, twofactor
from runphys.models import AuditEvent
from tests.factories import PASSWORD, make_user
from tests.helpers import logged_in
from tests.otp import enrol, passed_second_factor, totp_code

pytestmark = pytest.mark.django_db


def actions(user) -> list[str]:
    return list(AuditEvent.objects.filter(target_type="user", target_id=str(user.pk))
                .order_by("at", "id").values_list("action", flat=True))


def password_step(client: Client, user, password: str = PASSWORD, next_url: str = ""):
    data = {"username": user.email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


# --- Enrolment ------------------------------------------------------------------------------------

def test_enrolment_shows_a_local_qr_code_and_the_key_and_needs_a_code_before_it_counts(alice_client, alice):
    response = alice_client.post(reverse("two_factor_setup"))
    assert response.status_code == 302 and response["Location"] == reverse("two_factor_confirm")
    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed and not twofactor.is_enrolled(alice)

    page = alice_client.get(reverse("two_factor_confirm"))
    assert page.status_code == 200
    svg = re.search(r"<svg[^>]*>.*?</svg>", page.text, re.S).group(0)
    assert "<path" in svg
    assert "style=" not in svg and "<script" not in svg and "http" not in svg.replace("http://www.w3.org", "")
    shown_secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.text).group(1)
    assert shown_secret == twofactor.secret(device)

    wrong = alice_client.post(reverse("two_factor_confirm"), {"code": "000000" if totp_code(device) != "000000"
                                                              else "111111"})
    assert wrong.status_code == 200 and "does not match" in wrong.text
    device.refresh_from_db()
    assert not device.confirmed

    done = alice_client.post(reverse("two_factor_confirm"), {"code": totp_code(device)})
    assert done.status_code == 302 and done["Location"] == reverse("two_factor_backup_codes")
    device.refresh_from_db()
    assert device.confirmed and twofactor.is_enrolled(alice)
    assert "two_factor_enrolled" in actions(alice)

    codes_page = alice_client.get(reverse("two_factor_backup_codes"))
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", codes_page.text)
    assert len(codes) == twofactor.BACKUP_CODE_COUNT == 10
    # Kept as keyed digests, never as the codes themselves.
    stored = set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert stored == {twofactor.backup_code_digest(code) for code in codes} and not stored & set(codes)
    # Shown once: the page does not show them again.
    again = alice_client.get(reverse("two_factor_backup_codes"))
    assert again.status_code == 302 and again["Location"] == reverse("two_factor")


def test_the_confirm_page_without_a_started_enrolment_goes_back_to_the_overview(alice_client):
    assert alice_client.get(reverse("two_factor_confirm"))["Location"] == reverse("two_factor")


def test_a_code_with_letters_is_refused_by_the_enrolment_form(alice_client, alice):
    alice_client.post(reverse("two_factor_setup"))
    response = alice_client.post(reverse("two_factor_confirm"), {"code": "abcdef"})
    assert response.status_code == 200 and "six digits" in response.text
    assert not twofactor.is_enrolled(alice)


def test_setting_up_again_replaces_the_old_authenticator_only_once_confirmed(alice_client, alice):
    old, _ = enrol(alice)
    alice_client.post(reverse("two_factor_setup"))
    new = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert twofactor.authenticator(alice) == old  # still the one that works
    alice_client.post(reverse("two_factor_confirm"), {"code": totp_code(new)})
    assert list(TOTPDevice.objects.filter(user=alice)) == [new]
    new.refresh_from_db()
    assert new.confirmed


def test_setup_remove_and_clinic_requirement_need_post(alice_client):
    for name in ("two_factor_setup", "two_factor_remove", "clinic_two_factor"):
        assert alice_client.get(reverse(name)).status_code == 405
    assert alice_client.post(reverse("two_factor")).status_code == 405


def test_the_overview_says_whether_two_factor_is_on(alice_client, alice):
    assert "<strong>Off.</strong>" in alice_client.get(reverse("two_factor")).text
    enrol(alice)
    page = alice_client.get(reverse("two_factor"))
    assert "<strong>On.</strong>" in page.text and "Backup codes left: <strong>10</strong>" in page.text


# --- Logging in -----------------------------------------------------------------------------------

def test_login_takes_the_password_then_the_code(client, alice):
    device, _ = enrol(alice)
    response = password_step(client, alice, next_url=reverse("members"))
    assert response.status_code == 302 and response["Location"] == reverse("login_code")
    # Not logged in yet: the password alone opens nothing.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302
    assert "login" not in actions(alice)

    page = client.get(reverse("login_code"))
    assert page.status_code == 200 and "Enter your code" in page.text
    wrong = client.post(reverse("login_code"), {"code": "12345"})
    assert wrong.status_code == 200 and "not right" in wrong.text
    assert "_auth_user_id" not in client.session

    done = client.post(reverse("login_code"), {"code": totp_code(device, steps_ahead=1)})
    assert done.status_code == 302 and done["Location"] == reverse("members")
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.session[sessions.SECOND_FACTOR] is True
    assert actions(alice)[-2:] == ["second_factor_failed", "login"]


def test_a_user_without_two_factor_logs_in_with_the_password_alone(client, bob):
    response = password_step(client, bob)
    assert response["Location"] == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_the_code_step_without_the_password_step_sends_to_login(client, alice):
    enrol(alice)
    assert client.get(reverse("login_code"))["Location"] == reverse("login")
    assert client.post(reverse("login_code"), {"code": "123456"})["Location"] == reverse("login")


def test_the_password_step_is_good_for_five_minutes(client, alice):
    device, _ = enrol(alice)
    password_step(client, alice)
    session = client.session
    session[twofactor.PENDING_LOGIN]["at"] = time.time() - twofactor.PENDING_LOGIN_SECONDS - 1
    session.save()
    response = client.post(reverse("login_code"), {"code": totp_code(device, steps_ahead=1)})
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_code_works_once(client, alice):
    device, _ = enrol(alice)
    code = totp_code(device, steps_ahead=1)
    password_step(client, alice)
    assert client.post(reverse("login_code"), {"code": code}).status_code == 302
    other = Client()
    password_step(other, alice)
    replay = other.post(reverse("login_code"), {"code": code})
    assert replay.status_code == 200 and "already been used" in replay.text
    assert "_auth_user_id" not in other.session


def test_a_backup_code_logs_in_once(client, alice):
    _, codes = enrol(alice)
    password_step(client, alice)
    response = client.post(reverse("login_code"), {"code": codes[0].upper()[:4] + " " + codes[0][4:]})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)
    assert "backup_code_used" in actions(alice)
    assert twofactor.backup_codes_left(alice) == 9

    again = Client()
    password_step(again, alice)
    refused = again.post(reverse("login_code"), {"code": codes[0]})
    assert refused.status_code == 200 and "_auth_user_id" not in again.session
    assert again.post(reverse("login_code"), {"code": codes[1]}).status_code == 302


def test_making_new_backup_codes_retires_the_old_ones(alice_client, alice):
    _, old_codes = enrol(alice)
    response = alice_client.post(reverse("two_factor_backup_codes"))
    assert response["Location"] == reverse("two_factor_backup_codes")
    new_codes = re.findall(r"<li>([a-z2-7]{8})</li>", alice_client.get(reverse("two_factor_backup_codes")).text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)) == {
        twofactor.backup_code_digest(code) for code in new_codes}
    assert "backup_codes_issued" in actions(alice)


def test_the_django_admin_login_is_our_two_step_login(client, alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    device, _ = enrol(alice)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=%2Fadmin%2F"
    assert client.post("/admin/login/", {"username": alice.email, "password": PASSWORD}).status_code == 405
    assert "_auth_user_id" not in client.session
    password_step(client, alice, next_url="/admin/")
    done = client.post(reverse("login_code"), {"code": totp_code(device, steps_ahead=1)})
    assert done["Location"] == "/admin/"


# --- Turning it off -------------------------------------------------------------------------------

def test_turning_two_factor_off(alice_client, alice):
    enrol(alice)
    response = alice_client.post(reverse("two_factor_remove"))
    assert response["Location"] == reverse("two_factor")
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticToken.objects.filter(device__user=alice).exists()
    assert "two_factor_removed" in actions(alice)


def test_two_factor_cannot_be_turned_off_where_the_clinic_requires_it(alice_client, alice, clinic_a):
    enrol(alice)
    passed_second_factor(alice_client)
    clinic_a.require_two_factor = True
    clinic_a.save()
    response = alice_client.post(reverse("two_factor_remove"))
    assert response["Location"] == reverse("two_factor")
    assert twofactor.is_enrolled(alice)
    assert "two_factor_removed" not in actions(alice)


# --- The clinic's requirement ---------------------------------------------------------------------

def test_a_clinic_admin_requires_two_factor_and_members_are_led_to_enrol(alice_client, alice, bob, clinic_a):
    refused = alice_client.post(reverse("clinic_two_factor"), {"require_two_factor": "on"})
    assert refused.status_code == 302
    clinic_a.refresh_from_db()
    assert not clinic_a.require_two_factor  # she has no second factor herself yet

    enrol(alice)
    alice_client.post(reverse("clinic_two_factor"), {"require_two_factor": "on"})
    clinic_a.refresh_from_db()
    assert clinic_a.require_two_factor
    assert AuditEvent.objects.filter(action="clinic_two_factor_required", actor=alice).count() == 1

    bob_client = logged_in(bob)
    for url in (reverse("dashboard"), reverse("password_change")):
        response = bob_client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("two_factor"), url
    assert bob_client.get(reverse("two_factor")).status_code == 200
    assert bob_client.post(reverse("two_factor_setup")).status_code == 302
    device = TOTPDevice.objects.get(user=bob)
    assert bob_client.get(reverse("two_factor_confirm")).status_code == 200
    bob_client.post(reverse("two_factor_confirm"), {"code": totp_code(device)})
    assert bob_client.get(reverse("dashboard")).status_code == 200


def test_a_member_may_still_log_out_before_enrolling(bob_client, clinic_a):
    clinic_a.require_two_factor = True
    clinic_a.save()
    assert bob_client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in bob_client.session


def test_a_password_only_session_of_an_enrolled_member_ends_when_the_clinic_requires_two_factor(
        bob_client, bob, clinic_a):
    enrol(bob)
    clinic_a.require_two_factor = True
    clinic_a.save()
    # Not even the two-factor pages: they would let a session that never saw the code change it.
    response = bob_client.get(reverse("two_factor"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in bob_client.session


def test_the_requirement_stays_in_its_clinic(charlie_client, bob_client, charlie, clinic_a, clinic_b):
    enrol(charlie)
    charlie_client.post(reverse("clinic_two_factor"), {"require_two_factor": "on"})
    clinic_b.refresh_from_db()
    clinic_a.refresh_from_db()
    assert clinic_b.require_two_factor and not clinic_a.require_two_factor
    assert bob_client.get(reverse("dashboard")).status_code == 200


def test_the_members_page_shows_who_has_two_factor(alice_client, bob, clinic_a):
    enrol(bob)
    make_user("cara@clinic-a.example", "Cara Cole", clinic_a)
    page = alice_client.get(reverse("members"))
    rows = dict(re.findall(r'data-label="Name">([^<]+)</td>.*?data-testid="two-factor">(?:<span[^>]*>)?(On|Off)',
                           page.text, re.S))
    assert rows == {"Alice Archer": "Off", "Bob Baker": "On", "Cara Cole": "Off"}
    assert "each member's choice" in page.text


def test_a_clinician_cannot_change_the_requirement(bob_client, bob, clinic_a):
    enrol(bob)
    assert bob_client.post(reverse("clinic_two_factor"), {"require_two_factor": "on"}).status_code == 403
    clinic_a.refresh_from_db()
    assert not clinic_a.require_two_factor
    assert "For the whole clinic" not in bob_client.get(reverse("two_factor")).text


def test_the_requirement_can_be_lifted(alice_client, alice, clinic_a):
    enrol(alice)
    passed_second_factor(alice_client)
    clinic_a.require_two_factor = True
    clinic_a.save()
    alice_client.post(reverse("clinic_two_factor"), {})
    clinic_a.refresh_from_db()
    assert not clinic_a.require_two_factor
    assert AuditEvent.objects.filter(action="clinic_two_factor_optional").count() == 1


# --- Changes need a recent confirmation -----------------------------------------------------------

@pytest.mark.parametrize("name", ["two_factor_setup", "two_factor_remove", "two_factor_backup_codes",
                                  "clinic_two_factor"])
def test_two_factor_changes_need_a_recent_confirmation(alice_client, alice, clinic_a, name):
    enrol(alice)
    session = alice_client.session
    session[sessions.CONFIRMED_AT] = time.time() - 3600
    session.save()
    response = alice_client.post(reverse(name), {"require_two_factor": "on"},
                                 headers={"referer": "http://testserver" + reverse("two_factor")})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reauthenticate") + "?next=")
    assert twofactor.is_enrolled(alice) and twofactor.backup_codes_left(alice) == 10
    assert TOTPDevice.objects.filter(user=alice).count() == 1
    clinic_a.refresh_from_db()
    assert not clinic_a.require_two_factor


def test_running_low_on_backup_codes_is_announced_at_login(client, alice):
    _, codes = enrol(alice)
    StaticToken.objects.filter(token__in=[twofactor.backup_code_digest(code) for code in codes[3:]]).delete()
    password_step(client, alice)
    response = client.post(reverse("login_code"), {"code": codes[0]}, follow=True)
    assert "You have 2 backup codes left" in response.text


def test_a_backup_code_works_once_typed_with_spaces_or_capitals(client, alice):
    _, codes = enrol(alice)
    password_step(client, alice)
    typed = " ".join([codes[0][:4].upper(), codes[0][4:]])
    assert client.post(reverse("login_code"), {"code": typed}).status_code == 302
    assert twofactor.backup_code_digest(codes[0]) not in StaticToken.objects.values_list("token", flat=True)
    client.post(reverse("logout"))
    password_step(client, alice)
    again = client.post(reverse("login_code"), {"code": codes[0]})
    assert again.status_code == 200  # used up: refused, the form shown again


def test_the_migration_replaces_plain_backup_codes_by_their_digests(alice):
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice

    migration = importlib.import_module("runphys.migrations.0004_hash_backup_codes")
    device = StaticDevice.objects.create(user=alice, name="Backup codes")
    StaticToken.objects.create(device=device, token="abcd2345")
    migration.hash_plain_codes(apps, None)
    assert list(StaticToken.objects.values_list("token", flat=True)) == [twofactor.backup_code_digest("abcd2345")]
    migration.hash_plain_codes(apps, None)  # digests are left alone
    assert list(StaticToken.objects.values_list("token", flat=True)) == [twofactor.backup_code_digest("abcd2345")]
