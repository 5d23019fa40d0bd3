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
    """Many rows at once (COPY on PostgreSQL, executemany on SQLite): page tests make about
    14,000 figures each, and building a model instance for every one took half of their
    setup."""
    table, columns = MetricValue._meta.db_table, ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY takes the Python values as they are: ten times faster than executemany's
            # INSERT a row (0.5 s a test)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # SQLite: the dates and times as Django stores them; numbers, text and flags as they are
        fields = [MetricValue._meta.get_field(c.removesuffix("_id")) for c in COLUMNS]
        timed = [
            i
            for i, field in enumerate(fields)
            if field.get_internal_type() in ("DateField", "DateTimeField")
        ]
        prepared = []
        for row in rows:
            values = list(row)
            for i in timed:
                values[i] = fields[i].get_db_prep_save(values[i], connection)
            prepared.append(values)
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)


def tree_values(tree, **kwargs):
    """Figures for every organisation of the test tree."""
    return make_values(list(tree.values()), **kwargs)
