"""ETag / Last-Modified on lists and details: an unchanged pull is a 304 with no body."""

from django.utils import timezone

from dashboard.models import MetricValue, RecomputeRun


def finished_run(org):
    return RecomputeRun.objects.create(
        organisation=org, kind="full", status="succeeded", finished_at=timezone.now()
    )


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
