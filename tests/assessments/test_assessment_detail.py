"""The assessment page: readings, findings with sources, change since the last comparable
assessment, and progress charts."""

from datetime import date

import pytest
from django.urls import reverse

from runphys.models import AuditEvent
from tests.factories import FOUR, make_assessment, make_athlete

pytestmark = pytest.mark.django_db


def url(assessment) -> str:
    return reverse("assessments:detail", args=[assessment.code])


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_readings_findings_sources_and_chart(request, who, assessment):
    client = request.getfixturevalue(f"{who}_client")
    response = client.get(url(assessment))
    assert response.status_code == 200
    page = response.text
    assert "24°" in page and "38°" in page and "−14°".replace("−", "-") in page
    assert 'data-code="asymmetry_ir"' in page and 'data-code="below_reference_ir"' in page
    assert "Ellison" in page and "IJSPT" in page  # each finding shows the source of its threshold
    assert "first assessment" in page
    assert 'data-testid="chart-ir-prone-passive"' in page and 'data-testid="chart-er-prone-passive"' in page
    assert " style=" not in page and "<script>" not in page
    user = request.getfixturevalue(who)
    assert AuditEvent.objects.filter(action="view", target_id=str(assessment.code), actor=user).count() == 1


def test_change_uses_the_between_rater_mdc_and_never_says_fixed(alice_client, athlete, alice, bob):
    inclinometer = "digital_inclinometer"
    make_assessment(athlete, alice, [
        {"side": "left", "movement": "ir", "degrees": 20, "instrument": inclinometer},
        {"side": "right", "movement": "ir", "degrees": 30, "instrument": inclinometer},
    ], assessed_on=date(2026, 1, 10))
    later = make_assessment(athlete, bob, [
        {"side": "left", "movement": "ir", "degrees": "31.5", "instrument": inclinometer},  # +11.5°, other rater
        {"side": "right", "movement": "ir", "degrees": 43, "instrument": inclinometer},     # +13°
    ], assessed_on=date(2026, 3, 10))
    page = alice_client.get(url(later)).text
    assert ("Left IR 31.5° vs 20° at the previous assessment on 10 Jan 2026 (+11.5°): within measurement error "
            "(MDC95 12° (different clinicians, digital inclinometer))") in page
    assert "Right IR 43° vs 30° at the previous assessment on 10 Jan 2026 (+13°): real change" in page
    assert "range improved" in page
    assert "fixed" not in page.lower()


def test_only_comparable_assessments_are_compared(alice_client, athlete, alice):
    make_assessment(athlete, alice, [{"side": "left", "movement": "ir", "degrees": 10, "position": "seated_90_90"}],
                    assessed_on=date(2026, 1, 10))
    later = make_assessment(athlete, alice, FOUR, assessed_on=date(2026, 2, 10))
    page = alice_client.get(url(later)).text
    assert "nothing to compare" in page and 'data-testid="changes"' not in page


def test_a_refer_flag_is_shown_and_stops_stretching(alice_client, athlete, bob):
    flagged = make_assessment(athlete, bob, [{"side": "left", "movement": "ir", "degrees": 30, "end_feel": "empty"},
                                             ("right", "ir", 32)])
    page = alice_client.get(url(flagged)).text
    assert 'data-code="refer_review"' in page and 'data-testid="no-stretching"' in page


def test_charlie_gets_404(charlie_client, assessment):
    assert charlie_client.get(url(assessment)).status_code == 404
    assert not AuditEvent.objects.filter(action="view", target_type="assessment").exists()


def test_wrong_method(alice_client, assessment):
    assert alice_client.post(url(assessment)).status_code == 405


def test_query_count_does_not_grow_with_history(alice_client, athlete, bob, django_assert_max_num_queries):
    for month in (1, 2):
        make_assessment(athlete, bob, FOUR, assessed_on=date(2026, month, 3))
    latest = make_assessment(athlete, bob, FOUR, assessed_on=date(2026, 3, 3))
    # 9 (the audit event takes the clinic from the user: no query for it), and 1 to 3 for the
    # exercises done since the previous assessment (programs' versions, items, logs)
    with django_assert_max_num_queries(12) as few:
        alice_client.get(url(latest))
    for month in range(4, 12):
        make_assessment(athlete, bob, FOUR, assessed_on=date(2025, month, 3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(url(latest))
    assert response.content.count(b'class="reading"') == 11 * 2 * 2  # 11 visits, two sides, IR and ER charts


def test_another_athlete_in_the_clinic_is_not_in_the_history(alice_client, clinic_a, athlete, bob):
    other = make_athlete(clinic_a, first_name="Other")
    make_assessment(other, bob, FOUR, assessed_on=date(2026, 1, 1))
    mine = make_assessment(athlete, bob, FOUR, assessed_on=date(2026, 2, 1))
    assert alice_client.get(url(mine)).content.count(b'class="reading"') == 4
