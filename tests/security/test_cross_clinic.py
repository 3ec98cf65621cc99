"""Cross-clinic sweep: no URL of RunPhys lets one clinic reach another's records.

Every URL pattern that names something (it has a converter) is listed below with a way to name
one of clinic A's records. Charlie (clinic B's admin, the most a clinic B user can be) requests each
with GET and POST: the answer must be the same as for a record that does not exist (a 404, or a
405 for a method the view never takes), show nothing of clinic A, and change no table. An
anonymous visitor is sent to the login page. Alice (clinic A) must reach the same URL: otherwise
the 404 proves nothing.

A new URL pattern that names a record fails ``test_every_record_url_is_in_the_sweep`` until it is
added to ``RECORD_URLS`` (tests/security/world.py).
"""

import uuid
from collections.abc import Callable

from django.db import transaction
from django.test import Client
from django.urls import reverse

from runphys.models import AuditEvent
from tests.security.pages import forms_on, snapshot
from tests.security.world import RECORD_URLS, World
from tests.url_patterns import project_routes

# URL patterns with a converter that names no clinic's record, and why.
NOT_CLINIC_RECORDS = {
    "password_reset_confirm": "a one-time token for one user, open by design (tests/runphys/test_auth.py)",
    "invitation_accept": "a one-time invitation token, open by design (tests/runphys/test_members.py)",
    "athlete:program": "the athlete's private program link: a token, no login "
                       "(tests/assessments/programs/test_athlete_view.py)",
    "athlete:log": "the athlete's private program link (tests/assessments/programs/test_athlete_view.py)",
    "athlete:comment": "the athlete's private program link (tests/assessments/programs/test_athlete_view.py)",
    "athlete:logo": "the athlete's private program link (tests/assessments/programs/test_athlete_view.py)",
    "athlete:picture": "the athlete's private program link; the item is looked up in the link's own program "
                       "(tests/assessments/programs/test_athlete_view.py)",
}

# Fields some POST-only views read; sent with every POST so that a view that skipped the clinic
# check would act, not stop at a missing field.
POST_EXTRAS = {"role": ["admin"], "active": ["0"], "direction": ["down"]}


def record_route_names() -> set[str]:
    return {route.full_name for route in project_routes() if "<" in route.route}


def test_every_record_url_is_in_the_sweep():
    routes = record_route_names()
    missing = sorted(routes - RECORD_URLS.keys() - NOT_CLINIC_RECORDS.keys())
    assert not missing, (
        f"These URL patterns name a record but the cross-clinic sweep cannot build one for them: "
        f"{', '.join(missing)}. Add each to RECORD_URLS in tests/security/world.py as "
        f'"<url name>": lambda w: {{"<kwarg>": w.<record>.code}}, adding the record to World in '
        f"tests/security/world.py if it is a new kind. A URL that names no clinic's record (a one-time "
        f"token) goes in NOT_CLINIC_RECORDS with the reason."
    )
    stale = sorted((RECORD_URLS.keys() | NOT_CLINIC_RECORDS.keys()) - routes)
    assert not stale, f"No URL pattern has these names any more; remove them from the sweep: {', '.join(stale)}"


def unknown_kwargs(kwargs: dict) -> dict:
    """The same URL naming records that do not exist."""
    return {name: uuid.uuid4() if isinstance(value, uuid.UUID) else value for name, value in kwargs.items()}


def rolled_back(request: Callable):
    with transaction.atomic():
        response = request()
        transaction.set_rollback(True)
    return response


def post_data(client: Client, url: str) -> dict[str, list[str]]:
    """What alice's page would post to ``url`` (its form, unchanged), plus the common extras."""
    data = dict(POST_EXTRAS)
    page = rolled_back(lambda: client.get(url))
    if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
        for form in forms_on(page.text, "http://testserver" + url):
            if form.method == "post" and form.path == url:
                data.update(form.baseline())
    return data


def problems_with(name: str, world: World, alice_client: Client, charlie_client: Client) -> list[str]:
    """What is wrong with one URL pattern's isolation; empty when nothing is."""
    kwargs = RECORD_URLS[name](world)
    url, unknown_url = reverse(name, kwargs=kwargs), reverse(name, kwargs=unknown_kwargs(kwargs))
    problems = []

    # Alice reaches the record, so a 404 for charlie is about the clinic, not a broken URL.
    alice_statuses = [rolled_back(lambda m=method: getattr(alice_client, m)(url)).status_code
                      for method in ("get", "post")]
    if all(status in (404, 405) for status in alice_statuses):
        return [f"{name}: alice herself cannot reach {url} ({alice_statuses}); fix its RECORD_URLS entry"]
    data = post_data(alice_client, url)

    before, audited_before = snapshot(), AuditEvent.objects.filter(clinic=world.clinic).count()
    for method, payload in (("get", {}), ("post", data)):
        response = getattr(charlie_client, method)(url, payload)
        unknown = getattr(charlie_client, method)(unknown_url, payload)
        expected = 405 if alice_statuses[method == "post"] == 405 else 404
        if response.status_code != expected or unknown.status_code != expected:
            problems.append(f"{name}: charlie's {method.upper()} got {response.status_code} for clinic A's record "
                            f"and {unknown.status_code} for a missing one; expected {expected} for both")
        body = response.content.decode(errors="replace")
        problems += [f"{name}: charlie's {method.upper()} shows {private!r}"
                     for private in (world.athlete.last_name, world.exercise.name, world.clinic.name)
                     if private in body]
    if snapshot() != before:
        problems.append(f"{name}: charlie's requests changed clinic A's data")
    if AuditEvent.objects.filter(clinic=world.clinic).count() != audited_before:
        problems.append(f"{name}: charlie's requests were logged as events of clinic A")

    anonymous, before = Client(), snapshot()
    for method in ("get", "post"):
        response = getattr(anonymous, method)(url, data)
        if response.status_code != 302 or not response["Location"].startswith(reverse("login") + "?next="):
            problems.append(f"{name}: an anonymous {method.upper()} got {response.status_code}, not the login page")
    if snapshot() != before:
        problems.append(f"{name}: anonymous requests changed clinic A's data")
    return problems


def test_another_clinic_cannot_reach_clinic_a_s_records(world, alice_client, charlie_client):
    """One world for all URLs (charlie changes nothing, alice's requests are rolled back)."""
    problems = [problem for name in sorted(RECORD_URLS)
                for problem in problems_with(name, world, alice_client, charlie_client)]
    assert not problems, "\n".join(problems)
