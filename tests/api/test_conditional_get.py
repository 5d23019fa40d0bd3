"""ETag / Last-Modified on lists and details: an unchanged pull is a 304 with no body."""

import datetime as dt

import pytest
from django.utils import timezone

from dashboard import snapshots
from dashboard.models import MetricValue, RecomputeRun


def finished_run(org):
    """A recompute run as the engine leaves it: finished, with its snapshot committed."""
    run = RecomputeRun.objects.create(
        organisation=org, kind="full", status="succeeded", finished_at=timezone.now()
    )
    snapshots.capture()
    return run


def test_metric_values_carry_etag_and_last_modified_and_answer_304(token_for, values):
    finished_run(values["ENG"])
    client = token_for("analyst", values["QF7"])
    first = client.get("/api/v1/metric-values/", {"organisation": "QF7"})
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag and last_modified
    again = client.get("/api/v1/metric-values/", {"organisation": "QF7"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    since = client.get(
        "/api/v1/metric-values/", {"organisation": "QF7"}, HTTP_IF_MODIFIED_SINCE=last_modified
    )
    assert since.status_code == 304


def test_a_recompute_changes_the_etag(token_for, values):
    client = token_for("analyst", values["QF7"])
    etag = client.get("/api/v1/metric-values/")["ETag"]
    assert client.get("/api/v1/metric-values/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    MetricValue.objects.filter(organisation=values["RP5"]).update(
        value=9.9, computed_at=timezone.now()
    )
    finished_run(values["RP5"])  # the engine writes the store only in a recompute run
    response = client.get("/api/v1/metric-values/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_new_values_change_the_etag(token_for, values):
    client = token_for("analyst", values["QF7"])
    etag = client.get("/api/v1/metric-values/")["ETag"]
    from tests.api.conftest import add_values

    add_values(values["RP5"], "vacancy_rate")
    assert client.get("/api/v1/metric-values/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_etag_check_reads_no_rows(token_for, values, django_assert_max_num_queries):
    client = token_for("analyst", values["QF7"])
    etag = client.get("/api/v1/metric-values/")["ETag"]
    # token, memberships, the scope's organisations, the latest run, the store's highest id
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/metric-values/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_a_different_filter_or_format_has_a_different_etag(token_for, values):
    client = token_for("analyst", values["QF7"])
    a = client.get("/api/v1/metric-values/", {"organisation": "QF7"})["ETag"]
    b = client.get("/api/v1/metric-values/", {"organisation": "RP5"})["ETag"]
    c = client.get("/api/v1/metric-values/", {"organisation": "QF7", "format": "csv"})["ETag"]
    assert len({a, b, c}) == 3


def test_lists_and_details_without_timestamps_use_a_content_etag(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    for url in ("/api/v1/organisations/", "/api/v1/organisations/RP5/", "/api/v1/metrics/"):
        etag = client.get(url)["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    before = client.get("/api/v1/organisations/RP5/")["ETag"]
    tree["RP5"].name = "Renamed"
    tree["RP5"].save()
    assert client.get("/api/v1/organisations/RP5/", HTTP_IF_NONE_MATCH=before).status_code == 200


def test_another_user_does_not_share_an_etag(token_for, values):
    a = token_for("analyst", values["QF7"]).get("/api/v1/organisations/")["ETag"]
    b = token_for("analyst", values["Y63"]).get("/api/v1/organisations/")["ETag"]
    assert a != b


# --- every list of organisation data: a cheap 304, on JSON and streamed CSV alike ------------


def _change_target(orgs):
    from dashboard.models import Target

    Target.objects.create(organisation=orgs["QF7"], metric="sickness_absence_rate", value=3.0)


def _record_change_point(orgs):
    import datetime as dt

    from dashboard.models import ChangePoint

    ChangePoint.objects.create(
        organisation=orgs["QF7"],
        metric="sickness_absence_rate",
        month=dt.date(2024, 7, 1),
        reason="New model",
    )


def _first_action(orgs):
    from delivery.models import Action

    return Action.objects.filter(theme__plan__organisation=orgs["QF7"]).order_by("pk").first()


def _add_update(orgs):
    from delivery import services

    services.update_add(
        action=_first_action(orgs),
        quarter="2026/27 Q3",
        status="off_track",
        narrative="Slipped",
        author=None,
    )


def _edit_measure(orgs):
    from delivery import services

    measure = _first_action(orgs).measures.order_by("position").first()
    services.measure_update(measure=measure, text=measure.text + " (revised)")


def _rename_owner(orgs):
    action = _first_action(orgs)
    action.owner_user.full_name = "Ira Lead-Smith"
    action.owner_user.save()


def _add_theme(orgs):
    from delivery import services
    from delivery.models import DeliveryPlan

    services.theme_create(plan=DeliveryPlan.objects.get(organisation=orgs["QF7"]), name="Digital")


def _move_action(orgs):
    from delivery.models import Theme

    action = _first_action(orgs)
    action.theme = Theme.objects.filter(plan=action.theme.plan).exclude(pk=action.theme_id)[0]
    action.save()


def _rename_rp5(orgs):
    orgs["RP5"].name = "Doncaster and Bassetlaw Teaching Hospitals (renamed)"
    orgs["RP5"].save()


def _close_rp5(orgs):
    orgs["RP5"].closed_on = dt.date(2025, 4, 1)
    orgs["RP5"].save()


def _new_run(orgs):
    finished_run(orgs["ENG"])


def _add_rp5_values(orgs):
    from tests.api.conftest import add_values

    add_values(orgs["RP5"], "vacancy_rate")


# (url, query, a change the response must show)
CHANGES = [
    ("/api/v1/organisations/", {}, _rename_rp5),
    ("/api/v1/organisations/", {"within": "QF7-DON"}, _rename_rp5),
    ("/api/v1/organisations/", {}, _close_rp5),
    ("/api/v1/metric-values/", {"organisation": "RP5"}, _new_run),
    ("/api/v1/metric-values/", {"organisation": "RP5"}, _add_rp5_values),
    ("/api/v1/metric-values/", {"organisation": "RP5"}, _rename_rp5),
    ("/api/v1/metric-values/", {"shape": "wide", "month_from": "2025-01"}, _new_run),
    ("/api/v1/spc/", {}, _new_run),
    ("/api/v1/spc/", {"organisation": "QF7"}, _change_target),
    ("/api/v1/spc/", {"organisation": "QF7"}, _record_change_point),
    ("/api/v1/spc/", {}, _rename_rp5),
    ("/api/v1/delivery-plans/", {}, _add_theme),
    ("/api/v1/delivery-plans/", {}, _move_action),
    ("/api/v1/delivery-actions/", {}, _add_update),
    ("/api/v1/delivery-actions/", {}, _edit_measure),
    ("/api/v1/delivery-actions/", {}, _rename_owner),
    ("/api/v1/delivery-actions/", {"organisation": "QF7"}, _move_action),
]


@pytest.fixture
def data(values, make_user):
    """Stored values for the tree and the SYB plan with an owner on its first action."""
    from delivery import services

    services.plan_seed_from_appendix(organisation=values["QF7"])
    action = _first_action(values)
    action.owner_user = make_user("chair", values["QF7"], full_name="Ira Lead")
    action.save()
    return values


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize(
    ("url", "query", "change"), CHANGES, ids=lambda c: getattr(c, "__name__", None)
)
def test_an_unchanged_list_is_a_cheap_304_and_a_change_makes_it_200(
    token_for, data, django_assert_max_num_queries, url, query, change, fmt
):
    client = token_for("analyst", data["QF7"])
    query = {**query, "format": fmt}
    first = client.get(url, query)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag, f"{url} {fmt}: no ETag"
    if fmt == "csv":
        assert first.streaming and b"".join(first.streaming_content)
    # token, memberships, the scope's organisations, a named organisation and the validators:
    # never the rows
    with django_assert_max_num_queries(8):
        again = client.get(url, query, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    change(data)
    after = client.get(url, query, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200, f"{url} still 304 after {change.__name__}"
    assert after["ETag"] != etag


def test_the_metric_catalogue_answers_304_without_reading_a_table(
    token_for, tree, django_assert_max_num_queries
):
    client = token_for("analyst", tree["QF7"])
    for url in ("/api/v1/metrics/", "/api/v1/metrics/turnover_rate/"):
        etag = client.get(url)["ETag"]
        with django_assert_max_num_queries(2):  # the token and its owner's memberships
            assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/api/v1/metrics/nope/", HTTP_IF_NONE_MATCH="*").status_code == 404
    csv = client.get("/api/v1/metrics/", {"format": "csv"})
    assert csv["ETag"] != client.get("/api/v1/metrics/")["ETag"]


def test_an_edit_without_a_timestamp_is_never_hidden_behind_if_modified_since(token_for, data):
    client = token_for("analyst", data["QF7"])
    first = client.get("/api/v1/delivery-actions/")
    assert "Last-Modified" not in first  # no time covers an edited measure
    _edit_measure(data)
    later = "Wed, 01 Jan 2098 00:00:00 GMT"
    assert client.get("/api/v1/delivery-actions/", HTTP_IF_MODIFIED_SINCE=later).status_code == 200
