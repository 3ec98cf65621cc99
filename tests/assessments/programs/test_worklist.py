"""The dashboard's worklist: drafts to finish, reviews due, emails that failed; another clinic's
rows never appear; a clinician sees their own, an admin the clinic's; fixed queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.programs.models import HandoutDelivery
from runphys.models import EmailDelivery
from tests.factories import make_athlete, make_library, make_program
from tests.helpers import issue

pytestmark = pytest.mark.django_db


def dashboard(client) -> str:
    return client.get(reverse("dashboard")).text


def section(page: str, name: str) -> str:
    start = page.index(f'data-testid="worklist-{name}"')
    return page[start:page.index("</div>\n  </div>", start)]


@pytest.fixture
def library():
    return make_library()


def failed_email(version, by, status=EmailDelivery.Status.FAILED,
                 last_error="The mail server answered 550: no such mailbox"):
    email = EmailDelivery.objects.create(kind=EmailDelivery.Kind.HANDOUT, clinic=version.program.athlete.clinic,
                                         requested_by=by, recipient="x@example.com", subject="s", message_id="<m@x>",
                                         status=status, failed_at=timezone.now(), last_error=last_error)
    return HandoutDelivery.objects.create(version=version, email=email)


def test_an_email_that_may_have_been_sent_is_listed_for_the_physio_to_check(bob_client, clinic_a, bob, library):
    program = make_program(make_athlete(clinic_a, first_name="Uma", last_name="Unsure"), bob,
                           [library["Prone hip internal rotation"]])
    issue(program.latest, by=bob)
    failed_email(program.latest, bob, EmailDelivery.Status.UNSURE, "so it may have arrived. Ask the recipient")
    listed = section(dashboard(bob_client), "failed")
    assert "Uma Unsure" in listed and "may have arrived" in listed
    status = bob_client.get(program.get_absolute_url()).text
    assert "text-bg-warning" in status and "May have been sent" in status


def test_each_bucket_lists_its_rows_with_a_link(bob_client, clinic_a, bob, library):
    drafting = make_program(make_athlete(clinic_a, first_name="Dora", last_name="Draft"), bob,
                            [library["Prone hip internal rotation"]], title="Draft plan")
    due = make_program(make_athlete(clinic_a, first_name="Rhea", last_name="Review"), bob,
                       [library["Prone hip internal rotation"]], title="Due plan")
    due.versions.update(review_on=timezone.localdate() - timedelta(days=2),
                        starts_on=timezone.localdate() - timedelta(days=30))
    issue(due.latest, by=bob)
    later = make_program(make_athlete(clinic_a, first_name="Lars", last_name="Later"), bob,
                         [library["Prone hip internal rotation"]])
    later.versions.update(review_on=timezone.localdate() + timedelta(days=40))
    issue(later.latest, by=bob)
    failed_email(due.latest, bob)
    page = dashboard(bob_client)
    assert "Dora Draft" in section(page, "drafts") and drafting.get_absolute_url() in section(page, "drafts")
    assert "Rhea Review" in section(page, "reviews") and "review was due" in section(page, "reviews")
    assert "Lars Later" not in section(page, "reviews")
    assert "Rhea Review" in section(page, "failed") and "no such mailbox" in section(page, "failed")
    assert 'data-testid="drafts-count">1<' in page and 'data-testid="reviews-count">1<' in page
    assert 'data-testid="failed-count">1<' in page


def test_a_clinician_sees_their_own_an_admin_the_clinics_and_no_one_another_clinics(
        alice_client, bob_client, charlie_client, clinic_a, alice, bob, library):
    make_program(make_athlete(clinic_a, first_name="Alma"), alice, [library["Prone hip internal rotation"]],
                 title="Alice's draft")
    make_program(make_athlete(clinic_a, first_name="Bert"), bob, [library["Prone hip internal rotation"]],
                 title="Bob's draft")
    assert "Alice&#x27;s draft" not in section(dashboard(bob_client), "drafts")
    admin = section(dashboard(alice_client), "drafts")
    assert "Alice&#x27;s draft" in admin and "Bob&#x27;s draft" in admin
    other = dashboard(charlie_client)
    assert "Alma" not in other and "Bert" not in other


def test_the_worklist_costs_the_same_queries_for_one_row_or_many(alice_client, clinic_a, alice, library):
    def queries() -> int:
        # A first request renews the session if a minute has passed while rows were being made
        # (issuing renders PDFs, slow on a loaded machine): the renewal's write is not the worklist's.
        alice_client.get(reverse("dashboard"))
        with CaptureQueriesContext(connection) as captured:
            alice_client.get(reverse("dashboard"))
        return len(captured)

    program = make_program(make_athlete(clinic_a, first_name="One"), alice, [library["Prone hip internal rotation"]])
    issue(program.latest, by=alice)
    failed_email(program.latest, alice)
    make_program(make_athlete(clinic_a, first_name="Two"), alice, [library["Prone hip internal rotation"]])
    few = queries()

    def add(count: int) -> None:
        for n in range(count):
            athlete = make_athlete(clinic_a, first_name=f"Many{n}")
            make_program(athlete, alice, [library["Prone hip internal rotation"]])
            issued = make_program(athlete, alice, [library["Prone hip internal rotation"]])
            issued.versions.update(review_on=timezone.localdate())
            issue(issued.latest, by=alice)
            failed_email(issued.latest, alice)

    add(10)
    many = queries()
    assert many <= few + 3  # a full bucket also counts its rows
    add(10)
    assert queries() == many
