"""The trail of an import's corrections (PRODUCT.md 7): when a committed file changes rows that
were already stored, which rows, and each changed field's old and new value. Who and when are
the run's own (``committed_by``, ``committed_at``).

On SQLite the import's write pass already compares each chunk with the stored rows in one query
before it writes (``workforce.import_rows._flush``); the rows it is about to update, with their
stored values, are handed to :meth:`Trail.record` there (one call), which writes the chunk's
corrections with one bulk insert in the commit's transaction. On PostgreSQL one ``INSERT ...
SELECT`` joining the staged file with the stored rows writes the same trail
(``workforce.import_copy``). A rolled-back import leaves none.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .models import ImportCorrection, ImportRun

SHOWN_ON_PAGE = 100


def _json(value):
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def _places(model, names) -> dict[str, int]:
    """The decimal places of each decimal field among ``names`` (attnames)."""
    places = {}
    for name in names:
        field = model._meta.get_field(name)
        if field.get_internal_type() == "DecimalField":
            places[name] = field.decimal_places
    return places


def _stored(value, places: int | None):
    """A new value as the database stores it (``1.5`` in a 2-place column is ``1.50``), so that
    the trail reads the same whichever way the import wrote it (``workforce.import_copy``)."""
    if places is not None and isinstance(value, Decimal):
        value = value.quantize(Decimal(1).scaleb(-places))
    return _json(value)


class Trail:
    """Collects one committed run's corrections, a chunk at a time."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.count = 0

    def record(self, spec, changed: list[tuple[dict, tuple]]) -> None:
        """``changed``: (the row's new values, its stored values of ``spec.value_fields``)."""
        if not changed:
            return
        key_fields = [f for f in spec.db_key if f != "provider_id"]
        places = _places(spec.model, spec.value_fields)
        rows = []
        for values, stored in changed:
            old, new = {}, {}
            for name, before in zip(spec.value_fields, stored, strict=True):
                if before != values[name]:
                    old[name] = _json(before)
                    new[name] = _stored(values[name], places.get(name))
            rows.append(
                ImportCorrection(
                    run=self.run,
                    provider_id=values["provider_id"],
                    row_key={name: _json(values[name]) for name in key_fields},
                    old=old,
                    new=new,
                )
            )
        ImportCorrection.objects.bulk_create(rows, batch_size=1000)
        self.count += len(rows)


def for_run_page(run: ImportRun, user) -> tuple[list[dict], int]:
    """The first corrections of ``run`` for providers in ``user``'s import scope, as rows of
    (provider, key, field, old, new), and how many rows the run changed (one query: every
    updated row of a committed run is a correction)."""
    corrections = ImportCorrection.objects.filter(run=run).in_scope(user, "import")
    rows = []
    for correction in corrections.select_related("provider")[:SHOWN_ON_PAGE]:
        key = ", ".join(f"{name} {value}" for name, value in correction.row_key.items())
        for name in correction.new:
            rows.append(
                {
                    "provider": correction.provider.code,
                    "key": key,
                    "field": name,
                    "old": correction.old.get(name),
                    "new": correction.new.get(name),
                }
            )
    return rows, (run.rows_updated if rows else 0)
