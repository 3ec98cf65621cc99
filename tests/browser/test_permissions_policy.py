"""Chromium reads our Permissions-Policy as meant: it parses, and no feature it names is allowed,
on the physio's pages and on the athlete's phone page."""

import pytest
from django.conf import settings

from assessments.programs.models import ProgramLink
from tests.factories import PASSWORD, make_world
from tests.helpers import issue, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# Features Chromium on Linux does not govern but Chrome on a phone does: the only warnings allowed.
PHONE_ONLY = {"bluetooth", "web-share"}


def policy_warnings(page) -> list[str]:
    return [text for text in page.console_messages if "Permissions-Policy" in text]


@pytest.fixture
def watched(page):
    page.console_messages = []
    page.on("console", lambda msg: page.console_messages.append(msg.text))
    return page


def allowed_of_ours(page) -> set[str]:
    allowed = set(page.evaluate("document.featurePolicy.allowedFeatures()"))
    return allowed & set(settings.PERMISSIONS_POLICY)


def test_no_feature_is_allowed_on_the_physio_pages_or_the_athlete_page(watched, clinic_a, alice):
    page = watched
    world = make_world(clinic_a, alice)
    world.athlete.email = "ines@runner.example"
    world.athlete.record_email_consent(True, by=alice)
    world.athlete.save(actor=alice)
    issue(world.program.latest, by=alice)
    link = ProgramLink.objects.get(program=world.program, ended_at__isnull=True)

    page.goto(link.path())
    assert page.get_by_text("Hello Ines").count() == 1
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "fullscreen"):
        assert page.evaluate(f"document.featurePolicy.allowsFeature('{feature}')") is False, feature
    assert allowed_of_ours(page) == set()

    log_in(page, alice.email, PASSWORD)
    page.wait_for_url("**/")
    assert allowed_of_ours(page) == set()
    unrecognised = {text.rsplit("'", 2)[1] for text in policy_warnings(page)}
    assert unrecognised <= PHONE_ONLY, policy_warnings(page)
