"""A clinic admin invites, re-roles and deactivates members; invitations work once and expire."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from runphys.models import AuditEvent, Invitation, Membership, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(alice_client, run_tasks, django_capture_on_commit_callbacks):
    """Alice invites Dora; the queued email is delivered (to Django's in-memory outbox)."""

    def send(email: str = "dora@clinic-a.example", role: str = "clinician"):
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_client.post(reverse("member_invite"),
                                         {"email": email, "full_name": "Dora Diaz", "role": role})
        assert response.status_code == 302, response.content
        run_tasks()
        return response

    return send


def accept_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body).group(1)


def test_admin_sees_members_and_their_roles(alice_client, bob):
    response = alice_client.get(reverse("members"))
    assert response.status_code == 200
    assert "Alice Archer" in response.text and "Bob Baker" in response.text
    assert "Charlie" not in response.text


def test_members_page_query_count_does_not_grow_with_members(alice_client, clinic_a, django_assert_max_num_queries):
    from tests.factories import make_user

    for n in range(3):
        make_user(f"m{n}@clinic-a.example", f"Member {n}", clinic_a)
    with django_assert_max_num_queries(4) as few:
        alice_client.get(reverse("members"))
    for n in range(3, 30):
        make_user(f"m{n}@clinic-a.example", f"Member {n}", clinic_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        alice_client.get(reverse("members"))


def test_a_clinician_cannot_manage_members(bob_client, alice):
    assert bob_client.get(reverse("members")).status_code == 403
    assert bob_client.post(reverse("member_invite"), {"email": "x@y.example", "role": "admin"}).status_code == 403
    membership = alice.membership
    assert bob_client.post(reverse("member_active", args=[membership.code]), {"active": "0"}).status_code == 403
    alice.refresh_from_db()
    assert alice.is_active


def test_invitation_is_emailed_and_its_link_works_once(invite, alice_client, client, mailoutbox, clinic_a):
    invite()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["dora@clinic-a.example"]
    assert "Clinic A Physio" in message.subject
    link = accept_link(message)
    alice_client.post(reverse("logout"))

    page = client.get(link)
    assert page.status_code == 200 and "dora@clinic-a.example" in page.text
    response = client.post(link, {"full_name": "Dora Diaz", "password1": "hip-ir-prone-35deg",
                                  "password2": "hip-ir-prone-35deg"})
    assert response.status_code == 302
    dora = User.objects.get(email="dora@clinic-a.example")
    assert dora.clinic == clinic_a and dora.membership.role == Membership.Role.CLINICIAN
    assert dora.check_password("hip-ir-prone-35deg")
    assert client.get(reverse("dashboard")).status_code == 200  # logged in as Dora

    client.post(reverse("logout"))
    again = client.get(link)
    assert again.status_code == 404 and "no longer works" in again.text
    assert client.post(link, {"full_name": "Mallory", "password1": "hip-ir-prone-35deg",
                              "password2": "hip-ir-prone-35deg"}).status_code == 404
    assert User.objects.filter(email="dora@clinic-a.example").count() == 1
    assert AuditEvent.objects.filter(action="invitation_accept").count() == 1


def test_invitation_link_expires(invite, alice_client, client, mailoutbox):
    invite()
    link = accept_link(mailoutbox[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    alice_client.post(reverse("logout"))
    response = client.post(link, {"full_name": "Dora", "password1": "hip-ir-prone-35deg",
                                  "password2": "hip-ir-prone-35deg"})
    assert response.status_code == 404
    assert not User.objects.filter(email="dora@clinic-a.example").exists()


def test_accepting_validates_the_password_and_keeps_the_link_usable(invite, alice_client, client, mailoutbox):
    invite()
    link = accept_link(mailoutbox[0])
    alice_client.post(reverse("logout"))
    response = client.post(link, {"full_name": "Dora", "password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "too short" in response.text
    assert not User.objects.filter(email="dora@clinic-a.example").exists()
    assert Invitation.objects.get().is_pending


def test_invitation_to_an_existing_account_is_refused(alice_client, bob, mailoutbox):
    response = alice_client.post(reverse("member_invite"), {"email": bob.email.upper(), "role": "clinician"})
    assert response.status_code == 200
    assert "already has a RunPhys account" in response.text
    assert mailoutbox == [] and not Invitation.objects.exists()


def test_admin_changes_a_role_and_deactivates_a_member(alice_client, bob):
    membership = bob.membership
    assert alice_client.post(reverse("member_role", args=[membership.code]), {"role": "admin"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN

    assert alice_client.post(reverse("member_active", args=[membership.code]), {"active": "0"}).status_code == 302
    bob.refresh_from_db()
    assert not bob.is_active
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"member_role", "member_deactivate"}


def test_admin_cannot_deactivate_or_demote_themselves(alice_client, alice):
    membership = alice.membership
    alice_client.post(reverse("member_active", args=[membership.code]), {"active": "0"})
    alice_client.post(reverse("member_role", args=[membership.code]), {"role": "clinician"})
    alice.refresh_from_db()
    membership.refresh_from_db()
    assert alice.is_active and membership.role == Membership.Role.ADMIN


def test_member_actions_need_post(alice_client, bob):
    code = bob.membership.code
    assert alice_client.get(reverse("member_role", args=[code])).status_code == 405
    assert alice_client.get(reverse("member_active", args=[code])).status_code == 405


def test_charlie_gets_404_on_clinic_a_member_pages(charlie_client, alice, bob, mailoutbox):
    invitation, _ = Invitation.issue(clinic=alice.clinic, email="eve@clinic-a.example", role="clinician",
                                     invited_by=alice)
    code = bob.membership.code
    assert charlie_client.post(reverse("member_role", args=[code]), {"role": "admin"}).status_code == 404
    assert charlie_client.post(reverse("member_active", args=[code]), {"active": "0"}).status_code == 404
    assert charlie_client.post(reverse("invitation_revoke", args=[invitation.code])).status_code == 404
    bob.refresh_from_db()
    assert bob.is_active and bob.membership.role == Membership.Role.CLINICIAN
    invitation.refresh_from_db()
    assert invitation.is_pending
    members = charlie_client.get(reverse("members"))
    assert "Bob Baker" not in members.text and "eve@clinic-a.example" not in members.text


def test_revoked_invitation_no_longer_works(invite, alice_client, client, mailoutbox):
    invite()
    link = accept_link(mailoutbox[0])
    invitation = Invitation.objects.get()
    assert alice_client.post(reverse("invitation_revoke", args=[invitation.code])).status_code == 302
    alice_client.post(reverse("logout"))
    assert client.get(link).status_code == 404


def test_clinic_settings_saved_by_admin_only(alice_client, bob_client, clinic_a):
    data = {"name": "Clinic A Physio & Rehab", "address": "1 High St", "phone": "1", "email": "a@b.example",
            "paper_size": "letter", "distance_unit": "mi", "handout_footer": "Open Mon-Fri",
            "time_zone": "America/New_York", "program_link_grace_days": "14"}
    assert bob_client.post(reverse("clinic_settings"), data).status_code == 403
    assert alice_client.post(reverse("clinic_settings"), data).status_code == 302
    clinic_a.refresh_from_db()
    assert clinic_a.paper_size == "letter" and clinic_a.name == "Clinic A Physio & Rehab"
    assert (clinic_a.time_zone, clinic_a.program_link_grace_days) == ("America/New_York", 14)


@pytest.mark.parametrize("field, value, error", [
    ("time_zone", "Mars/Olympus", "Choose a time zone by its name"),
    ("program_link_grace_days", "400", "less than or equal to 365"),
    ("name", "Clinic A\r\nBcc: victim@evil.example", "must be on one line"),  # it goes into email headers
])
def test_clinic_settings_refuse_a_bad_time_zone_grace_or_name(alice_client, clinic_a, field, value, error):
    data = {"name": clinic_a.name, "paper_size": "A4", "distance_unit": "km", "time_zone": "Europe/London",
            "program_link_grace_days": "28", field: value}
    response = alice_client.post(reverse("clinic_settings"), data)
    assert response.status_code == 200 and error in response.text
    clinic_a.refresh_from_db()
    assert (clinic_a.name, clinic_a.time_zone, clinic_a.program_link_grace_days) == (
        "Clinic A Physio", "Europe/London", 28)


def test_clinic_logo_must_be_an_image_by_content(alice_client, clinic_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    data = {"name": clinic_a.name, "paper_size": "A4", "distance_unit": "km", "logo": fake}
    response = alice_client.post(reverse("clinic_settings"), data)
    assert response.status_code == 200
    clinic_a.refresh_from_db()
    assert not clinic_a.logo


# --- One address invited by two clinics (#17 item 9): a clear refusal, never a server error ---------

PASSWORD = {"full_name": "Dora Diaz", "password1": "hip-ir-prone-35deg", "password2": "hip-ir-prone-35deg"}


@pytest.fixture
def two_invitations(clinic_a, clinic_b, alice, charlie):
    """Clinic A and clinic B both invite Dora before she accepts either: (link A, link B)."""
    _, token_a = Invitation.issue(clinic=clinic_a, email="dora@clinic-a.example", role="clinician", invited_by=alice)
    _, token_b = Invitation.issue(clinic=clinic_b, email="dora@clinic-a.example", role="admin", invited_by=charlie)
    return Invitation.accept_path(token_a), Invitation.accept_path(token_b)


def assert_refused_and_nothing_changed(response, clinic_a, clinic_b) -> None:
    assert response.status_code == 409
    assert "This address already has a RunPhys account" in response.text
    assert "ask its clinic admin to invite another address" in response.text
    assert User.objects.filter(email__iexact="dora@clinic-a.example").count() == 1
    dora = User.objects.get(email__iexact="dora@clinic-a.example")
    assert [m.clinic for m in dora.memberships.all()] == [clinic_a]
    assert Invitation.objects.get(clinic=clinic_b).is_pending
    assert not AuditEvent.objects.filter(action="invitation_accept", clinic=clinic_b).exists()


def test_a_second_clinics_invitation_to_an_address_with_an_account_is_refused_logged_out(
        two_invitations, client, clinic_a, clinic_b):
    link_a, link_b = two_invitations
    assert client.post(link_a, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    page = client.get(link_b)
    assert_refused_and_nothing_changed(page, clinic_a, clinic_b)
    assert "as a member of" not in page.text  # a visitor is not told where the account is
    assert 'name="password1"' not in page.text
    assert_refused_and_nothing_changed(client.post(link_b, PASSWORD), clinic_a, clinic_b)
    assert client.get(reverse("dashboard")).status_code == 302  # still logged out


def test_a_second_clinics_invitation_opened_by_the_logged_in_owner_is_refused(
        two_invitations, client, clinic_a, clinic_b):
    link_a, link_b = two_invitations
    assert client.post(link_a, PASSWORD).status_code == 302  # accepting logs Dora in
    page = client.get(link_b)
    assert_refused_and_nothing_changed(page, clinic_a, clinic_b)
    assert "as a member of\n    Clinic A Physio" in page.text
    assert_refused_and_nothing_changed(client.post(link_b, PASSWORD), clinic_a, clinic_b)
    dora = User.objects.get(email="dora@clinic-a.example")
    assert dora.check_password("hip-ir-prone-35deg")
    assert client.get(reverse("dashboard")).context["user"] == dora  # still Dora, still in clinic A


def test_the_address_in_another_case_is_the_same_address(clinic_a, clinic_b, charlie, client):
    from tests.factories import make_user

    make_user("Dora@Clinic-A.example", "Dora Diaz", clinic_a)
    _, token = Invitation.issue(clinic=clinic_b, email="DORA@CLINIC-A.EXAMPLE", role="clinician", invited_by=charlie)
    link = Invitation.accept_path(token)
    assert_refused_and_nothing_changed(client.get(link), clinic_a, clinic_b)
    Invitation.objects.filter(clinic=clinic_b).update(email="dORA@clinic-a.EXAMPLE")  # a row stored as typed
    assert_refused_and_nothing_changed(client.post(link, PASSWORD), clinic_a, clinic_b)


def test_an_account_the_lookup_misses_but_the_database_refuses_is_the_same_refusal(
        two_invitations, client, clinic_a, clinic_b):
    """Two acceptances at the same moment: the second one's insert meets the unique address (here an
    account stored with capitals, which the exact lookup does not see but the database's case-folded
    constraint does)."""
    link_a, link_b = two_invitations
    assert client.post(link_a, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    User.objects.filter(email="dora@clinic-a.example").update(email="Dora@Clinic-A.example")
    assert_refused_and_nothing_changed(client.post(link_b, PASSWORD), clinic_a, clinic_b)
