"""?format=csv (or Accept: text/csv) streams every matching row of any list as CSV."""

import csv
import io

from django.http import StreamingHttpResponse

from dashboard.models import MetricValueVersion
from tests.api.conftest import MONTHS, add_values


def read_csv(response):
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_metric_values_stream_as_csv_without_pagination(token_for, values):
    client = token_for("analyst", values["QF7"])
    response = client.get("/api/v1/metric-values/", {"format": "csv", "page_size": 5})
    assert isinstance(response, StreamingHttpResponse)
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 6 * 2 * len(MONTHS)  # every row, not a page of 5
    first = rows[0]
    # a metric value's id is its figure's version (README, Snapshots): the same as the
    # store's id only while the two tables' sequences agree (SQLite, a fresh database)
    stored = MetricValueVersion.objects.get(pk=first["id"])
    assert first["organisation"] == stored.organisation.code
    assert float(first["value"]) == stored.value
    assert first["suppressed"] == "N"


def test_accept_text_csv_also_gives_csv(token_for, values):
    client = token_for("analyst", values["QF7"])
    response = client.get("/api/v1/organisations/", HTTP_ACCEPT="text/csv")
    rows = read_csv(response)
    assert [r["code"] for r in rows] == ["QF7", "QF7-DON", "RP5", "RXE", "QF7-SHE", "RHQ"]
    assert rows[0]["parent"] == "Y63"


def test_wide_csv_has_a_column_per_metric(token_for, values):
    client = token_for("analyst", values["QF7"])
    response = client.get(
        "/api/v1/metric-values/",
        {
            "format": "csv",
            "shape": "wide",
            "organisation": "QF7",
            "metric": "appraisal_rate,sickness_absence_rate",
        },
    )
    rows = read_csv(response)
    assert list(rows[0]) == [
        "organisation",
        "organisation_name",
        "level",
        "month",
        "profession",
        "band_group",
        "appraisal_rate",
        "sickness_absence_rate",
        "suppressed",
    ]
    assert len(rows) == len(MONTHS)
    assert (rows[0]["month"], rows[0]["appraisal_rate"]) == ("2024-01", "85.0")


def test_spc_and_definitions_come_as_csv_too(token_for, values):
    client = token_for("analyst", values["QF7"])
    spc = read_csv(client.get("/api/v1/spc/", {"format": "csv", "organisation": "QF7"}))
    assert {r["metric"] for r in spc} == {"sickness_absence_rate", "appraisal_rate"}
    definitions = read_csv(client.get("/api/v1/metrics/", {"format": "csv"}))
    assert definitions[0]["code"] == "fft_positive_rate"


def test_cells_that_look_like_formulas_are_neutralised(token_for, tree):
    tree["QF7"].name = '=HYPERLINK("http://evil")'
    tree["QF7"].save()
    client = token_for("analyst", tree["QF7"])
    rows = read_csv(client.get("/api/v1/organisations/", {"format": "csv"}))
    assert rows[0]["name"].startswith("'=")


def test_csv_streams_in_chunks(token_for, tree):
    for org in (tree["RP5"], tree["RXE"], tree["RHQ"]):
        for metric in ("sickness_absence_rate", "appraisal_rate", "vacancy_rate"):
            add_values(org, metric)
    client = token_for("analyst", tree["QF7"])
    response = client.get("/api/v1/metric-values/", {"format": "csv"})
    chunks = list(response.streaming_content)
    assert len(chunks) > 1  # a header and rows a few hundred at a time, never the whole file
    assert sum(c.count(b"\r\n") for c in chunks) == 1 + 9 * len(MONTHS)
