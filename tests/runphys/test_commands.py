import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from runphys.models import Clinic, Membership, User

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_prints_a_login_that_works(client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)
    assert Clinic.objects.count() == 1
    assert User.objects.count() == 2
    assert Membership.objects.filter(role=Membership.Role.ADMIN).count() == 1
    email, password = re.search(r"Demo login: (\S+) / (\S+)", out.getvalue()).groups()
    assert client.login(username=email, password=password)


def test_create_clinic_invites_its_first_admin(client):
    out = StringIO()
    call_command("create_clinic", "--name", "Harbour Physio", "--admin-email", "Lead@Harbour.example",
                 "--admin-name", "Lee Ward", stdout=out)
    assert "Created 1 clinic" in out.getvalue()
    path = re.search(r"http://127\.0\.0\.1:8000(/invitations/\S+/)", out.getvalue()).group(1)
    response = client.post(path, {"full_name": "Lee Ward", "password1": "harbour-lights-2026",
                                  "password2": "harbour-lights-2026"})
    assert response.status_code == 302
    lead = User.objects.get(email="lead@harbour.example")
    assert lead.clinic.name == "Harbour Physio" and lead.is_clinic_admin


def test_create_clinic_refuses_an_existing_account(alice):
    with pytest.raises(CommandError):
        call_command("create_clinic", "--name", "Dup", "--admin-email", alice.email, stdout=StringIO())
    assert not Clinic.objects.filter(name="Dup").exists()
