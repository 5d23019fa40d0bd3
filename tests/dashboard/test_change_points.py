"""Change points (PRODUCT.md 3.3): a chair records one for a metric at their organisation; the
XmR chart's limits are recomputed from it on (NHSRplotthedots' rebase), the chart and its table
show the break and the reason, the API returns it, and removing it keeps the record."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ahpportal.months import month_range
from dashboard import services
from dashboard.models import ChangePoint, MetricValue

MONTHS = month_range(dt.date(2023, 7, 1), dt.date(2025, 6, 1))  # 24 months
BREAK = MONTHS[12]  # July 2024


@pytest.fixture
def step(tree):
    """Sickness absence at QF7 (lower is better): 4.0/4.2 for twelve months, then 8.0/8.2 for
    twelve. One set of limits (mean 6.1, MRbar about 0.55, upper limit about 7.6): every late
    point is above the upper limit, so the latest is special cause of concern. From a change
    point at July 2024: 4.0/4.2 (mean 4.1, MRbar 0.2) then 8.0/8.2 (mean 8.1): common cause."""
    now = timezone.now()
    MetricValue.objects.bulk_create(
        MetricValue(
            organisation=tree["QF7"],
            month=month,
            metric="sickness_absence_rate",
            numerator=value,
            denominator=100.0,
            value=value,
            people=100,
            providers_reporting=1,
            providers_total=1,
            computed_at=now,
        )
        for k, month in enumerate(MONTHS)
        for value in [(4.0 if k < 12 else 8.0) + (k % 2) * 0.2]
    )
    return tree


def _metric_url(org):
    return reverse("dashboard:metric", args=[org.code, "sickness_absence_rate"])


def _url(org):
    return reverse("dashboard:change_points", args=[org.code, "sickness_absence_rate"])


def test_a_chair_records_a_change_point_and_the_chart_breaks_there(step, client_for):
    chair = client_for("chair", step["QF7"])
    before = chair.get(_metric_url(step["QF7"])).content.decode()
    assert "Special cause variation: concerning" in before
    assert "Record or remove a change point" in before

    response = chair.post(
        _url(step["QF7"]), {"month": "2024-07", "reason": "New triage model from July"}
    )
    assert response.status_code == 302
    assert response["Location"] == _metric_url(step["QF7"])
    point = ChangePoint.objects.get()
    assert (point.organisation, point.metric, point.month) == (
        step["QF7"],
        "sickness_absence_rate",
        BREAK,
    )
    assert point.recorded_by == chair.user

    page = chair.get(_metric_url(step["QF7"])).content.decode()
    assert "Common cause variation" in page
    svg = re.search(r"<svg[^>]*aria-labelledby=\"xmr-[^>]*>.*?</svg>", page, re.S).group(0)
    assert "<title>Change point Jul 2024: New triage model from July</title>" in svg
    assert "From the change point in Jul 2024 (New triage model from July): mean 8.1%" in svg
    assert "Mean 4.1%" in svg  # the first segment's mean line
    # the data table says it, in the row of the month
    row = page[page.index("July 2024</th>") :]
    row = row[: row.index("</tr>")]
    assert "New limits from this month: New triage model from July" in row
    assert "From July 2024: New triage model from July" in page


def test_the_form_explains_what_is_wrong(step, client_for):
    chair = client_for("chair", step["QF7"])
    response = chair.post(_url(step["QF7"]), {"month": "", "reason": "  "})
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Choose the month from which the new limits start." in text
    assert "Enter why the process changed." in text
    response = chair.post(_url(step["QF7"]), {"month": "2023-07", "reason": "x"})
    assert "Choose a month shown on the chart, after its first month." in response.content.decode()
    response = chair.post(_url(step["QF7"]), {"month": "2024-07", "reason": "r" * 201})
    assert "The reason must be 200 characters or fewer (it has 201)." in (response.content.decode())
    assert not ChangePoint.objects.exists()
    services.change_point_record(
        organisation=step["QF7"],
        metric="sickness_absence_rate",
        month=BREAK,
        reason="First",
        actor=None,
    )
    response = chair.post(_url(step["QF7"]), {"month": "2024-07", "reason": "Again"})
    assert (
        "There is already a change point in July 2024 for Sickness absence rate %."
        in response.content.decode()
    )
    assert ChangePoint.objects.count() == 1


def test_removing_a_change_point_keeps_the_record(step, client_for):
    chair = client_for("chair", step["QF7"])
    point = services.change_point_record(
        organisation=step["QF7"],
        metric="sickness_absence_rate",
        month=BREAK,
        reason="New triage model",
        actor=chair.user,
    )
    remove = reverse(
        "dashboard:change_point_remove", args=["QF7", "sickness_absence_rate", point.pk]
    )
    assert chair.get(remove).status_code == 405
    response = chair.post(remove)
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.removed_at is not None and point.removed_by == chair.user
    page = chair.get(_url(step["QF7"])).content.decode()
    assert "Removed change points" in page and "New triage model" in page
    metric_page = chair.get(_metric_url(step["QF7"])).content.decode()
    assert "Special cause variation: concerning" in metric_page
    assert "New triage model" not in metric_page
    # removing it twice: it is no longer in force, so there is nothing to remove
    assert chair.post(remove).status_code == 404
    # and the month is free for a new one
    services.change_point_record(
        organisation=step["QF7"],
        metric="sickness_absence_rate",
        month=BREAK,
        reason="Recorded again",
        actor=chair.user,
    )


def test_only_the_organisations_chair_may_record_or_remove(step, client_for):
    point = services.change_point_record(
        organisation=step["QF7"],
        metric="sickness_absence_rate",
        month=BREAK,
        reason="Kept",
        actor=None,
    )
    remove = reverse(
        "dashboard:change_point_remove", args=["QF7", "sickness_absence_rate", point.pk]
    )
    sibling = client_for("chair", step["QWO"])
    assert sibling.get(_url(step["QF7"])).status_code == 404
    assert sibling.post(_url(step["QF7"]), {"month": "2024-08", "reason": "x"}).status_code == 404
    assert sibling.post(remove).status_code == 404
    # the sibling's own URL does not reach QF7's change point either
    assert (
        sibling.post(
            reverse(
                "dashboard:change_point_remove", args=["QWO", "sickness_absence_rate", point.pk]
            )
        ).status_code
        == 404
    )
    for role in ("viewer", "analyst"):
        other = client_for(role, step["QF7"])
        assert other.get(_url(step["QF7"])).status_code == 404
        assert other.post(remove).status_code == 404
        assert "Record or remove a change point" not in (
            other.get(_metric_url(step["QF7"])).content.decode()
        )
    point.refresh_from_db()
    assert point.removed_at is None
    assert ChangePoint.objects.count() == 1


def test_a_change_point_applies_to_its_organisation_only(step, client_for):
    """A change point at QF7 does not break the chart of an organisation below it."""
    services.change_point_record(
        organisation=step["QF7"],
        metric="sickness_absence_rate",
        month=BREAK,
        reason="ICS-wide change",
        actor=None,
    )
    from dashboard import metrics as catalogue
    from dashboard import selectors

    user = client_for("chair", step["QF7"]).user
    months = selectors.window(MONTHS[-1])
    assert selectors.change_points_for(step["QF7"], ["sickness_absence_rate"], months) == {
        "sickness_absence_rate": {12: (BREAK, "ICS-wide change")}
    }
    assert selectors.change_points_for(step["QF7-DON"], ["sickness_absence_rate"], months) == {}
    detail = selectors.metric_detail_for(
        user, step["QF7"], catalogue.get("sickness_absence_rate"), selectors.Filters()
    )
    assert detail.row.result.change_points == (12,)


def test_the_api_returns_change_points_with_the_series(step, make_user):
    from tests.api.conftest import bearer_client

    services.change_point_record(
        organisation=step["QF7"],
        metric="sickness_absence_rate",
        month=BREAK,
        reason="New triage model",
        actor=None,
    )
    from councils.api_tokens import api_token_create

    user = make_user("analyst", step["QF7"])
    _, secret = api_token_create(
        user=user, name="Tests", expires_on=timezone.localdate() + dt.timedelta(days=30)
    )
    client = bearer_client(secret)
    body = client.get(
        "/api/v1/spc/", {"organisation": "QF7", "metric": "sickness_absence_rate"}
    ).json()
    (verdict,) = body["results"]
    assert verdict["change_points"] == [{"month": "2024-07", "reason": "New triage model"}]
    assert verdict["variation"] == "common_cause"
    assert verdict["mean"] == pytest.approx(8.1)
    csv = client.get(
        "/api/v1/spc/",
        {"organisation": "QF7", "metric": "sickness_absence_rate", "format": "csv"},
    )
    assert "2024-07: New triage model" in b"".join(csv.streaming_content).decode()
