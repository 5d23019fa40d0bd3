"""The API names the version of the definition behind each figure and lists the versions
(PRODUCT.md 7); the change is the test's own, as in tests/dashboard/test_metric_versions.py."""

import datetime as dt

import pytest

from tests.dashboard.test_metric_versions import CHANGE, SICKNESS, changed  # noqa: F401


@pytest.mark.usefixtures("changed")
def test_the_api_lists_versions_and_names_the_version_behind_each_figure(tree, token_for):
    from tests.api.conftest import add_values

    add_values(tree["RP5"], months=[dt.date(2024, 12, 1), dt.date(2025, 1, 1)])
    client = token_for("analyst", tree["QF7"])
    definition = client.get(f"/api/v1/metrics/{SICKNESS.code}/").json()
    assert definition["version"] == 2
    assert [(v["number"], v["effective_month"]) for v in definition["versions"]] == [
        (1, None),
        (2, "2025-01"),
    ]
    assert definition["versions"][1]["reason"] == CHANGE.reason
    rows = client.get("/api/v1/metric-values/", {"organisation": "RP5"}).json()["results"]
    assert {(r["month"], r["definition_version"]) for r in rows} == {
        ("2024-12", 1),
        ("2025-01", 2),
    }
    csv_text = b"".join(
        client.get("/api/v1/metric-values/", {"organisation": "RP5", "format": "csv"})
    ).decode()
    lines = csv_text.splitlines()
    assert lines[0].endswith(",computed_at,definition_version")
    assert sorted(line.rsplit(",", 1)[1] for line in lines[1:]) == ["1", "2"]
