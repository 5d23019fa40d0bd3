"""What a commit changed, recorded on its run: each provider's share of the file, the providers
and months whose figures can change, and the dashboard's recompute of them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from dashboard import compute_months
from dashboard.services import request_recompute

from .datasets import Dataset
from .import_rows import CHUNK_ROWS, Context, Outcome
from .models import ImportRun, ImportRunProvider, StaffMonth


def _record_provider_counts(run: ImportRun, outcome: Outcome) -> None:
    """Each provider's share of a committed run: one insert of one row per provider."""
    ImportRunProvider.objects.bulk_create(
        [
            ImportRunProvider(
                run=run,
                provider_id=provider_id,
                rows_added=added,
                rows_updated=updated,
                rows_unchanged=unchanged,
            )
            for provider_id, (added, updated, unchanged) in sorted(outcome.by_provider.items())
        ],
        batch_size=1000,
    )


def _touched(spec: Dataset, ctx: Context, outcome: Outcome) -> dict:
    """Which providers and months the commit changed: ``{provider_id: [months]}`` as JSON.

    Exactly the months whose figures can change: a monthly dataset's rows' months; a survey
    year's months; for a staff change, every month in which any version of the person (before
    and after) counts, from the start month to 11 months after the end month (the turnover
    window), and the months of their staff-month records. Staff and survey months are bounded
    by the store's month range (``dashboard.compute_months.months_with_data``, which those
    datasets do not move), the range every recompute writes."""
    by_provider: dict[int, list[dt.date]] = {}
    for provider_id, months in outcome.months.items():
        by_provider[provider_id] = sorted(months)
    if outcome.years or outcome.staff_spans or outcome.staff_changed:
        in_range = compute_months.months_with_data()
        for provider_id, years in outcome.years.items():
            by_provider[provider_id] = [m for m in in_range if m.year in years]
        touched: dict[int, set[dt.date]] = defaultdict(set)
        for provider_id, spans in outcome.staff_spans.items():
            for first, last in set(spans):
                touched[provider_id].update(
                    m for m in in_range if m >= first and (last is None or m <= last)
                )
        changed = [pk for pks in outcome.staff_changed.values() for pk in pks]
        wanted = set(in_range)
        for i in range(0, len(changed), CHUNK_ROWS):
            for provider_id, month in (
                StaffMonth.objects.filter(staff_id__in=changed[i : i + CHUNK_ROWS])
                .values_list("provider_id", "month")
                .distinct()
            ):
                if month in wanted:
                    touched[provider_id].add(month)
        for provider_id, months in touched.items():
            by_provider[provider_id] = sorted(months)
    by_provider = {pk: months for pk, months in by_provider.items() if months}
    codes = {pk: code for code, pk in ctx.providers.items()}
    months = sorted({m for ms in by_provider.values() for m in ms})
    return {
        "dataset": spec.code,
        "provider_ids": sorted(by_provider),
        "provider_codes": sorted(codes.get(pk, str(pk)) for pk in by_provider),
        "months": [m.isoformat() for m in months],
        "by_provider": {
            str(pk): [m.isoformat() for m in ms] for pk, ms in sorted(by_provider.items())
        },
    }


def _request_recompute(touched: dict, user):
    """Ask the dashboard to recompute what changed: one run for the whole file (a national file
    is one run), carrying each provider's own months (``touched["by_provider"]``)."""
    if not touched.get("provider_ids") or not touched.get("months"):
        return None
    return request_recompute(
        provider_ids=[int(pk) for pk, months in touched["by_provider"].items() if months],
        months=[dt.date.fromisoformat(m) for m in touched["months"]],
        provider_months={
            int(pk): [dt.date.fromisoformat(m) for m in months]
            for pk, months in touched["by_provider"].items()
            if months
        },
        requested_by=user if user is not None and user.is_authenticated else None,
        sources=[touched["dataset"]] if touched.get("dataset") else None,
    )
