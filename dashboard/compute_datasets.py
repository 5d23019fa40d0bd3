"""The datasets of the metrics engine (:mod:`dashboard.compute`) as SQL: for each, the ``base``
query grouping it by provider x month x profession x band group, and each metric's parts over
its summed columns. Every metric of the catalogue is computed by exactly one dataset (checked
on import).

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

import re
from collections.abc import Iterable
from dataclasses import dataclass

from councils.models import Organisation
from workforce.datasets import DATASETS as UPLOADS
from workforce.models import (
    AGED_55_PLUS,
    SENIOR_BANDS,
    SUPPORT_BANDS,
    Activity,
    ApprenticeshipLevel,
    Establishment,
    Placement,
    Profession,
    Spend,
    Staff,
    StaffMonth,
    StaffSurvey,
)

from . import metrics as catalogue
from .models import MetricValue


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
    "placement": Placement._meta.db_table,
    "profession": Profession._meta.db_table,
    "org": Organisation._meta.db_table,
    "value": MetricValue._meta.db_table,
}
BAND_GROUP = f"CASE WHEN {{alias}}.band IN ({SUPPORT}) THEN 'support' ELSE 'registered' END"
IN_POST = "(s.end_date IS NULL OR s.end_date > m.m_end)"
DECLARED = f"{IN_POST} AND s.disability IN ('yes', 'no')"
DISABLED = f"{IN_POST} AND s.disability = 'yes'"
QUALIFIED_BANDS = _quoted(("3", "4"))  # readiness employer Q16: bands 3 and 4
LEVEL_3_PLUS = _quoted(str(level) for level in range(3, 9))
WITH_DCC = f"{IN_POST} AND s.job_plan AND s.dcc_sessions IS NOT NULL"
AGE_COLUMNS = {m.code: m.code.removeprefix("in_post_age_") for m in catalogue.AGE_PROFILE}
LEVEL_COLUMNS = {f"apprentices_level_{level}": level for level in ApprenticeshipLevel.values}
AGE_SUMS = ", ".join(
    f"{_in(f'{IN_POST} AND s.age_band = {band!r}')} AS {code}" for code, band in AGE_COLUMNS.items()
)
LEVEL_SUMS = ", ".join(
    f"{_in(f'{IN_POST} AND s.apprentice AND s.apprenticeship_level = {level!r}')} AS {code}"
    for code, level in LEVEL_COLUMNS.items()
)

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
           {_in("s.start_date > m.w_end AND s.return_to_practice")} AS rtp_starters,
           {_in(f"{IN_POST} AND s.age_band <> 'not_stated'")} AS age_known,
           {_in(f"{IN_POST} AND s.age_band IN ({_quoted(AGED_55_PLUS)})")} AS aged_55_plus,
           {_in(f"{IN_POST} AND s.sex = 'female'")} AS female,
           {_in(f"{IN_POST} AND s.sex <> 'not_stated'")} AS sex_known,
           {AGE_SUMS},
           {LEVEL_SUMS},
           {
        _in(
            f"{IN_POST} AND s.band IN ({QUALIFIED_BANDS}) AND s.qualification_level <> 'not_stated'"
        )
    } AS support_level_known,
           {
        _in(
            f"{IN_POST} AND s.band IN ({QUALIFIED_BANDS}) AND s.qualification_level IN "
            f"({LEVEL_3_PLUS})"
        )
    } AS support_level_3,
           {_in(WITH_DCC, "s.dcc_sessions")} AS dcc,
           {_in(WITH_DCC, "s.fte")} AS dcc_fte,
           {_in(WITH_DCC)} AS dcc_hc
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
        "age_known",
        "aged_55_plus",
        "female",
        "sex_known",
        *AGE_COLUMNS,
        *LEVEL_COLUMNS,
        "support_level_known",
        "support_level_3",
        "dcc",
        "dcc_fte",
        "dcc_hc",
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
        Part("aged_55_plus_share", "aged_55_plus", "age_known", "age_known"),
        Part("female_share", "female", "sex_known", "sex_known"),
        *(Part(code, code, None, code) for code in (*AGE_COLUMNS, *LEVEL_COLUMNS)),
        Part(
            "support_qualified_l3", "support_level_3", "support_level_known", "support_level_known"
        ),
        Part("dcc_sessions_per_fte", "dcc", "dcc_fte", "dcc_hc"),
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

# Quarterly: each quarter's placements are stored at its first month (the file's ``quarter``),
# one figure per quarter, never repeated for the quarter's other months. Placements do not move
# the store's month range (compute_months.months_with_data): a quarter whose first month is
# outside it has no figure.
PLACEMENTS = Dataset(
    name="placements",
    base=f"""
    SELECT pl.provider_id AS provider_id, pl.month AS month, p.code AS profession,
           'all' AS band_group,
           SUM(pl.offered) AS offered, SUM(pl.requested) AS requested, SUM(pl.filled) AS filled
    FROM {T["placement"]} pl
    JOIN months m ON pl.month = m.m_start
    JOIN {T["profession"]} p ON p.id = pl.profession_id
    GROUP BY 1, 2, 3, 4""",
    columns=("offered", "requested", "filled"),
    by_profession=True,
    by_band_group=False,
    parts=(
        Part("placement_fill_rate", "filled", "offered", "offered"),
        Part("placement_capacity_rate", "offered", "requested", "requested"),
    ),
)

DATASETS: tuple[Dataset, ...] = (
    STAFF,
    STAFF_BANDS,
    STAFF_MONTH,
    ESTABLISHMENT,
    ACTIVITY,
    SPEND,
    SURVEY,
    PLACEMENTS,
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


# ------------------------------------------------------------- which datasets an import changes
def reads(dataset: Dataset) -> frozenset[str]:
    """The workforce datasets (upload codes: ``staff``, ``activity`` ...) whose rows ``dataset``'s
    ``base`` reads, found from the tables its SQL names, so it cannot drift from the SQL (the
    professions are reference data, changed by no upload)."""
    code_of = {spec.model._meta.db_table: code for code, spec in UPLOADS.items()}
    tables = set(re.findall(r"\b(workforce_\w+)\b", dataset.base))
    return frozenset(code_of[t] for t in tables if t in code_of)  # not reference data


def affected_by(sources) -> tuple[Dataset, ...]:
    """The datasets whose figures can change when rows of the upload datasets ``sources``
    change (None: all): those reading any of them, and every other dataset computing one of
    their metrics (a metric's rows are replaced together)."""
    if sources is None:
        return DATASETS
    chosen = {d.name for d in DATASETS if reads(d) & set(sources)}
    while True:
        metrics = {p.metric for d in DATASETS if d.name in chosen for p in d.parts}
        more = {d.name for d in DATASETS if {p.metric for p in d.parts} & metrics} - chosen
        if not more:
            return tuple(d for d in DATASETS if d.name in chosen)
        chosen |= more
