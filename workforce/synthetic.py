"""Deterministic synthetic workforce data, written as the CSV files a provider would upload.

``generate(scale=..., seed=..., out_dir=...)`` writes one CSV per dataset (all providers in it),
row by row, so England scale needs the memory of one provider's staff, not of the whole file.
Loading goes through the real import path (``workforce.services.import_file``), never around it.

Every random draw comes from ``random.Random`` instances derived from the seed: the same seed,
scale, staff count and end month give byte-identical files. Shapes follow the seeds and NHS
workforce statistics closely enough to make the Quality Dashboard look like the real thing:

- turnover about 10% a year (permanent and fixed-term leavers, replaced by starters 1-4 months
  later, so vacancies open and close);
- sickness absence about 4-5% of available days, higher in winter;
- vacancy about 8-10% (funded FTE set per provider x profession x band above the starting in-post
  FTE, plus the gap while leavers are replaced);
- ethnic minority share by band as seed 001 reports it (about 20% at band 5, 8% at 8c,
  12% at 8d, 17% at band 9, 13% overall), varying by profession and higher in London;
- small professions really small (therapeutic radiographers, prosthetists and orthotists,
  orthoptists, arts therapists, osteopaths); paramedics mostly at ambulance services;
- an older age profile in podiatry and the small professions; apprentices at bands 2-5, at
  levels 2-3 (band 2), 3 (band 3), 3-5 (band 4) and 6-7 (degree apprentices); each provider's
  share of bands 3-4 qualified at level 3 and above between about 50% and 90%; job-planned
  direct clinical care about 7.5 sessions per FTE at bands 5-7, fewer for senior bands;
- student placements each quarter in proportion to registered headcount, demand usually above
  the places offered, 78-97% of places filled;
- provider sizes varying, and a few providers missing the latest month (and one or two an earlier
  month of activity and spend) so that completeness is visible.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

from ahpportal.months import add_months, months_ending
from workforce.datasets import DATASETS as DATASETS_SPEC
from workforce.synthetic_people import _funded_establishment, _Provider, _provider_sizes
from workforce.synthetic_rows import _provider_rows
from workforce.synthetic_tree import ProviderPlan, england_plan, syb_providers

DATASETS = (
    "staff",
    "staff_month",
    "establishment",
    "activity",
    "spend",
    "staff_survey",
    "placements",
)

# The upload files' columns, in template order: the importer's own definition.
COLUMNS = {name: tuple(spec.column_names) for name, spec in DATASETS_SPEC.items()}

SCALES = {"demo": 3_000, "england": 150_000}  # staff rows (in post, leavers and bank) per scale
MONTHS = 24
DEFAULT_END_MONTH = date(2026, 10, 1)  # exclusive: the data runs to September 2026
HISTORY_MONTHS = (
    12  # simulated before the window so 12-month rolling turnover is right from the start
)


def providers_for(scale: str) -> list[ProviderPlan]:
    if scale == "demo":
        return syb_providers()
    if scale == "england":
        return england_plan()[1]
    raise ValueError(f"Unknown scale {scale!r}: use one of {', '.join(SCALES)}")


# Months -----------------------------------------------------------------------------------------


def window_months(end_month: date = DEFAULT_END_MONTH, count: int = MONTHS) -> list[date]:
    """``count`` calendar months ending with the last complete month before ``end_month``."""
    return months_ending(add_months(end_month, -1), count)


def generate(
    *,
    out_dir: Path | str,
    scale: str = "demo",
    seed: int = 1,
    staff: int | None = None,
    end_month: date = DEFAULT_END_MONTH,
    providers: list[ProviderPlan] | None = None,
) -> dict[str, int]:
    """Write the seven dataset CSVs to ``out_dir``; returns the number of data rows in each.

    ``staff`` is the approximate number of staff rows (people in post, leavers and bank) across all
    providers; it defaults to the scale's (``SCALES``). The files are ``<dataset>.csv``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plans = providers if providers is not None else providers_for(scale)
    staff = staff if staff is not None else SCALES[scale]
    master = random.Random(seed)
    sizes = _provider_sizes(plans, master, staff)
    months = window_months(end_month)
    sim_months = [add_months(months[0], -HISTORY_MONTHS + n) for n in range(HISTORY_MONTHS)]
    sim_months += months

    # A few providers have not sent the latest month; one or two have missed an earlier month of
    # activity and spend. Completeness then reads "N - k of N providers".
    order = [p.code for p in plans]
    late = set(master.sample(order, max(1, round(len(order) * 0.07))))
    gaps = {
        code: master.randrange(len(months) - 1)
        for code in master.sample(order, max(1, round(len(order) * 0.02)))
    }
    provider_seeds = {code: master.getrandbits(64) for code in order}

    counts = dict.fromkeys(DATASETS, 0)
    files = {
        name: (out / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in DATASETS
    }
    try:
        writers = {name: csv.writer(f, lineterminator="\n") for name, f in files.items()}
        for name, writer in writers.items():
            writer.writerow(COLUMNS[name])
        for plan in plans:
            rng = random.Random(provider_seeds[plan.code])
            supply_rng = random.Random(f"{provider_seeds[plan.code]}-supply")
            provider = _Provider(plan, rng, sizes[plan.code], sim_months[0], supply_rng)
            provider.initial_staff()
            funded = _funded_establishment(provider)
            provider.simulate(sim_months)
            missing = {months[-1]} if plan.code in late else set()
            gap = {months[gaps[plan.code]]} if plan.code in gaps else set()
            for dataset, rows in _provider_rows(provider, months, funded, missing, gap):
                writer = writers[dataset]
                for row in rows:
                    writer.writerow(row)
                    counts[dataset] += 1
    finally:
        for f in files.values():
            f.close()
    return counts


# Loading through the real import path -----------------------------------------------------------


class SyntheticImportError(Exception):
    """A generated file did not import cleanly (that is a bug in the generator or the importer)."""


def _parts(path: Path, max_bytes: int) -> list[Path]:
    """The file itself if it is within the upload limit, else parts of it (each with the header).

    A provider would send a big extract in several uploads; the generator does the same, cutting
    on row boundaries, so every part passes the importer's size limit.
    """
    if path.stat().st_size <= max_bytes:
        return [path]
    budget = int(max_bytes * 0.9)
    parts_dir = path.parent / "parts"
    parts_dir.mkdir(exist_ok=True)
    parts: list[Path] = []
    with path.open("rb") as source:
        header = source.readline()
        out = None
        size = 0
        for line in source:
            if out is None or size + len(line) > budget:
                if out is not None:
                    out.close()
                parts.append(parts_dir / f"{path.stem}_part{len(parts) + 1:02d}.csv")
                out = parts[-1].open("wb")
                out.write(header)
                size = len(header)
            out.write(line)
            size += len(line)
        if out is not None:
            out.close()
    return parts


def import_directory(*, directory, organisation, user=None, stdout=None, datasets=DATASETS):
    """Import ``<dataset>.csv`` from ``directory`` with ``workforce.services.import_file``.

    Datasets go in dependency order (staff before staff_month); each file (or part of a file over
    the upload limit) is one committed import run. Returns the runs; raises
    ``SyntheticImportError`` naming the first problems if a file is not imported.
    """
    from django.conf import settings

    from workforce import services

    directory = Path(directory)
    max_bytes = settings.WORKFORCE_MAX_UPLOAD_BYTES
    runs = []
    for dataset in datasets:
        for path in _parts(directory / f"{dataset}.csv", max_bytes):
            with path.open("rb") as fileobj:
                run = services.import_file(
                    dataset=dataset,
                    fileobj=fileobj,
                    file_name=path.name,
                    organisation=organisation,
                    user=user,
                    commit=True,
                )
            runs.append(run)
            if run.status != run.Status.COMMITTED:
                problems = "; ".join(
                    f"row {e.get('row')}, {e.get('column')}: {e.get('reason') or e.get('message')}"
                    for e in (run.errors or [])[:5]
                )
                raise SyntheticImportError(
                    f"{path.name} was not imported ({run.get_status_display()}, "
                    f"{run.error_count} errors): {problems}"
                )
            if stdout is not None:
                stdout.write(
                    f"  {path.name:28} {run.rows_total:>9,} rows: {run.rows_added:,} added, "
                    f"{run.rows_updated:,} updated, {run.rows_unchanged:,} unchanged"
                )
    return runs
