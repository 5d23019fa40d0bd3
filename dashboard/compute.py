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
3. **Completeness**: ``providers_total`` is the number of providers below an organisation and
   ``providers_reporting`` the number of them with data in the metric's dataset that month
   (whatever the profession or band group of the row); for the single-band rows, the providers
   with staff in post that month.
4. **Incremental runs** (after an import) replace the rows of the touched providers and their
   ancestors for each provider's own touched months, computing each ancestor from all of its
   providers' data for those months; a full run replaces the whole store. Both work over one
   month range (:func:`months_with_data`): an incremental run first drops months the range lost
   and computes every organisation for months it gained (:func:`align_range`), so after any
   sequence of imports the store is what a full run writes.

The SQL uses only CTEs, ``VALUES``, ``CASE``, ``SUM``, ``COUNT``, ``substr``, ``length`` and ``||``,
so the same statements run on SQLite and PostgreSQL.

Definitions (PRODUCT.md 3.1):

* In post at month end: ``start_date <= last day`` and (``end_date`` empty or ``> last day``).
  Bank staff are excluded from every staff-based metric (in post, turnover, vacancy, counts) and
  from the appraisal rate (in post); sickness and mandatory training are about everyone with a
  staff-month record, bank included.
* Turnover: permanent and fixed-term leavers with ``end_date`` in the 12 months to month end
  (after the last day of the month 12 months earlier, up to the last day of this month) over the
  mean of in-post headcount at the start (the last day 12 months earlier) and the end. Someone who
  starts and leaves within those 12 months is a leaver but in neither headcount.
* Vacancy: per provider x profession x band, ``max(funded_fte - in-post FTE, 0)``, summed, over
  the summed funded FTE.
* Disability: declared is in post with ``disability`` yes or no ("not stated" is undeclared); the
  declared share is over everyone in post, the disabled share (yes) over those who declared.
* ``people`` (for small-number suppression): in-post headcount for staff-based metrics (of the
  band, for a single band); those who declared, for the disabled share; staff with a staff-month
  record (with a training value, for training) for staff-month metrics; the count itself for
  count metrics; the in-post headcount of the matched bands for vacancy and of bands 5-9 for
  contacts per FTE; patients or responses (the denominator) for the activity quality rates;
  survey respondents for engagement; empty (not people-based) for contacts per clinical hour and
  for bank and agency spend.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max, Min

from ahpportal.months import add_months, month_end, month_range, month_start
from councils.models import Organisation
from workforce.datasets import DATASETS as UPLOADS
from workforce.models import (
    SENIOR_BANDS,
    SUPPORT_BANDS,
    Activity,
    Establishment,
    Profession,
    Spend,
    Staff,
    StaffMonth,
    StaffSurvey,
)

from . import metrics as catalogue
from .models import MetricValue

FLOAT = "DOUBLE PRECISION"  # a type name SQLite (REAL affinity) and PostgreSQL both accept


# --------------------------------------------------------------------------------------- months
def months_with_data() -> list[dt.date]:
    """The store's month range: every month from the first to the last month found in the
    monthly datasets (4 queries); the 24 months to this month when there are none.

    This is the one definition of which months have figures. The full recompute writes exactly
    these months, an incremental run keeps the store to them (:func:`align_range`) and an import
    bounds the months a staff change touches by them, so the store never depends on the order
    in which files were imported. Staff records and the staff survey do not move the range (a
    person in post since 1998 gives no figures for 1998); their figures fill it."""
    firsts, lasts = [], []
    for model in (StaffMonth, Establishment, Activity, Spend):
        bounds = model.objects.aggregate(first=Min("month"), last=Max("month"))
        if bounds["first"]:
            firsts.append(bounds["first"])
            lasts.append(bounds["last"])
    if not firsts:
        this_month = month_start(dt.date.today())
        return month_range(add_months(this_month, -23), this_month)
    return month_range(min(firsts), max(lasts))


def _months_cte(months: list[dt.date]) -> tuple[str, list]:
    rows, params = [], []
    for month in months:
        start = month_start(month)
        rows.append("(%s, %s, %s, %s, %s)")
        params += [
            start,
            month_end(start),
            month_end(add_months(start, -12)),
            start.year,
            catalogue.annual_month(start.year),
        ]
    return (
        "months(m_start, m_end, w_end, m_year, m_year_start) AS (VALUES " + ", ".join(rows) + ")",
        params,
    )


# ------------------------------------------------------------------------------------- datasets
@dataclass(frozen=True)
class Part:
    """One metric's parts as SQL over the summed columns of its dataset."""

    metric: str
    numerator: str
    denominator: str | None
    people: str | None


@dataclass(frozen=True)
class Dataset:
    name: str
    base: str  # SQL of the ``base`` CTE: provider x month x profession x band group
    columns: tuple[str, ...]  # the summed columns of ``base`` after the four keys
    by_profession: bool
    by_band_group: bool
    parts: tuple[Part, ...]


def _in(sql_bool: str, then: str = "1") -> str:
    return f"SUM(CASE WHEN {sql_bool} THEN {then} ELSE 0 END)"


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


SUPPORT = _quoted(SUPPORT_BANDS)
SENIOR = _quoted(SENIOR_BANDS)
T = {
    "staff": Staff._meta.db_table,
    "staff_month": StaffMonth._meta.db_table,
    "establishment": Establishment._meta.db_table,
    "activity": Activity._meta.db_table,
    "spend": Spend._meta.db_table,
    "survey": StaffSurvey._meta.db_table,
    "profession": Profession._meta.db_table,
    "org": Organisation._meta.db_table,
    "value": MetricValue._meta.db_table,
}
BAND_GROUP = f"CASE WHEN {{alias}}.band IN ({SUPPORT}) THEN 'support' ELSE 'registered' END"
IN_POST = "(s.end_date IS NULL OR s.end_date > m.m_end)"
DECLARED = f"{IN_POST} AND s.disability IN ('yes', 'no')"
DISABLED = f"{IN_POST} AND s.disability = 'yes'"

# In-post staff (not bank) per provider x month x profession x band: vacancy and contacts per FTE.
IN_POST_BY_BAND = f"""
    SELECT s.provider_id, m.m_start AS month, s.profession_id, s.band,
           SUM(s.fte) AS fte, COUNT(*) AS hc
    FROM {T["staff"]} s
    JOIN months m ON s.start_date <= m.m_end AND {IN_POST}
    WHERE s.contract <> 'bank'
    GROUP BY s.provider_id, m.m_start, s.profession_id, s.band"""

STAFF = Dataset(
    name="staff",
    base=f"""
    SELECT s.provider_id AS provider_id, m.m_start AS month, p.code AS profession,
           {BAND_GROUP.format(alias="s")} AS band_group,
           {_in(IN_POST)} AS hc,
           {_in(IN_POST, "s.fte")} AS fte,
           {_in(f"{IN_POST} AND s.band IN ({SUPPORT})", "s.fte")} AS fte_support,
           {_in(f"{IN_POST} AND s.job_plan")} AS job_plan,
           {_in(f"{IN_POST} AND s.e_rostered")} AS e_rostered,
           {_in(f"{IN_POST} AND s.apprentice")} AS apprentices,
           {_in(f"{IN_POST} AND s.advanced_practice")} AS advanced,
           {_in(f"{IN_POST} AND s.ethnic_group = 'ethnic_minority'")} AS em,
           {_in(f"{IN_POST} AND s.ethnic_group <> 'not_stated'")} AS em_known,
           {_in(DECLARED)} AS declared,
           {_in(DISABLED)} AS disabled,
           {_in(f"{IN_POST} AND s.band IN ({SENIOR})")} AS hc_senior,
           {_in(f"{IN_POST} AND s.band IN ({SENIOR}) AND s.ethnic_group = 'ethnic_minority'")}
               AS em_senior,
           {_in(f"{IN_POST} AND s.band IN ({SENIOR}) AND s.ethnic_group <> 'not_stated'")}
               AS em_known_senior,
           {_in("s.start_date <= m.w_end")} AS hc_window_start,
           {_in("s.end_date <= m.m_end")} AS leavers,
           {_in("s.start_date > m.w_end AND s.return_to_practice")} AS rtp_starters
    FROM {T["staff"]} s
    JOIN months m ON s.start_date <= m.m_end AND (s.end_date IS NULL OR s.end_date > m.w_end)
    JOIN {T["profession"]} p ON p.id = s.profession_id
    WHERE s.contract <> 'bank'
    GROUP BY 1, 2, 3, 4""",
    columns=(
        "hc",
        "fte",
        "fte_support",
        "job_plan",
        "e_rostered",
        "apprentices",
        "advanced",
        "em",
        "em_known",
        "declared",
        "disabled",
        "hc_senior",
        "em_senior",
        "em_known_senior",
        "hc_window_start",
        "leavers",
        "rtp_starters",
    ),
    by_profession=True,
    by_band_group=True,
    parts=(
        Part("job_plan_coverage", "job_plan", "hc", "hc"),
        Part("e_roster_coverage", "e_rostered", "hc", "hc"),
        Part("apprentices", "apprentices", None, "apprentices"),
        Part("advanced_practitioners", "advanced", None, "advanced"),
        Part("return_to_practice_starters", "rtp_starters", None, "rtp_starters"),
        Part("ethnic_minority_share", "em", "em_known", "hc"),
        Part("ethnic_minority_share_senior", "em_senior", "em_known_senior", "hc_senior"),
        Part("disability_declared_share", "declared", "hc", "hc"),
        Part("disabled_share", "disabled", "declared", "declared"),
        Part("support_workforce_share", "fte_support", "fte", "hc"),
        Part("turnover_rate", "leavers", "(hc_window_start + hc) / 2.0", "hc"),
    ),
)

# In-post staff (not bank) by single band, all professions together: the diversity page's
# "representation by band" (the ``by_band`` metrics). Not split by profession (it would multiply
# these rows by about 15, nearly all resting on fewer than 5 people) and not expanded to "all"
# bands (the staff dataset stores those rows), so both dimensions are fixed in ``base``.
STAFF_BANDS = Dataset(
    name="staff_bands",
    base=f"""
    SELECT s.provider_id AS provider_id, m.m_start AS month, 'all' AS profession,
           'band_' || s.band AS band_group,
           COUNT(*) AS hc,
           {_in("s.ethnic_group = 'ethnic_minority'")} AS em,
           {_in("s.ethnic_group <> 'not_stated'")} AS em_known,
           {_in("s.disability IN ('yes', 'no')")} AS declared,
           {_in("s.disability = 'yes'")} AS disabled
    FROM {T["staff"]} s
    JOIN months m ON s.start_date <= m.m_end AND {IN_POST}
    WHERE s.contract <> 'bank'
    GROUP BY 1, 2, 3, 4""",
    columns=("hc", "em", "em_known", "declared", "disabled"),
    by_profession=False,
    by_band_group=False,
    parts=(
        Part("ethnic_minority_share", "em", "em_known", "hc"),
        Part("disability_declared_share", "declared", "hc", "hc"),
        Part("disabled_share", "disabled", "declared", "declared"),
    ),
)

APPRAISAL_IN_POST = (
    "s.contract <> 'bank' AND s.start_date <= m.m_end "
    "AND (s.end_date IS NULL OR s.end_date > m.m_end)"
)
STAFF_MONTH = Dataset(
    name="staff_month",
    base=f"""
    SELECT sm.provider_id AS provider_id, m.m_start AS month, p.code AS profession,
           {BAND_GROUP.format(alias="s")} AS band_group,
           SUM(sm.sickness_days_lost) AS sick, SUM(sm.days_available) AS available,
           COUNT(*) AS hc_all,
           {_in("sm.mandatory_training_pct IS NOT NULL", "sm.mandatory_training_pct / 100.0")}
               AS training,
           {_in("sm.mandatory_training_pct IS NOT NULL")} AS training_n,
           {_in(f"{APPRAISAL_IN_POST} AND sm.appraised_12m")} AS appraised,
           {_in(APPRAISAL_IN_POST)} AS hc_in_post
    FROM {T["staff_month"]} sm
    JOIN months m ON sm.month = m.m_start
    JOIN {T["staff"]} s ON s.id = sm.staff_id
    JOIN {T["profession"]} p ON p.id = s.profession_id
    GROUP BY 1, 2, 3, 4""",
    columns=("sick", "available", "hc_all", "training", "training_n", "appraised", "hc_in_post"),
    by_profession=True,
    by_band_group=True,
    parts=(
        Part("sickness_absence_rate", "sick", "available", "hc_all"),
        Part("appraisal_rate", "appraised", "hc_in_post", "hc_in_post"),
        Part("mandatory_training_rate", "training", "training_n", "training_n"),
    ),
)

ESTABLISHMENT = Dataset(
    name="establishment",
    base=f"""
    SELECT e.provider_id AS provider_id, e.month AS month, p.code AS profession,
           {BAND_GROUP.format(alias="e")} AS band_group,
           SUM(e.funded_fte) AS funded,
           SUM(CASE WHEN e.funded_fte > COALESCE(f.fte, 0)
                    THEN e.funded_fte - COALESCE(f.fte, 0) ELSE 0 END) AS vacant,
           SUM(COALESCE(f.hc, 0)) AS hc
    FROM {T["establishment"]} e
    JOIN months m ON e.month = m.m_start
    JOIN {T["profession"]} p ON p.id = e.profession_id
    LEFT JOIN ({IN_POST_BY_BAND}) f
      ON f.provider_id = e.provider_id AND f.month = e.month
     AND f.profession_id = e.profession_id AND f.band = e.band
    GROUP BY 1, 2, 3, 4""",
    columns=("funded", "vacant", "hc"),
    by_profession=True,
    by_band_group=True,
    parts=(Part("vacancy_rate", "vacant", "funded", "hc"),),
)

# Every value an activity row stores (the upload's own list), summed per profession and month.
ACTIVITY_VALUES = UPLOADS["activity"].value_fields

ACTIVITY = Dataset(
    name="activity",
    base=f"""
    SELECT a.provider_id AS provider_id, a.month AS month, p.code AS profession,
           'all' AS band_group,
           {", ".join(f"SUM(a.{c}) AS {c}" for c in ACTIVITY_VALUES)},
           SUM(COALESCE(f.fte, 0)) AS fte_registered, SUM(COALESCE(f.hc, 0)) AS hc_registered
    FROM {T["activity"]} a
    JOIN months m ON a.month = m.m_start
    JOIN {T["profession"]} p ON p.id = a.profession_id
    LEFT JOIN (
        SELECT r.provider_id, r.month, r.profession_id, SUM(r.fte) AS fte, SUM(r.hc) AS hc
        FROM ({IN_POST_BY_BAND}) r
        WHERE r.band NOT IN ({SUPPORT})
        GROUP BY r.provider_id, r.month, r.profession_id
    ) f ON f.provider_id = a.provider_id AND f.month = a.month
       AND f.profession_id = a.profession_id
    GROUP BY 1, 2, 3, 4""",
    columns=(*ACTIVITY_VALUES, "fte_registered", "hc_registered"),
    by_profession=True,
    by_band_group=False,
    parts=(
        Part("fft_positive_rate", "fft_positive", "fft_responses", "fft_responses"),
        Part("prom_improved_rate", "prom_improved", "prom_completed", "prom_completed"),
        Part("waiting_over_18w_rate", "waiting_over_18w", "waiting_total", "waiting_total"),
        Part("dna_rate", "dna", "contacts + dna", "contacts + dna"),
        Part("contacts_per_fte", "contacts", "fte_registered", "hc_registered"),
        Part("contacts_per_clinical_hour", "contacts", "clinical_hours", None),
    ),
)

SPEND = Dataset(
    name="spend",
    base=f"""
    SELECT sp.provider_id AS provider_id, sp.month AS month, 'all' AS profession,
           'all' AS band_group,
           SUM(sp.bank_spend + sp.agency_spend) AS temporary, SUM(sp.pay_bill) AS pay_bill
    FROM {T["spend"]} sp
    JOIN months m ON sp.month = m.m_start
    GROUP BY 1, 2, 3, 4""",
    columns=("temporary", "pay_bill"),
    by_profession=False,
    by_band_group=False,
    parts=(Part("bank_agency_spend_rate", "temporary", "pay_bill", None),),
)

# Annual: one figure per survey year, stored at January of the year (metrics.annual_month), for
# every survey year with a month in the run; never repeated month by month (PRODUCT.md 3.3).
SURVEY = Dataset(
    name="staff_survey",
    base=f"""
    SELECT sv.provider_id AS provider_id, y.m_year_start AS month, 'all' AS profession,
           'all' AS band_group,
           SUM(sv.engagement_score * sv.respondents) AS engagement,
           SUM(sv.respondents) AS respondents
    FROM {T["survey"]} sv
    JOIN (SELECT DISTINCT m_year, m_year_start FROM months) y ON sv.year = y.m_year
    GROUP BY 1, 2, 3, 4""",
    columns=("engagement", "respondents"),
    by_profession=False,
    by_band_group=False,
    parts=(Part("staff_engagement_score", "engagement", "respondents", "respondents"),),
)

DATASETS: tuple[Dataset, ...] = (
    STAFF,
    STAFF_BANDS,
    STAFF_MONTH,
    ESTABLISHMENT,
    ACTIVITY,
    SPEND,
    SURVEY,
)


# The datasets providers submit month by month (the staff file is a register, not a monthly
# return: its figures exist for every month of the range). Pages open on the latest month for
# which most providers have submitted one of these.
MONTHLY_DATASETS: tuple[Dataset, ...] = (STAFF_MONTH, ESTABLISHMENT, ACTIVITY, SPEND)
SUBMITTED_METRICS = frozenset(part.metric for ds in MONTHLY_DATASETS for part in ds.parts)


def _check_catalogue_is_covered() -> None:
    computed = {part.metric for ds in DATASETS for part in ds.parts}
    missing = set(catalogue.BY_CODE) - computed
    unknown = computed - set(catalogue.BY_CODE)
    if missing or unknown:
        raise RuntimeError(f"Engine and catalogue differ: missing {missing}, unknown {unknown}")
    # The single-band rows are exactly the by_band metrics; figures_sql keeps a part's rows with
    # a band group other than "all" only for metrics stored by band group.
    by_band = {m.code for m in catalogue.CATALOGUE if m.by_band}
    in_bands = {part.metric for part in STAFF_BANDS.parts}
    kept = {code for code in in_bands if catalogue.get(code).by_band_group}
    if in_bands != by_band or kept != in_bands:
        raise RuntimeError(
            f"Single bands: the catalogue marks {sorted(by_band)}, the engine computes "
            f"{sorted(in_bands)}, of which stored by band group {sorted(kept)}"
        )


_check_catalogue_is_covered()


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
) -> tuple[str, list]:
    """One INSERT ... SELECT writing ``dataset``'s figures for the organisations (None: every
    organisation) and months, each from the providers below it (itself, for a provider).

    ``base`` groups the dataset by provider x month x profession x band group; joined to
    ``anc`` (each provider with itself and every organisation above it) and to the two-row
    "one / all" dimensions, one more GROUP BY gives every level, profession total and band-group
    total at once: parents are sums of the providers' parts, never averages of their ratios.
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
    sql = f"""
WITH {months_cte},
anc AS (
    SELECT p.id AS provider_id, t.id AS org_id
    FROM {T["org"]} t
    JOIN {T["org"]} p ON p.level = 'provider' AND substr(p.path, 1, length(t.path)) = t.path
    {target_filter}
),
total AS (SELECT org_id, COUNT(*) AS n FROM anc GROUP BY org_id),
base AS ({dataset.base}),
reporting AS (
    SELECT anc.org_id AS org_id, b.month AS month, COUNT(DISTINCT b.provider_id) AS n
    FROM base b JOIN anc ON anc.provider_id = b.provider_id
    GROUP BY anc.org_id, b.month
),
expanded AS (
    SELECT anc.org_id AS org_id, b.month AS month, {prof} AS profession,
           {band} AS band_group, {sums}
    FROM base b JOIN anc ON anc.provider_id = b.provider_id{joins}
    GROUP BY 1, 2, 3, 4
),
figures AS (
    SELECT e.*, r.n AS reporting, total.n AS total
    FROM expanded e
    JOIN reporting r ON r.org_id = e.org_id AND r.month = e.month
    JOIN total ON total.org_id = e.org_id
)
INSERT INTO {table} ({INSERT_COLUMNS})
SELECT * FROM ({" UNION ALL ".join(selects)}) AS rows_in_key_order
ORDER BY 1, 3, 4, 5, 2"""
    # Rows go in in the order of the store's unique key (organisation, metric, profession, band
    # group, month), so its index grows by appending: four times faster than in random order.
    return sql, params + target_params + select_params


# ------------------------------------------------------------------------ secondary suppression
def suppression_sql(
    months: list[dt.date] | None, parent_ids: list[int] | None, table: str = T["value"]
) -> list[tuple[str, list]]:
    """Two UPDATEs deciding, at recompute time, which figures are hidden from anyone without a
    role at their organisation (PRODUCT.md 3.4), for the children of ``parent_ids`` (None:
    every organisation) in ``months`` (None: every month):

    1. primary: a figure resting on fewer than 5 people;
    2. secondary: where a primary figure is the only hidden one among its siblings (the children
       of one parent, for one metric, profession, band group and month), it could be recovered
       by subtracting the other children from the parent's total, so the next smallest sibling
       (fewest people; the lowest id on a tie) is hidden too.
    """
    steplen = Organisation.steplen
    where, params = ["o.depth > 1", "v.people IS NOT NULL"], []
    if months is not None:
        where.append(f"v.month IN ({_placeholders(months)})")
        params += list(months)
    join = ""
    if parent_ids is not None:
        join = f"JOIN {T['org']} p ON p.path = substr(o.path, 1, length(o.path) - {steplen})"
        where.append(f"p.id IN ({_placeholders(parent_ids)})")
        params += list(parent_ids)
    rows = f"""
        SELECT v.id FROM {table} v JOIN {T["org"]} o ON o.id = v.organisation_id {join}
        WHERE {" AND ".join(where)}"""
    primary = (
        f"UPDATE {table} SET suppressed = COALESCE(people < {THRESHOLD}, FALSE) "
        f"WHERE id IN ({rows})"
    )
    group = (
        f"substr(o.path, 1, length(o.path) - {steplen}), v.metric, v.profession, v.band_group, "
        "v.month"
    )
    secondary = f"""
        UPDATE {table} SET suppressed = TRUE WHERE id IN (
            SELECT id FROM (
                SELECT v.id AS id, v.suppressed AS hidden,
                       SUM(CASE WHEN v.suppressed THEN 1 ELSE 0 END)
                           OVER (PARTITION BY {group}) AS hidden_siblings,
                       ROW_NUMBER() OVER (
                           PARTITION BY {group}, v.suppressed
                           ORDER BY v.people, v.organisation_id
                       ) AS smallest
                FROM {table} v JOIN {T["org"]} o ON o.id = v.organisation_id {join}
                WHERE {" AND ".join(where)}
            ) ranked
            WHERE NOT hidden AND hidden_siblings = 1 AND smallest = 1
        )"""
    return [(primary, params), (secondary, params)]


# ------------------------------------------------------------------------------------ running
def ancestor_ids_of(provider_ids: list[int]) -> list[int]:
    """Ids of every organisation above the given providers (one query)."""
    paths = Organisation.objects.filter(pk__in=provider_ids).values_list("path", flat=True)
    ancestor_paths = {above for path in paths for above in Organisation.paths_above(path)}
    return list(Organisation.objects.filter(path__in=ancestor_paths).values_list("pk", flat=True))


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


def stored_months() -> set[dt.date]:
    """The months the store holds figures for (one indexed query): every figure rolls up to the
    root of the tree, so its months are the store's months."""
    root = Organisation.get_first_root_node()
    if root is None:
        return set()
    return set(
        MetricValue.objects.filter(organisation=root)
        .exclude(metric__in=catalogue.ANNUAL_CODES)  # a survey year's January is not a month
        .values_list("month", flat=True)
        .distinct()
    )


def range_changes(in_range: list[dt.date]) -> tuple[list[dt.date], list[dt.date]]:
    """Months to add to the store (in the range, no figures yet) and to drop from it (figures,
    but outside the range): both change every organisation's figures."""
    stored, wanted = stored_months(), set(in_range)
    return sorted(wanted - stored), sorted(stored - wanted)


def align_range(in_range: list[dt.date], computed_at) -> tuple[int, set[dt.date]]:
    """Keep the store to the month range: drop months outside it, compute every organisation for
    the months of the range the store does not hold yet (the range grew). Returns the rows
    written and the months computed in full."""
    added, dropped = range_changes(in_range)
    if dropped:
        MetricValue.objects.filter(month__in=dropped).exclude(
            metric__in=catalogue.ANNUAL_CODES
        ).delete()
        # annual figures are kept for every survey year with a month in the range
        years = {catalogue.annual_month(m.year) for m in in_range}
        MetricValue.objects.filter(metric__in=catalogue.ANNUAL_CODES).exclude(
            month__in=years
        ).delete()
    rows = 0
    if added:
        rows = compute(months=added, provider_ids=None, computed_at=computed_at)
    return rows, set(added)


def compute_by_provider(*, provider_months: dict[int, list[dt.date]], computed_at) -> int:
    """Replace the figures each provider's own months can change: the provider and every
    organisation above it, for that provider's months (not the union over providers). Months
    sharing the same organisations are computed together, so a national file is a few runs of
    the seven statements, not one per provider."""
    wanted = {int(pk): {month_start(m) for m in months} for pk, months in provider_months.items()}
    wanted = {pk: months for pk, months in wanted.items() if months}
    if not wanted:
        return 0
    paths = dict(Organisation.objects.filter(pk__in=list(wanted)).values_list("pk", "path"))
    needed = {a for p in paths.values() for a in Organisation.paths_above(p)}
    by_path = dict(Organisation.objects.filter(path__in=needed).values_list("path", "pk"))
    orgs_of_month: dict[dt.date, set[int]] = {}
    for pk, months in wanted.items():
        path = paths.get(pk)
        if path is None:
            continue
        orgs = {pk} | {by_path[a] for a in Organisation.paths_above(path)}
        for month in months:
            orgs_of_month.setdefault(month, set()).update(orgs)
    months_of_orgs: dict[frozenset[int], list[dt.date]] = {}
    for month, orgs in orgs_of_month.items():
        months_of_orgs.setdefault(frozenset(orgs), []).append(month)
    rows = 0
    for orgs, months in sorted(months_of_orgs.items(), key=lambda item: min(item[1])):
        rows += compute(
            months=months, provider_ids=None, org_ids=sorted(orgs), computed_at=computed_at
        )
    return rows


def compute(
    *,
    months: list[dt.date],
    provider_ids: list[int] | None,
    computed_at,
    full: bool = False,
    org_ids: list[int] | None = None,
) -> int:
    """Replace the stored figures for the providers (None = all) and their ancestors, for the
    months; ``org_ids`` instead names the organisations exactly (their figures are computed from
    all of their providers); ``full`` replaces the whole store. Runs inside the caller's
    transaction (``services.recompute``, which holds the store's write lock). Returns the rows
    written."""
    months = sorted({month_start(m) for m in months})
    if not months or provider_ids == [] or org_ids == []:
        return 0
    if not isinstance(computed_at, str):
        computed_at = connection.ops.adapt_datetimefield_value(computed_at)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # compiling these one-off statements costs more
            cursor.execute("SET LOCAL jit = off")  # than it saves
        if full:
            return _rebuild_and_swap(months, computed_at)
    # Annual figures of the run's years are rewritten too, even when their January is not among
    # the months.
    annual = MetricValue.objects.filter(
        metric__in=catalogue.ANNUAL_CODES,
        month__in=sorted({catalogue.annual_month(m.year) for m in months} - set(months)),
    )
    if full:
        MetricValue.objects.all().delete()
        org_ids = None
    elif org_ids is not None:
        MetricValue.objects.filter(organisation_id__in=org_ids, month__in=months).delete()
        annual.filter(organisation_id__in=org_ids).delete()
    elif provider_ids is None:
        MetricValue.objects.filter(month__in=months).delete()
        annual.delete()
        org_ids = None
    else:
        org_ids = sorted(set(provider_ids) | set(ancestor_ids_of(provider_ids)))
        MetricValue.objects.filter(organisation_id__in=org_ids, month__in=months).delete()
        annual.filter(organisation_id__in=org_ids).delete()
    rows = 0
    for dataset in DATASETS:
        rows += execute(*figures_sql(dataset, months, org_ids, computed_at))
    # the rows written, and their siblings (the children of every organisation written)
    januaries = {catalogue.annual_month(m.year) for m in months}  # the annual figures' months
    for statement in suppression_sql(sorted(set(months) | januaries), org_ids):
        execute(*statement)
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
        for dataset in DATASETS:
            sql, params = figures_sql(dataset, months, None, computed_at, table=NEXT)
            cursor.execute(sql, params)
            rows += max(cursor.rowcount, 0)
        for sql, params in suppression_sql(None, None, table=NEXT)[1:]:  # secondary only
            cursor.execute(sql, params)
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
