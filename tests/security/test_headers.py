"""Response headers on every page: nothing a logged-in user sees is stored by a browser or proxy,
no page can be framed, no address leaks to other sites, no inline script runs, no browser feature
(camera, microphone, location, payment, ...) is allowed; HSTS in production."""

import pytest
from django.test import Client
from django.urls import reverse

from assessments.programs.models import ProgramLink
from tests.helpers import PRODUCTION, run_python
from tests.security.world import RECORD_URLS, World
from tests.url_patterns import project_routes

pytestmark = pytest.mark.django_db


def pages(world: World) -> list[tuple[str, str]]:
    urls = []
    for route in project_routes():
        if not route.login_required or route.full_name == "logout":
            continue
        if "<" not in route.route:
            urls.append((route.full_name, reverse(route.full_name)))
        elif route.full_name in RECORD_URLS:
            urls.append((route.full_name, reverse(route.full_name, kwargs=RECORD_URLS[route.full_name](world))))
    return urls


def assert_no_feature_allowed(response, where) -> None:
    policy = dict(part.split("=") for part in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "bluetooth",
                    "display-capture", "fullscreen", "clipboard-read", "publickey-credentials-get"):
        assert policy.get(feature) == "()", (where, feature)
    assert set(policy.values()) == {"()"}, where  # nothing is allowed, not even for our own origin


def assert_protected(response, where) -> None:
    assert_no_feature_allowed(response, where)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, where


def test_every_page_a_member_sees_is_not_stored_and_cannot_be_framed(world, alice_client):
    seen = 0
    for name, url in pages(world):
        response = alice_client.get(url)
        if response.status_code == 405:
            continue
        assert_protected(response, name)
        seen += 1
    assert seen >= 30
    export = alice_client.post(reverse("athlete_export", args=[world.athlete.code]))
    assert export.status_code == 200
    assert_protected(export, "athlete_export")
    pdf = alice_client.get(reverse("programs:handout_pdf", args=[world.draft.code]))
    assert pdf.status_code == 200
    assert_protected(pdf, "programs:handout_pdf")


def test_responses_nobody_logged_in_for_forbid_every_browser_feature_too(world, client):
    """The athlete's own page, the login page, a 404, a static file and a refused POST."""
    link = ProgramLink.objects.get(program=world.issued_program, ended_at__isnull=True)
    athlete_page = client.get(link.path())
    assert athlete_page.status_code == 200 and "Hello Hannah" in athlete_page.text
    login = client.get(reverse("login"))
    missing = client.get("/p/no-such-link/")
    stylesheet = client.get("/static/css/athlete.css")
    assert stylesheet.status_code == 200 and stylesheet["Content-Type"].startswith("text/css")
    refused = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert refused.status_code == 403
    for where, response in [("athlete page", athlete_page), ("login", login), ("404", missing),
                            ("static", stylesheet), ("csrf 403", refused)]:
        assert_no_feature_allowed(response, where)


def test_the_login_page_is_not_stored_either(client):
    response = client.get(reverse("login"))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_production_sends_hsts_and_redirects_to_https():
    # A page that renders no template: the manifest of static files exists only after collectstatic.
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/accounts/login/code/', secure=True, headers={'host': 'physio.example'}); "
        "print(r.status_code, r['Strict-Transport-Security']); "
        "r = Client().get('/accounts/login/code/', headers={'host': 'physio.example'}); "
        "print(r.status_code, r['Location'])"
    )
    result = run_python(code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first == "302 max-age=31536000; includeSubDomains; preload"
    assert second == "301 https://physio.example/accounts/login/code/"
