"""The metrics engine: set-based SQL that fills the aggregate store (``MetricValue``).

How a recompute works (every statement runs in the database; Python only writes the SQL):

1. **Months.** Python lists the calendar months to compute and passes them as a small ``VALUES``
   list (``months(m_start, m_end, w_end, m_year, m_year_start)``: first day, last day, last day
   of the month 12 months earlier, calendar year and its January). Each dataset is joined to that
   list, so a statement covers the whole month range at once: the number of queries does not
   grow with months or providers. The staff survey is annual: one figure per survey year, at
   January of the year, for every year with a month in the list.
2. **One ``INSERT ... SELECT`` per dataset** (staff, staff by single band, staff months,
   establishment, activity, spend, staff survey) writes every level at once. A ``base`` CTE groups
   the dataset by provider x month x profession x band group (support = bands 2-4, registered =
   5-9) with conditional sums (``SUM(CASE WHEN ... THEN 1 ELSE 0 END)``). Joined to ``anc`` (each
   provider with itself and every organisation above it, from the materialised paths) and to
   two-row "one / all" dimensions, one more ``GROUP BY`` gives each organisation's parts for each
   profession and band group and their totals: parents are sums of their providers' parts
   (numerator, denominator, people), never averages of ratios. The final ``SELECT`` unpivots the
   parts into one row per metric (``UNION ALL``), with the value computed by the same rule as
   :meth:`dashboard.metrics.Metric.value` (no value when the denominator is empty).
   The "staff by single band" dataset is the exception to the "one / all" expansion: its ``base``
   is already for all professions together and one single band (``band_group`` ``band_2`` ...
   ``band_9``), and it expands neither, so its rows never meet the staff dataset's rows of the
   same metric under the store's unique key. It holds the diversity metrics
   (``Metric.by_band``), which the diversity page shows band by band.
3. **Completeness**: ``providers_total`` is the number of open providers below an organisation
   and ``providers_reporting`` the number of them with data in the metric's dataset that month
   (whatever the profession or band group of the row); for the single-band rows, the providers
   with staff in post that month.
   **The current structure** (PRODUCT.md 7, :mod:`councils.structure`): a provider closed by a
   merger counts as its final successor (the end of its chain of successors), so its data, of
   any month, is in the successor's figures and those of the organisations above the successor,
   never in its own or its old place's; it has no figures and is not counted in
   ``providers_total`` (when it reports, its successor reports). ``anc`` maps each
   provider to the open provider it counts as (``unit``, from a ``VALUES`` list of the closed
   ones, :func:`final_successors`) and to every organisation at or above that one.
4. **Incremental runs** (after an import) replace the rows of the touched providers and their
   ancestors for each provider's own touched months, computing each ancestor from all of its
   providers' data for those months; a full run replaces the whole store. Both work over one
   month range (:func:`dashboard.compute_months.months_with_data`): an incremental run first
   drops months the range lost and computes every organisation for months it gained
   (:func:`align_range`), so after any sequence of imports the store is what a full run writes.
   The organisations a provider's data touches are those it counts in
   (:func:`organisations_counting`): for a closed provider, its successor's.

The SQL uses only CTEs, ``VALUES``, ``CASE``, ``COALESCE``, ``SUM``, ``COUNT`` (``DISTINCT``),
``substr``, ``length`` and ``||``, so the same statements run on SQLite and PostgreSQL.

The datasets' definitions (PRODUCT.md 3.1) are in :mod:`dashboard.compute_datasets`.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection

from ahpportal.months import month_start
from councils.models import Organisation

from . import changes, compute_suppression, peers
from . import metrics as catalogue
from .compute_datasets import DATASETS, Dataset, T, affected_by
from .compute_months import _months_cte, range_changes
from .models import MetricValue

FLOAT = "DOUBLE PRECISION"  # a type name SQLite (REAL affinity) and PostgreSQL both accept


# ------------------------------------------------------------------------------- SQL builders
def _value_sql(metric: catalogue.Metric, numerator: str, denominator: str | None) -> str:
    """The SQL twin of :meth:`Metric.value`: no value when the denominator is empty."""
    if metric.is_count or denominator is None:
        return f"CAST({numerator} AS {FLOAT})"
    return (
        f"CASE WHEN {denominator} > 0 THEN "
        f"{metric.scale!r} * CAST({numerator} AS {FLOAT}) / CAST({denominator} AS {FLOAT}) END"
    )


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


INSERT_COLUMNS = (
    "organisation_id, month, metric, profession, band_group, numerator, denominator, value, "
    "people, suppressed, providers_reporting, providers_total, computed_at"
)
THRESHOLD = 5  # dashboard.suppression.THRESHOLD: figures resting on fewer people are hidden


def figures_sql(
    dataset: Dataset,
    months: list[dt.date],
    org_ids: list[int] | None,
    computed_at,
    table: str = T["value"],
    successors: dict[int, int] | None = None,
    dated: str | None = None,
) -> tuple[str, list]:
    """One INSERT ... SELECT writing ``dataset``'s figures for the organisations (None: every
    organisation) and months, each from the providers below it (itself, for a provider).

    ``base`` groups the dataset by provider x month x profession x band group; joined to
    ``anc`` (each provider with itself and every organisation above it) and to the two-row
    "one / all" dimensions, one more GROUP BY gives every level, profession total and band-group
    total at once: parents are sums of the providers' parts, never averages of their ratios.
    A provider closed by a merger counts as its final successor (``unit``): its data is in the
    successor's figures and above, and ``total`` and ``reporting`` count units, so open
    providers only. ``successors`` is :func:`final_successors` (read here when not given).

    ``dated`` names a table of ``(provider_id, unit_id, org_id, month)`` rows instead: each
    month's own structure (:mod:`dashboard.as_it_was`), so ``anc``, ``total`` and the joins
    are by month too, and only those organisations and months (and only the providers the
    rows name) are computed.
    """
    months_cte, params = _months_cte(months)
    target_filter, target_params = "", []
    if org_ids is not None:
        target_filter = f"WHERE t.id IN ({_placeholders(org_ids)})"
        target_params = list(org_ids)
    prof = (
        "CASE WHEN xp.k = 'all' THEN 'all' ELSE b.profession END"
        if dataset.by_profession
        else "b.profession"
    )
    band = (
        "CASE WHEN xb.k = 'all' THEN 'all' ELSE b.band_group END"
        if dataset.by_band_group
        else "b.band_group"
    )
    joins = ""
    if dataset.by_profession:
        joins += " CROSS JOIN (SELECT 'one' AS k UNION ALL SELECT 'all') xp"
    if dataset.by_band_group:
        joins += " CROSS JOIN (SELECT 'one' AS k UNION ALL SELECT 'all') xb"
    sums = ", ".join(f"SUM(b.{c}) AS {c}" for c in dataset.columns)
    selects, select_params = [], []
    for part in dataset.parts:
        metric = catalogue.get(part.metric)
        where = []
        if not metric.by_profession:
            where.append("x.profession = 'all'")
        if not metric.by_band_group:
            where.append("x.band_group = 'all'")
        denominator = part.denominator
        selects.append(
            "SELECT x.org_id AS organisation_id, x.month AS month, %s AS metric, "
            "x.profession AS profession, x.band_group AS band_group, "
            f"CAST({part.numerator} AS {FLOAT}) AS numerator, "
            f"CAST({denominator if denominator else 'NULL'} AS {FLOAT}) AS denominator, "
            f"{_value_sql(metric, part.numerator, denominator)} AS value, "
            f"CAST({part.people if part.people else 'NULL'} AS INTEGER) AS people, "
            + (
                f"COALESCE({part.people} < {THRESHOLD}, FALSE) AS suppressed, "
                if part.people
                else "FALSE AS suppressed, "
            )
            + "x.reporting AS providers_reporting, x.total AS providers_total, "
            "%s AS computed_at FROM figures x" + (" WHERE " + " AND ".join(where) if where else "")
        )
        select_params += [metric.code, computed_at]
    if dated is None:
        units_cte, units_params = _units_cte(
            final_successors() if successors is None else successors
        )
        structure = f"""{units_cte},
anc AS (
    SELECT u.provider_id AS provider_id, u.unit_id AS unit_id, t.id AS org_id
    FROM unit u
    JOIN {T["org"]} up ON up.id = u.unit_id
    JOIN {T["org"]} t ON substr(up.path, 1, length(t.path)) = t.path
    {target_filter}
),
total AS (SELECT org_id, COUNT(DISTINCT unit_id) AS n FROM anc GROUP BY org_id),
base AS ({dataset.base}),"""
        on_anc, on_total = "anc.provider_id = b.provider_id", "total.org_id = e.org_id"
    else:  # each month under its own structure: by month, and only the providers named
        units_params, target_params = [], []
        structure = f"""anc AS (SELECT provider_id, unit_id, org_id, month FROM {dated}),
total AS (SELECT org_id, month, COUNT(DISTINCT unit_id) AS n FROM anc GROUP BY org_id, month),
base AS (
    SELECT * FROM ({dataset.base}) b0 WHERE b0.provider_id IN (SELECT provider_id FROM anc)
),"""
        on_anc = "anc.provider_id = b.provider_id AND anc.month = b.month"
        on_total = "total.org_id = e.org_id AND total.month = e.month"
    sql = f"""
WITH {months_cte},
{structure}
reporting AS (
    SELECT anc.org_id AS org_id, b.month AS month, COUNT(DISTINCT anc.unit_id) AS n
    FROM base b JOIN anc ON {on_anc}
    GROUP BY anc.org_id, b.month
),
expanded AS (
    SELECT anc.org_id AS org_id, b.month AS month, {prof} AS profession,
           {band} AS band_group, {sums}
    FROM base b JOIN anc ON {on_anc}{joins}
    GROUP BY 1, 2, 3, 4
),
figures AS (
    SELECT e.*, r.n AS reporting, total.n AS total
    FROM expanded e
    JOIN reporting r ON r.org_id = e.org_id AND r.month = e.month
    JOIN total ON {on_total}
)
INSERT INTO {table} ({INSERT_COLUMNS})
SELECT * FROM ({" UNION ALL ".join(selects)}) AS rows_in_key_order
ORDER BY 1, 3, 4, 5, 2"""
    # Rows go in in the order of the store's unique key (organisation, metric, profession, band
    # group, month), so its index grows by appending: four times faster than in random order.
    return sql, params + units_params + target_params + select_params


# ------------------------------------------------------------------------------ suppression
def suppression_sql(
    months: list[dt.date] | None, table: str = T["value"], *, pairs=None
) -> tuple[str, list]:
    """The primary rule as one UPDATE, over every organisation in ``months`` (None: every
    month), or in the (metric, month) ``pairs`` (the temporary table of
    :func:`dashboard.compute_suppression.where_settled`): a figure resting on fewer than 5 people
    is hidden from anyone without a role at its organisation (PRODUCT.md 3.4), and no other.
    Figures not resting on people (``people`` empty) are never hidden."""
    narrow, params = compute_suppression.where_settled(months, pairs, table)
    sql = (
        f"UPDATE {table} SET suppressed = COALESCE(people < {THRESHOLD}, FALSE) "
        f"WHERE people IS NOT NULL{narrow} "
        # only the rows whose flag changes: rewriting every row of the months (PostgreSQL
        # writes a new version of each, and of its index entries) cost 0.5 s on a test tree
        f"AND suppressed <> COALESCE(people < {THRESHOLD}, FALSE)"
    )
    return sql, params


def suppress(months: list[dt.date] | None, table: str = T["value"], *, pairs=None):
    """Decide the hidden figures of ``months`` (None: all), or of the (metric, month) ``pairs``
    only (a pair's figures are decided together, so a run over some gives what a full run gives
    for them): the primary rule, then secondary suppression (wherever a total and its parts hold
    exactly one hidden figure, one more, in rounds until a round hides nothing), both decided by
    :func:`dashboard.compute_suppression.secondary` from the figures' people, which writes only
    the flags that change. Returns the number of secondary rounds that hid something."""
    return compute_suppression.secondary(months, table, pairs=pairs)


# ------------------------------------------------------------ incremental runs: write what changed
NEW = "recompute_new"  # temporary: the figures an incremental run computed, before they are merged
OLD = "recompute_old"  # temporary: the store's figures there, before the merge
CHANGED = "recompute_changed"  # temporary: what the merge changes
DATA = (
    "numerator",
    "denominator",
    "value",
    "people",
    "providers_reporting",
    "providers_total",
)  # a figure's computed fields (its flag is decided afterwards)


def _rewritten_sql(org_ids: list[int], months: list[dt.date], alias: str) -> tuple[str, list]:
    """The figures an incremental run recomputes: the organisations' figures of the months, and
    their annual figures of the months' survey years."""
    januaries = sorted({catalogue.annual_month(m.year) for m in months} - set(months))
    sql = (
        f"{alias}.organisation_id IN ({_placeholders(org_ids)}) "
        f"AND ({alias}.month IN ({_placeholders(months)})"
    )
    params = [*org_ids, *months]
    if januaries:
        codes = sorted(catalogue.ANNUAL_CODES)
        sql += (
            f" OR ({alias}.metric IN ({_placeholders(codes)}) "
            f"AND {alias}.month IN ({_placeholders(januaries)}))"
        )
        params += [*codes, *januaries]
    return sql + ")", params


KEY = ("organisation_id", "metric", "profession", "band_group", "month")


def _same_key(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} = {right}.{c}" for c in KEY)


def _same(left: str, right: str, columns) -> str:
    """SQL: the columns are equal, empty counting as equal to empty (on SQLite and PostgreSQL)."""
    return " AND ".join(
        f"({left}.{c} = {right}.{c} OR ({left}.{c} IS NULL AND {right}.{c} IS NULL))"
        for c in columns
    )


def merge(
    org_ids: list[int],
    months: list[dt.date],
    computed_at,
    successors: dict[int, int],
    datasets: tuple[Dataset, ...] = DATASETS,
) -> tuple[int, list[tuple[str, dt.date]]]:
    """An incremental run's write: compute the organisations' figures for the months into a
    temporary table, then change in the store only what differs (update a figure whose fields
    changed, insert a new one, delete one no longer computed). Figures that did not change keep
    their row, id and ``computed_at``: the live table's indexes are written only for the
    changes, not for every figure of every organisation above the providers.

    Then suppression (:func:`suppress`) is decided again only for the (metric, month) pairs where
    a figure resting on people changed its people, appeared or went: secondary suppression of a
    pair depends on nothing but the pair's people and the tree, so the other pairs' flags stand.
    Returns the figures computed and the pairs whose peer distributions (:mod:`dashboard.peers`)
    can have changed: those decided again, and those where a provider's figure for all
    professions and bands changed its value or appeared or went."""
    store, org = T["value"], T["org"]
    region, params = _rewritten_sql(org_ids, months, "v")
    if datasets != DATASETS:  # only these datasets' figures are computed, and compared
        metrics = sorted({part.metric for dataset in datasets for part in dataset.parts})
        region = f"{region} AND v.metric IN ({_placeholders(metrics)})"
        params = [*params, *metrics]
    with connection.cursor() as cursor:
        for table in (NEW, OLD):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TEMP TABLE {NEW} AS SELECT {INSERT_COLUMNS} FROM {store} WHERE 1 = 0"
        )
        for dataset in datasets:
            execute(
                *figures_sql(
                    dataset, months, org_ids, computed_at, table=NEW, successors=successors
                )
            )
        # the store's figures there, read once (one scan by the organisation x month index)
        cursor.execute(
            f"CREATE TEMP TABLE {OLD} AS SELECT v.id, {', '.join(f'v.{c}' for c in KEY)}, "
            f"{', '.join(f'v.{c}' for c in DATA)} FROM {store} v WHERE {region}",
            params,
        )
        for table in (NEW, OLD):
            cursor.execute(f"CREATE INDEX {table}_key ON {table} ({', '.join(KEY)})")
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT COUNT(*) FROM {NEW}")
        (rows,) = cursor.fetchone()

        def pairs(same: list[str], where: str) -> set:
            """Pairs with a figure meeting ``where`` (over ``x``) that is new, gone, or not the
            same in the ``same`` columns now (``n``) as stored (``o``)."""
            new_where, old_where = where.replace("x.", "n."), where.replace("x.", "o.")
            cursor.execute(
                f"SELECT n.metric, n.month FROM {NEW} n LEFT JOIN {OLD} o "
                f"ON {_same_key('o', 'n')} WHERE {new_where} "
                f"AND (o.id IS NULL OR NOT ({_same('n', 'o', same)})) "
                f"UNION SELECT o.metric, o.month FROM {OLD} o WHERE {old_where} "
                f"AND NOT EXISTS (SELECT 1 FROM {NEW} n WHERE {_same_key('n', 'o')} "
                f"AND {new_where})"
            )
            return set(cursor.fetchall())

        to_settle = pairs(["people"], "x.people IS NOT NULL")
        provider_total = (
            "x.profession = 'all' AND x.band_group = 'all' AND x.organisation_id IN "
            f"(SELECT id FROM {org} WHERE level = 'provider')"
        )
        peer_pairs = to_settle | pairs(["value"], provider_total)

        # the changes, each in a small table (analysed, so the store is read by its primary
        # key for each change, never scanned): figures whose fields changed, new ones, gone ones
        cursor.execute(f"DROP TABLE IF EXISTS {CHANGED}")
        fields = [c for c in (*KEY, *DATA, "computed_at") if c != "metric"]
        new_fields = ", ".join(f"n.{c}" for c in fields)
        old_key = ", ".join(f"o.{c}" if c in KEY else "NULL" for c in fields)
        cursor.execute(
            f"CREATE TEMP TABLE {CHANGED} AS SELECT o.id AS old_id, o.metric AS metric, "
            f"{new_fields} FROM {NEW} n JOIN {OLD} o ON {_same_key('o', 'n')} "
            f"WHERE NOT ({_same('n', 'o', DATA)}) "
            f"UNION ALL SELECT NULL, n.metric, {new_fields} FROM {NEW} n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {OLD} o WHERE {_same_key('o', 'n')}) "
            f"UNION ALL SELECT o.id, o.metric, {old_key} FROM {OLD} o "
            f"WHERE NOT EXISTS (SELECT 1 FROM {NEW} n WHERE {_same_key('n', 'o')})"
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {CHANGED}")
        if changes.recording():
            cursor.execute(f"SELECT DISTINCT organisation_id, month, metric FROM {CHANGED}")
            changes.note(cursor.fetchall())
        assignments = ", ".join(f"{c} = c.{c}" for c in (*DATA, "computed_at"))
        cursor.execute(  # changed (an id and a new figure)
            f"UPDATE {store} SET {assignments} FROM {CHANGED} c "
            f"WHERE {store}.id = c.old_id AND c.computed_at IS NOT NULL"
        )
        cursor.execute(  # new (no id)
            f"INSERT INTO {store} ({INSERT_COLUMNS}) SELECT {INSERT_COLUMNS} FROM {NEW} n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {OLD} o WHERE {_same_key('o', 'n')})"
        )
        cursor.execute(  # gone (an id and no new figure)
            f"DELETE FROM {store} WHERE id IN (SELECT old_id FROM {CHANGED} "
            "WHERE old_id IS NOT NULL AND computed_at IS NULL)"
        )
        for table in (NEW, OLD, CHANGED):
            cursor.execute(f"DROP TABLE {table}")
    if to_settle:
        suppress(None, pairs=sorted(to_settle))
    return rows, sorted(peer_pairs)


# ---------------------------------------------------------------------- the current structure
def final_successors() -> dict[int, int]:
    """Each provider closed with a successor -> the provider its data counts as: the end of its
    chain of successors (one query; the chains are short and few)."""
    return ends_of_chains(
        dict(
            Organisation.objects.filter(successor__isnull=False)
            .order_by()
            .values_list("pk", "successor_id")
        )
    )


def ends_of_chains(successor_of: dict[int, int]) -> dict[int, int]:
    """Each key of ``successor_of`` (organisation -> its successor) -> the end of its chain."""
    final = {}
    for pk, successor in successor_of.items():
        seen = {pk}
        while successor in successor_of and successor not in seen:  # a cycle ends where it met
            seen.add(successor)
            successor = successor_of[successor]
        final[pk] = successor
    return final


def _units_cte(final: dict[int, int]) -> tuple[str, list]:
    """``unit(provider_id, unit_id)``: every provider with the provider it counts as (itself,
    or its final successor, from a ``VALUES`` list of the closed ones)."""
    if not final:
        return (
            f"unit AS (SELECT p.id AS provider_id, p.id AS unit_id FROM {T['org']} p "
            "WHERE p.level = 'provider')",
            [],
        )
    rows = ", ".join(["(%s, %s)"] * len(final))
    params = [value for pair in sorted(final.items()) for value in pair]
    return (
        f"successors(provider_id, unit_id) AS (VALUES {rows}),\n"
        f"unit AS (SELECT p.id AS provider_id, COALESCE(s.unit_id, p.id) AS unit_id "
        f"FROM {T['org']} p LEFT JOIN successors s ON s.provider_id = p.id "
        "WHERE p.level = 'provider')",
        params,
    )


def organisations_counting(provider_ids) -> dict[int, set[int]]:
    """For each provider, the organisations whose figures its data is in: the provider it counts
    as (itself, or its final successor) and every organisation above that one (three queries)."""
    final = final_successors()
    unit_of = {int(pk): final.get(int(pk), int(pk)) for pk in provider_ids}
    paths = dict(
        Organisation.objects.filter(pk__in=set(unit_of.values())).values_list("pk", "path")
    )
    needed = {above for path in paths.values() for above in Organisation.paths_above(path)}
    by_path = dict(Organisation.objects.filter(path__in=needed).values_list("path", "pk"))
    return {
        pk: {unit} | {by_path[above] for above in Organisation.paths_above(paths[unit])}
        for pk, unit in unit_of.items()
        if unit in paths
    }


# ------------------------------------------------------------------------------------ running
WORK_MEM = "256MB"  # per sort or hash of the recompute's statements (PostgreSQL)


def tune_session() -> None:
    """PostgreSQL settings for the recompute's transaction only (SET LOCAL): no JIT (compiling
    these one-off statements costs more than it saves) and enough memory for the statements'
    sorts and hashes to stay in memory (at 4 MB the staff statement spills 1.7 GB to disk)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")


def ancestor_ids_of(provider_ids: list[int]) -> list[int]:
    """Ids of every organisation whose figures the given providers' data is in, besides their
    own: the organisations above an open provider; a closed provider's final successor and the
    organisations above it."""
    counting = organisations_counting(provider_ids)
    return sorted({org for pk, orgs in counting.items() for org in orgs - {pk}})


def provider_ids_below(organisation: Organisation) -> list[int]:
    return list(
        organisation.subtree().filter(level="provider").values_list("pk", flat=True).order_by()
    )


def execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount < 0 and connection.vendor == "sqlite":
            # Python's sqlite3 reports no rowcount for a statement starting with WITH
            cursor.execute("SELECT changes()")
            return cursor.fetchone()[0]
        return max(cursor.rowcount, 0)


def align_range(in_range: list[dt.date], computed_at) -> tuple[int, set[dt.date]]:
    """Keep the store to the month range: drop months outside it, compute every organisation for
    the months of the range the store does not hold yet (the range grew). Returns the rows
    written and the months computed in full."""
    added, dropped = range_changes(in_range)
    if dropped:
        changes.note_inexact()
        MetricValue.objects.filter(month__in=dropped).exclude(
            metric__in=catalogue.ANNUAL_CODES
        ).delete()
        # annual figures are kept for every survey year with a month in the range
        years = {catalogue.annual_month(m.year) for m in in_range}
        MetricValue.objects.filter(metric__in=catalogue.ANNUAL_CODES).exclude(
            month__in=years
        ).delete()
        peers.refresh(dropped, computed_at)  # their peer stats go with them
    rows = 0
    if added:
        rows = compute(months=added, provider_ids=None, computed_at=computed_at)
    return rows, set(added)


def compute_by_provider(
    *, provider_months: dict[int, list[dt.date]], computed_at, sources=None
) -> int:
    """Replace the figures each provider's own months can change: the organisations its data is
    in (the provider, or its final successor, and every organisation above), for that
    provider's months (not the union over providers). Months sharing the same organisations are
    computed together, so a national file is a few runs of the seven statements, not one per
    provider. ``sources`` (the upload datasets an import changed; None: all) narrows the
    figures to those computed from them."""
    wanted = {int(pk): {month_start(m) for m in months} for pk, months in provider_months.items()}
    wanted = {pk: months for pk, months in wanted.items() if months}
    if not wanted:
        return 0
    counting = organisations_counting(list(wanted))
    orgs_of_month: dict[dt.date, set[int]] = {}
    for pk, months in wanted.items():
        orgs = counting.get(pk)
        if orgs is None:
            continue
        for month in months:
            orgs_of_month.setdefault(month, set()).update(orgs)
    months_of_orgs: dict[frozenset[int], list[dt.date]] = {}
    for month, orgs in orgs_of_month.items():
        months_of_orgs.setdefault(frozenset(orgs), []).append(month)
    rows = 0
    for orgs, months in sorted(months_of_orgs.items(), key=lambda item: min(item[1])):
        rows += compute(
            months=months,
            provider_ids=None,
            org_ids=sorted(orgs),
            computed_at=computed_at,
            sources=sources,
        )
    return rows


def compute(
    *,
    months: list[dt.date],
    provider_ids: list[int] | None,
    computed_at,
    full: bool = False,
    org_ids: list[int] | None = None,
    sources=None,
) -> int:
    """Replace the stored figures for the providers (None = all) and their ancestors, for the
    months; ``org_ids`` instead names the organisations exactly (their figures are computed from
    all of their providers); ``full`` replaces the whole store. Runs inside the caller's
    transaction (``services.recompute``, which holds the store's write lock). ``sources``
    narrows an incremental run to the figures computed from those upload datasets (the others
    cannot have changed). Returns the rows written."""
    months = sorted({month_start(m) for m in months})
    if not months or provider_ids == [] or org_ids == []:
        return 0
    stamp = computed_at  # for the ORM (peer stats); the SQL takes the adapted value
    if not isinstance(computed_at, str):
        computed_at = connection.ops.adapt_datetimefield_value(computed_at)
    if connection.vendor == "postgresql":
        tune_session()
        if full:
            changes.note_inexact()
            rows = _rebuild_and_swap(months, computed_at)
            peers.refresh(None, stamp)
            return rows
    # Annual figures of the run's years are rewritten too, even when their January is not among
    # the months.
    annual = MetricValue.objects.filter(
        metric__in=catalogue.ANNUAL_CODES,
        month__in=sorted({catalogue.annual_month(m.year) for m in months} - set(months)),
    )
    successors = final_successors()
    if org_ids is None and provider_ids is not None:
        org_ids = sorted(set(provider_ids) | set(ancestor_ids_of(provider_ids)))
    if org_ids is not None and not full:
        # an incremental run: only what changed is written, and suppression and the peer
        # distributions (every provider of a type shares one) are redone only where it can
        # have changed them
        rows, peer_pairs = merge(org_ids, months, computed_at, successors, affected_by(sources))
        peers.refresh(None, stamp, pairs=peer_pairs)
        return rows
    changes.note_inexact()  # every organisation's figures of the months are replaced
    if full:
        MetricValue.objects.all().delete()
    else:
        MetricValue.objects.filter(month__in=months).delete()
        annual.delete()
    rows = 0
    for dataset in DATASETS:
        rows += execute(*figures_sql(dataset, months, None, computed_at, successors=successors))
    # every organisation's figures of these months: hiding one figure can call for hiding
    # another anywhere in the tree, so a month's figures are decided together
    januaries = {catalogue.annual_month(m.year) for m in months}  # the annual figures' months
    suppress(sorted(set(months) | januaries))
    peers.refresh(None if full else sorted(set(months) | januaries), stamp)
    return rows


# ------------------------------------------------------------------ full run on PostgreSQL
NEXT = f"{T['value']}_next"
_INDEX_HEAD = re.compile(r"^(CREATE (?:UNIQUE )?INDEX )\S+( ON (?:ONLY )?)\S+")


def _rebuild_and_swap(months: list[dt.date], computed_at) -> int:
    """The full recompute on PostgreSQL: build the new store as a bare table, index it, then
    swap it in for the old one, all in the caller's transaction.

    Writing millions of rows into the live table costs three to four times the work of
    computing them (every row updates the unique key, two indexes and a deferred foreign-key
    check, and the old rows must be deleted first). Here the rows go into an unindexed copy of
    the table (``CREATE TABLE ... LIKE``, so columns, defaults, identity and CHECK constraints
    are the live table's), then the live table's own keys, indexes and foreign keys, read from
    the catalogue so they stay whatever the migrations made, are built once in bulk (a sort per
    index, one join for the foreign key), and the table is renamed into place with the live
    names. Readers keep reading the old figures until the commit; they wait only for the swap
    itself (a catalogue change, milliseconds). A failure anywhere rolls all of it back and the
    old table stays as it was.
    """
    live = T["value"]
    with connection.cursor() as cursor:
        constraints, indexes, sequence = _schema_of(cursor, live)
        cursor.execute(f"DROP TABLE IF EXISTS {NEXT}")
        cursor.execute(
            f"CREATE TABLE {NEXT} (LIKE {live} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS INCLUDING GENERATED)"
        )
        rows = 0
        successors = final_successors()
        for dataset in DATASETS:
            sql, params = figures_sql(
                dataset, months, None, computed_at, table=NEXT, successors=successors
            )
            cursor.execute(sql, params)
            rows += max(cursor.rowcount, 0)
        with changes.not_recorded():  # a full run's snapshot compares everything
            suppress(None, NEXT)  # the rows were written with the primary rule
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # each index: one sort
        renames = []
        for i, (name, kind, definition) in enumerate(constraints):
            if kind == "f":  # foreign-key names are per table: no clash with the live one
                cursor.execute(f"ALTER TABLE {NEXT} ADD CONSTRAINT {name} {definition}")
                continue
            temporary = f"{NEXT}_c{i}"
            cursor.execute(f"ALTER TABLE {NEXT} ADD CONSTRAINT {temporary} {definition}")
            renames.append(f"ALTER INDEX {temporary} RENAME TO {name}")
        for i, (name, definition) in enumerate(indexes):
            temporary = f"{NEXT}_i{i}"
            cursor.execute(_INDEX_HEAD.sub(rf"\g<1>{temporary}\g<2>{NEXT}", definition))
            renames.append(f"ALTER INDEX {temporary} RENAME TO {name}")
        cursor.execute(f"ANALYZE {NEXT}")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [NEXT])
        next_sequence = cursor.fetchone()[0]
        foreign_keys = ", ".join(name for name, kind, _ in constraints if kind == "f")
        if foreign_keys:  # run the live table's pending deferred checks (rows this transaction
            # wrote before the full run) now: PostgreSQL cannot drop a table with pending ones
            cursor.execute(f"SET CONSTRAINTS {foreign_keys} IMMEDIATE")
            cursor.execute(f"SET CONSTRAINTS {foreign_keys} DEFERRED")
        cursor.execute(f"DROP TABLE {live}")
        cursor.execute(f"ALTER TABLE {NEXT} RENAME TO {live}")
        for statement in renames:
            cursor.execute(statement)
        if next_sequence and sequence:
            cursor.execute(f"ALTER SEQUENCE {next_sequence} RENAME TO {sequence.split('.')[-1]}")
    return rows


def _schema_of(cursor, table: str):
    """The table's constraints other than NOT NULL (name, kind, definition), its indexes that
    back no constraint (name, CREATE INDEX statement) and its id sequence."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x', 'f') "
        "ORDER BY contype = 'f', conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint k WHERE k.conrelid = i.indrelid "
        "  AND k.conindid = i.indexrelid) "
        "ORDER BY c.relname",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return constraints, indexes, cursor.fetchone()[0]
