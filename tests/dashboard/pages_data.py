"""MetricValue rows for page tests, made directly (not by the engine), so that the pages are
tested against known figures."""

import datetime as dt

from django.db import connection
from django.utils import timezone

from dashboard import metrics as catalogue
from dashboard import snapshots
from dashboard.models import MetricValue
from dashboard.series import window

LATEST = dt.date(2025, 6, 1)
COMPUTED_AT = timezone.make_aware(dt.datetime(2025, 7, 2, 3, 15))


def series_value(metric, org_index: int, k: int) -> float:
    """A plausible value for month ``k`` (0 = oldest) that wobbles around a level."""
    base = metric.default_target or {"percent": 40.0, "count": 20.0}.get(metric.unit, 5.0)
    wobble = ((k * 7 + org_index * 3) % 5 - 2) * 0.02
    return round(base * (1 + wobble + org_index * 0.01), 3)


def make_values(
    orgs,
    *,
    metrics=None,
    latest=LATEST,
    months=24,
    profession="all",
    band_group="all",
    people=120,
    computed_at=COMPUTED_AT,
    override=None,
):
    """Rows for every org in ``orgs`` x metric x month. ``override(org, metric, k)`` may return
    a dict of field values to replace the defaults for one row."""
    metrics = metrics or list(catalogue.CATALOGUE)
    rows = []
    for i, org in enumerate(orgs):
        for metric in metrics:
            for k, month in enumerate(window(latest, months)):
                value = series_value(metric, i, k)
                fields = {
                    "numerator": value,
                    "denominator": 100.0 if not metric.is_count else None,
                    "value": value,
                    "people": people,
                    "providers_reporting": 1 if org.level == "provider" else 2,
                    "providers_total": 1 if org.level == "provider" else 3,
                }
                if override:
                    changes = override(org, metric, k) or {}
                    assert set(changes) <= set(FIELDS), f"not a figure's field: {changes}"
                    fields.update(changes)
                # as the recompute marks it (primary suppression; tests of secondary
                # suppression go through the engine)
                fields.setdefault(
                    "suppressed", fields["people"] is not None and fields["people"] < 5
                )
                rows.append(
                    (org.pk, month, metric.code, profession, band_group, computed_at)
                    + tuple(fields[name] for name in FIELDS)
                )
    _insert(rows)
    return rows


FIELDS = snapshots.FIGURE  # a figure's fields besides its key and computed_at
COLUMNS = ("organisation_id", "month", "metric", "profession", "band_group", "computed_at", *FIELDS)


def _insert(rows: list[tuple]) -> None:
    """One INSERT for many rows (executemany): page tests make about 14,000 figures each, and
    building a model instance for every one took half of their setup."""
    fields = [MetricValue._meta.get_field(c.removesuffix("_id")) for c in COLUMNS]
    sql = (
        f"INSERT INTO {MetricValue._meta.db_table} ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    prepared = [
        tuple(
            field.get_db_prep_save(value, connection) if not field.is_relation else value
            for field, value in zip(fields, row, strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def tree_values(tree, **kwargs):
    """Figures for every organisation of the test tree."""
    return make_values(list(tree.values()), **kwargs)
