"""Archiving and restoring by POST: the athlete leaves (and rejoins) the default list; both audited."""

import pytest
from django.urls import reverse

from runphys.models import AuditEvent

pytestmark = pytest.mark.django_db


def archive_url(athlete) -> str:
    return reverse("athlete_archive", args=[athlete.code])


def unarchive_url(athlete) -> str:
    return reverse("athlete_unarchive", args=[athlete.code])


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_clinic_members_archive_and_restore(request, user, athlete):
    client, actor = request.getfixturevalue(f"{user}_client"), request.getfixturevalue(user)
    response = client.post(archive_url(athlete))
    assert response.status_code == 302 and response["Location"] == athlete.get_absolute_url()
    athlete.refresh_from_db()
    assert athlete.is_archived
    assert client.get(reverse("athlete_list")).context["athletes"].__len__() == 0

    client.post(unarchive_url(athlete))
    athlete.refresh_from_db()
    assert not athlete.is_archived
    assert [a.code for a in client.get(reverse("athlete_list")).context["athletes"]] == [athlete.code]
    assert list(AuditEvent.objects.filter(actor=actor, action__in=["archive", "unarchive"])
                .order_by("id").values_list("action", flat=True)) == ["archive", "unarchive"]


def test_the_page_asks_for_confirmation(alice_client, athlete):
    page = alice_client.get(athlete.get_absolute_url()).text
    assert f'action="{archive_url(athlete)}" data-confirm="Archive Hannah Ilves?' in page


@pytest.mark.parametrize("make_url", [archive_url, unarchive_url])
def test_another_clinic_gets_404_and_nothing_changes(charlie_client, athlete, make_url):
    if make_url is unarchive_url:
        athlete.archive()
    before = athlete.archived_at
    assert charlie_client.post(make_url(athlete)).status_code == 404
    athlete.refresh_from_db()
    assert athlete.archived_at == before


@pytest.mark.parametrize("make_url", [archive_url, unarchive_url])
def test_anonymous_is_sent_to_login(client, athlete, make_url):
    response = client.post(make_url(athlete))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    athlete.refresh_from_db()
    assert not athlete.is_archived


@pytest.mark.parametrize("make_url", [archive_url, unarchive_url])
def test_get_is_not_allowed(alice_client, athlete, make_url):
    assert alice_client.get(make_url(athlete)).status_code == 405
    athlete.refresh_from_db()
    assert not athlete.is_archived


def test_an_anonymised_record_stays_archived(alice_client, athlete):
    athlete.anonymise()
    response = alice_client.post(unarchive_url(athlete), follow=True)
    assert "stays archived" in response.text
    athlete.refresh_from_db()
    assert athlete.is_archived
