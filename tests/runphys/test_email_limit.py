"""The per-clinic hourly allowance of outgoing email: a stolen login cannot make RunPhys a spam relay."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from runphys import emails
from runphys.models import EmailDelivery, Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings) -> int:
    settings.EMAIL_CLINIC_HOURLY_LIMIT = 3
    return 3


def send(clinic, to="athlete@example.com"):
    return emails.queue("password_reset", {"protocol": "https", "domain": "x", "uid": "u", "token": "t"}, to,
                        kind=EmailDelivery.Kind.HANDOUT, clinic=clinic)


def test_a_clinic_is_refused_past_its_hourly_allowance(limit, clinic_a, clinic_b):
    for _ in range(limit):
        send(clinic_a)
    with pytest.raises(emails.EmailLimitReached) as refused:
        send(clinic_a)
    assert "3 emails in the last hour" in str(refused.value)
    assert EmailDelivery.objects.filter(clinic=clinic_a).count() == limit
    # Another clinic, and mail that belongs to no clinic (password resets, throttled on their own), go on.
    send(clinic_b)
    send(None)


def test_the_allowance_is_a_sliding_hour(limit, clinic_a):
    for _ in range(limit):
        send(clinic_a)
    EmailDelivery.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    send(clinic_a)
    assert EmailDelivery.objects.filter(clinic=clinic_a).count() == limit + 1


def test_an_invitation_past_the_allowance_is_refused_with_a_message_and_leaves_nothing(limit, alice_client,
                                                                                     clinic_a):
    for _ in range(limit):
        send(clinic_a)
    response = alice_client.post(reverse("member_invite"), {"email": "dora@clinic-a.example", "role": "clinician"},
                                 follow=True)
    assert response.status_code == 200
    assert "the most RunPhys sends for one clinic" in response.text
    assert not Invitation.objects.exists()
    assert EmailDelivery.objects.count() == limit


def test_the_default_allowance_is_200_and_comes_from_the_environment():
    from tests.helpers import SETUP, run_python

    assert run_python(SETUP + "print(s.EMAIL_CLINIC_HOURLY_LIMIT)").stdout.strip() == "200"
    limited = run_python(SETUP + "print(s.EMAIL_CLINIC_HOURLY_LIMIT)", EMAIL_CLINIC_HOURLY_LIMIT="50")
    assert limited.stdout.strip() == "50"
