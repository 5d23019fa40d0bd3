"""Versioned metric definitions (PRODUCT.md 7): every metric is at version 1 from the first
month; a recorded change is a new version with its month and reason, which the catalogue lists,
charts mark and the API names behind each figure.

The change below is a test's own (no metric's definition has changed yet)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from dashboard import metric_versions
from dashboard import metrics as catalogue
from tests.dashboard.pages_data import tree_values

SICKNESS = catalogue.get("sickness_absence_rate")
CHANGE = metric_versions.Change(
    month=dt.date(2025, 1, 1),
    reason="Default target lowered from 4.5% to 4% by the ICS board",
    before={"default_target": 4.5},
)


@pytest.fixture
def changed(monkeypatch):
    monkeypatch.setattr(metric_versions, "CHANGES", {SICKNESS.code: (CHANGE,)})


def test_every_metric_is_at_version_1_as_the_catalogue_defines_it():
    for metric in catalogue.CATALOGUE:
        (only,) = metric_versions.versions(metric.code)
        assert (only.number, only.effective_month) == (1, None)
        assert (only.numerator, only.denominator, only.direction, only.default_target) == (
            metric.numerator,
            metric.denominator,
            metric.direction,
            metric.default_target,
        )
        assert metric_versions.version_number_at(metric.code, dt.date(2026, 9, 1)) == 1


def test_a_change_is_a_new_version_from_its_month(changed):
    first, second = metric_versions.versions(SICKNESS.code)
    assert (first.number, first.default_target, first.effective_month) == (1, 4.5, None)
    assert (second.number, second.default_target) == (2, SICKNESS.default_target)
    assert (second.effective_month, second.reason) == (CHANGE.month, CHANGE.reason)
    assert metric_versions.version_number_at(SICKNESS.code, dt.date(2024, 12, 1)) == 1
    assert metric_versions.version_number_at(SICKNESS.code, dt.date(2025, 1, 1)) == 2


def test_a_change_may_name_only_what_a_version_records(monkeypatch):
    bad = metric_versions.Change(month=dt.date(2025, 1, 1), reason="x", before={"unit": "count"})
    monkeypatch.setattr(metric_versions, "CHANGES", {SICKNESS.code: (bad,)})
    with pytest.raises(ValueError, match="unit"):
        metric_versions.versions(SICKNESS.code)


def test_the_catalogue_shows_each_metrics_history(changed, tree, client_for):
    page = client_for("viewer", tree["QF7"]).get(reverse("dashboard:catalogue")).content.decode()
    assert "Definition history" in page
    assert f"Version 2, from January 2025: {CHANGE.reason}" in page
    assert "Version 1, from the first month: First definition in the portal" in page


def test_the_chart_and_its_table_mark_the_month_the_definition_changed(changed, tree, client_for):
    tree_values(tree, metrics=[SICKNESS])
    url = reverse("dashboard:metric", kwargs={"code": "QF7", "metric": SICKNESS.code})
    page = client_for("chair", tree["QF7"]).get(url).content.decode()
    svg = re.search(r"<svg[^>]*aria-labelledby=\"xmr-[^>]*>.*?</svg>", page, re.S).group(0)
    label = f"Definition version 2 from January 2025: {CHANGE.reason}"
    assert f'stroke-dasharray="1 4"><title>{label}</title>' in svg
    assert "dotted black line new definition" in svg
    table = page[page.index("by month, ") :]
    row = re.search(r"<th[^>]*>January 2025</th>(.*?)</tr>", table, re.S).group(1)
    assert label in row
    assert "December 2024" in table
    december = re.search(r"<th[^>]*>December 2024</th>(.*?)</tr>", table, re.S).group(1)
    assert "Definition version" not in december
