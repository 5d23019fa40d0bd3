"""The hand-written SQL floor of the full recompute (PostgreSQL only).

One plain aggregate statement per dataset, written here independently of the engine
(``dashboard/compute.py`` and ``compute_datasets.py``): provider x month x profession x band
group with ``FILTER`` clauses, then every level with ``GROUPING SETS`` (each organisation summing
the providers below it), unpivoted to one row per figure and written to an unindexed temporary
table. Only the metric catalogue (which metrics are stored by profession and band group, and the
percent scale) is shared, as it is the product's definition. :func:`compare` checks the floor's
figures against the store, figure by figure.
"""

from __future__ import annotations

import time

TABLES = {
    "org": "councils_organisation",
    "staff": "workforce_staff",
    "staff_month": "workforce_staffmonth",
    "establishment": "workforce_establishment",
    "activity": "workforce_activity",
    "spend": "workforce_spend",
    "survey": "workforce_staffsurvey",
    "profession": "workforce_profession",
    "placement": "workforce_placement",
}
SUPPORT = "('2', '3', '4')"
SENIOR = "('8a', '8b', '8c', '8d', '9')"
# The supply data (PRODUCT.md section 9; the column values as the staff template and
# workforce/models.py define them): stated age bands (not_stated is left out of the age profile and
# of the share aged 55 and over), apprenticeship levels 2-7, the support workforce's formal
# qualification level (readiness employer Q16: bands 3-4 at level 3 and above, of those with a
# stated level) and job-planned direct clinical care sessions.
AGE_BANDS = ("under_25", "25_34", "35_44", "45_54", "55_64", "65_plus")
AGED_55_PLUS = "('55_64', '65_plus')"
APPRENTICESHIP_LEVELS = ("2", "3", "4", "5", "6", "7")
QUALIFIED_BANDS = "('3', '4')"
LEVEL_3_PLUS = "('3', '4', '5', '6', '7', '8')"
# DCC per FTE: "dcc_sessions of in-post staff with job_plan = Y and dcc_sessions given" over "fte
# of those same staff" (dashboard/metrics.py); the people it rests on are those same staff (the
# catalogue does not say; the engine counts them, dashboard/compute_datasets.py).
WITH_DCC = "s.job_plan AND s.dcc_sessions IS NOT NULL"
BAND_GROUP = f"CASE WHEN {{a}}.band IN {SUPPORT} THEN 'support' ELSE 'registered' END"
MONTHS = """months AS (
    SELECT d::date AS m_start, (d + interval '1 month' - interval '1 day')::date AS m_end,
           (d - interval '11 months' - interval '1 day')::date AS w_end
    FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS d
)"""
UP = f"""up AS (
    SELECT p.id AS provider_id, o.id AS org_id
    FROM {TABLES["org"]} o
    JOIN {TABLES["org"]} p ON p.level = 'provider' AND starts_with(p.path, o.path)
)"""
IN_POST = "(s.end_date IS NULL OR s.end_date > m.m_end)"
# in-post (not bank) FTE and headcount per provider x month x profession x band
IN_POST_BANDS = f"""ipb AS (
    SELECT s.provider_id, m.m_start AS month, s.profession_id, s.band,
           SUM(s.fte) AS fte, COUNT(*) AS hc
    FROM {TABLES["staff"]} s JOIN months m ON s.start_date <= m.m_end AND {IN_POST}
    WHERE s.contract <> 'bank'
    GROUP BY 1, 2, 3, 4
)"""

# dataset -> (provider-level SELECT with provider_id, month, profession, band_group and the summed
# columns; the grouping sets to expand; the figures as (metric, numerator, denominator, people))
DATASETS = {
    "staff": (
        f"""SELECT s.provider_id, m.m_start AS month, pr.code AS profession,
               {BAND_GROUP.format(a="s")} AS band_group,
               COUNT(*) FILTER (WHERE {IN_POST}) AS hc,
               COALESCE(SUM(s.fte) FILTER (WHERE {IN_POST}), 0) AS fte,
               COALESCE(SUM(s.fte) FILTER (WHERE {IN_POST} AND s.band IN {SUPPORT}), 0)
                   AS fte_support,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.job_plan) AS job_plan,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.e_rostered) AS e_rostered,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.apprentice) AS apprentices,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.advanced_practice) AS advanced,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.ethnic_group = 'ethnic_minority') AS em,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.ethnic_group <> 'not_stated') AS em_known,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.disability IN ('yes', 'no')) AS declared,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.disability = 'yes') AS disabled,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.band IN {SENIOR}) AS senior,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.band IN {SENIOR}
                                AND s.ethnic_group = 'ethnic_minority') AS em_senior,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.band IN {SENIOR}
                                AND s.ethnic_group <> 'not_stated') AS em_known_senior,
               COUNT(*) FILTER (WHERE s.start_date <= m.w_end) AS hc_start,
               COUNT(*) FILTER (WHERE s.end_date <= m.m_end) AS leavers,
               COUNT(*) FILTER (WHERE s.start_date > m.w_end AND s.return_to_practice) AS rtp,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.age_band <> 'not_stated') AS age_stated,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.age_band IN {AGED_55_PLUS}) AS age_55_plus,
               {
            ", ".join(
                f"COUNT(*) FILTER (WHERE {IN_POST} AND s.age_band = '{a}') AS age_{a}"
                for a in AGE_BANDS
            )
        },
               COUNT(*) FILTER (WHERE {IN_POST} AND s.sex IN ('female', 'male')) AS sex_stated,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.sex = 'female') AS female,
               {
            ", ".join(
                f"COUNT(*) FILTER (WHERE {IN_POST} AND s.apprentice"
                f" AND s.apprenticeship_level = '{lv}') AS apprentices_l{lv}"
                for lv in APPRENTICESHIP_LEVELS
            )
        },
               COUNT(*) FILTER (WHERE {IN_POST} AND s.band IN {QUALIFIED_BANDS}
                                AND s.qualification_level <> 'not_stated') AS qual_stated,
               COUNT(*) FILTER (WHERE {IN_POST} AND s.band IN {QUALIFIED_BANDS}
                                AND s.qualification_level IN {LEVEL_3_PLUS}) AS qual_l3,
               COALESCE(SUM(s.dcc_sessions) FILTER (WHERE {IN_POST} AND {WITH_DCC}), 0) AS dcc,
               COALESCE(SUM(s.fte) FILTER (WHERE {IN_POST} AND {WITH_DCC}), 0) AS dcc_fte,
               COUNT(*) FILTER (WHERE {IN_POST} AND {WITH_DCC}) AS dcc_hc
        FROM {TABLES["staff"]} s
        JOIN months m ON s.start_date <= m.m_end AND (s.end_date IS NULL OR s.end_date > m.w_end)
        JOIN {TABLES["profession"]} pr ON pr.id = s.profession_id
        WHERE s.contract <> 'bank'
        GROUP BY 1, 2, 3, 4""",
        "both",
        [
            ("job_plan_coverage", "job_plan", "hc", "hc"),
            ("e_roster_coverage", "e_rostered", "hc", "hc"),
            ("apprentices", "apprentices", None, "apprentices"),
            ("advanced_practitioners", "advanced", None, "advanced"),
            ("return_to_practice_starters", "rtp", None, "rtp"),
            ("ethnic_minority_share", "em", "em_known", "hc"),
            ("ethnic_minority_share_senior", "em_senior", "em_known_senior", "senior"),
            ("disability_declared_share", "declared", "hc", "hc"),
            ("disabled_share", "disabled", "declared", "declared"),
            ("support_workforce_share", "fte_support", "fte", "hc"),
            ("turnover_rate", "leavers", "(hc_start + hc) / 2.0", "hc"),
            # supply (PRODUCT.md 9): a share rests on the people it is a share of (the stated)
            ("aged_55_plus_share", "age_55_plus", "age_stated", "age_stated"),
            ("female_share", "female", "sex_stated", "sex_stated"),
            *((f"in_post_age_{a}", f"age_{a}", None, f"age_{a}") for a in AGE_BANDS),
            *(
                (f"apprentices_level_{lv}", f"apprentices_l{lv}", None, f"apprentices_l{lv}")
                for lv in APPRENTICESHIP_LEVELS
            ),
            ("support_qualified_l3", "qual_l3", "qual_stated", "qual_stated"),
            ("dcc_sessions_per_fte", "dcc", "dcc_fte", "dcc_hc"),
        ],
    ),
    "staff_bands": (
        f"""SELECT s.provider_id, m.m_start AS month, 'all' AS profession,
               'band_' || s.band AS band_group, COUNT(*) AS hc,
               COUNT(*) FILTER (WHERE s.ethnic_group = 'ethnic_minority') AS em,
               COUNT(*) FILTER (WHERE s.ethnic_group <> 'not_stated') AS em_known,
               COUNT(*) FILTER (WHERE s.disability IN ('yes', 'no')) AS declared,
               COUNT(*) FILTER (WHERE s.disability = 'yes') AS disabled
        FROM {TABLES["staff"]} s JOIN months m ON s.start_date <= m.m_end AND {IN_POST}
        WHERE s.contract <> 'bank'
        GROUP BY 1, 2, 3, 4""",
        "none",
        [
            ("ethnic_minority_share", "em", "em_known", "hc"),
            ("disability_declared_share", "declared", "hc", "hc"),
            ("disabled_share", "disabled", "declared", "declared"),
        ],
    ),
    "staff_month": (
        f"""SELECT sm.provider_id, sm.month, pr.code AS profession,
               {BAND_GROUP.format(a="s")} AS band_group,
               SUM(sm.sickness_days_lost) AS sick, SUM(sm.days_available) AS available,
               COUNT(*) AS hc_all,
               COALESCE(SUM(sm.mandatory_training_pct / 100.0), 0) AS training,
               COUNT(sm.mandatory_training_pct) AS training_n,
               COUNT(*) FILTER (WHERE s.contract <> 'bank' AND s.start_date <= m.m_end
                                AND {IN_POST} AND sm.appraised_12m) AS appraised,
               COUNT(*) FILTER (WHERE s.contract <> 'bank' AND s.start_date <= m.m_end
                                AND {IN_POST}) AS in_post
        FROM {TABLES["staff_month"]} sm
        JOIN months m ON m.m_start = sm.month
        JOIN {TABLES["staff"]} s ON s.id = sm.staff_id
        JOIN {TABLES["profession"]} pr ON pr.id = s.profession_id
        GROUP BY 1, 2, 3, 4""",
        "both",
        [
            ("sickness_absence_rate", "sick", "available", "hc_all"),
            ("appraisal_rate", "appraised", "in_post", "in_post"),
            ("mandatory_training_rate", "training", "training_n", "training_n"),
        ],
    ),
    "establishment": (
        f"""SELECT e.provider_id, e.month, pr.code AS profession,
               {BAND_GROUP.format(a="e")} AS band_group,
               SUM(e.funded_fte) AS funded,
               SUM(GREATEST(e.funded_fte - COALESCE(f.fte, 0), 0)) AS vacant,
               SUM(COALESCE(f.hc, 0)) AS hc
        FROM {TABLES["establishment"]} e
        JOIN months m ON m.m_start = e.month
        JOIN {TABLES["profession"]} pr ON pr.id = e.profession_id
        LEFT JOIN ipb f ON (f.provider_id, f.month, f.profession_id, f.band)
                         = (e.provider_id, e.month, e.profession_id, e.band)
        GROUP BY 1, 2, 3, 4""",
        "both",
        [("vacancy_rate", "vacant", "funded", "hc")],
    ),
    "activity": (
        f"""SELECT a.provider_id, a.month, pr.code AS profession, 'all' AS band_group,
               SUM(a.contacts) AS contacts, SUM(a.dna) AS dna,
               SUM(a.clinical_hours) AS hours, SUM(a.fft_positive) AS fft_positive,
               SUM(a.fft_responses) AS fft_responses, SUM(a.prom_improved) AS prom_improved,
               SUM(a.prom_completed) AS prom_completed, SUM(a.waiting_total) AS waiting,
               SUM(a.waiting_over_18w) AS waiting_18w,
               COALESCE(SUM(f.fte), 0) AS fte_registered, COALESCE(SUM(f.hc), 0) AS hc_registered
        FROM {TABLES["activity"]} a
        JOIN months m ON m.m_start = a.month
        JOIN {TABLES["profession"]} pr ON pr.id = a.profession_id
        LEFT JOIN (
            SELECT provider_id, month, profession_id, SUM(fte) AS fte, SUM(hc) AS hc
            FROM ipb WHERE band NOT IN {SUPPORT} GROUP BY 1, 2, 3
        ) f ON (f.provider_id, f.month, f.profession_id)
             = (a.provider_id, a.month, a.profession_id)
        GROUP BY 1, 2, 3, 4""",
        "profession",
        [
            ("fft_positive_rate", "fft_positive", "fft_responses", "fft_responses"),
            ("prom_improved_rate", "prom_improved", "prom_completed", "prom_completed"),
            ("waiting_over_18w_rate", "waiting_18w", "waiting", "waiting"),
            ("dna_rate", "dna", "contacts + dna", "contacts + dna"),
            ("contacts_per_fte", "contacts", "fte_registered", "hc_registered"),
            ("contacts_per_clinical_hour", "contacts", "hours", None),
        ],
    ),
    "spend": (
        f"""SELECT sp.provider_id, sp.month, 'all' AS profession, 'all' AS band_group,
               SUM(sp.bank_spend + sp.agency_spend) AS temporary, SUM(sp.pay_bill) AS pay_bill
        FROM {TABLES["spend"]} sp JOIN months m ON m.m_start = sp.month
        GROUP BY 1, 2, 3, 4""",
        "none",
        [("bank_agency_spend_rate", "temporary", "pay_bill", None)],
    ),
    "staff_survey": (
        f"""SELECT sv.provider_id, make_date(sv.year, 1, 1) AS month, 'all' AS profession,
               'all' AS band_group,
               SUM(sv.engagement_score * sv.respondents) AS engagement,
               SUM(sv.respondents) AS respondents
        FROM {TABLES["survey"]} sv
        WHERE sv.year IN (SELECT DISTINCT extract(year FROM m_start)::int FROM months)
        GROUP BY 1, 2, 3, 4""",
        "none",
        [("staff_engagement_score", "engagement", "respondents", "respondents")],
    ),
    # Placements (PRODUCT.md 9: offered, requested, filled per provider x profession x quarter):
    # a quarter's row is stored at its first month (January, April, July, October) and gives one
    # figure there, never repeated for the quarter's other months. Placements do not widen the
    # month range: a quarter whose first month is outside it has no figure.
    "placements": (
        f"""SELECT pl.provider_id, pl.month, pr.code AS profession, 'all' AS band_group,
               SUM(pl.offered) AS offered, SUM(pl.requested) AS requested,
               SUM(pl.filled) AS filled
        FROM {TABLES["placement"]} pl
        JOIN months m ON m.m_start = pl.month
        JOIN {TABLES["profession"]} pr ON pr.id = pl.profession_id
        GROUP BY 1, 2, 3, 4""",
        "profession",
        [
            ("placement_fill_rate", "filled", "offered", "offered"),
            ("placement_capacity_rate", "offered", "requested", "requested"),
        ],
    ),
}
GROUPING = {
    "both": "GROUPING SETS ((1, 2, 3, 4), (1, 2, 3), (1, 2, 4), (1, 2))",
    "profession": "GROUPING SETS ((1, 2, 3, 4), (1, 2, 4))",
    "none": "1, 2, 3, 4",
}


def statement(name: str) -> str:
    """The floor's statement for one dataset: CREATE TEMPORARY TABLE floor_<name> AS ..."""
    from dashboard import metrics as catalogue

    base, expand, figures = DATASETS[name]
    columns = sorted({c for _, *exprs in figures for e in exprs if e for c in _names(e)})
    sums = ", ".join(f"SUM(b.{c}) AS {c}" for c in columns)
    rows = []
    for code, numerator, denominator, people in figures:
        metric = catalogue.get(code)
        keep = []
        if not metric.by_profession:
            keep.append("l.profession = 'all'")
        if not metric.by_band_group and expand != "none":
            keep.append("l.band_group = 'all'")
        den = f"({denominator})" if denominator else "NULL"
        value = (
            f"CAST({numerator} AS float8)"
            if metric.is_count or not denominator
            else f"CASE WHEN {den} > 0 THEN {metric.scale!r} * CAST({numerator} AS float8) "
            f"/ CAST({den} AS float8) END"
        )
        rows.append(
            f"SELECT l.org_id, l.month, '{code}' AS metric, l.profession, l.band_group, "
            f"CAST({numerator} AS float8) AS numerator, CAST({den} AS float8) AS denominator, "
            f"{value} AS value, CAST({people or 'NULL'} AS integer) AS people, "
            f"r.n AS reporting, t.n AS total FROM levels l "
            f"JOIN reporting r USING (org_id, month) JOIN totals t USING (org_id)"
            + (f" WHERE {' AND '.join(keep)}" if keep else "")
        )
    return f"""CREATE TEMPORARY TABLE floor_{name} AS
WITH {MONTHS}, {UP}, {IN_POST_BANDS},
b AS ({base}),
totals AS (SELECT org_id, COUNT(*) AS n FROM up GROUP BY org_id),
reporting AS (
    SELECT up.org_id, b.month, COUNT(DISTINCT b.provider_id) AS n
    FROM b JOIN up USING (provider_id) GROUP BY 1, 2
),
levels AS (
    SELECT up.org_id, b.month, COALESCE(b.profession, 'all') AS profession,
           COALESCE(b.band_group, 'all') AS band_group, {sums}
    FROM b JOIN up USING (provider_id)
    GROUP BY {
        GROUPING[expand]
        .replace("1", "up.org_id")
        .replace("2", "b.month")
        .replace("3", "b.profession")
        .replace("4", "b.band_group")
    }
)
{" UNION ALL ".join(rows)}"""


def _names(expression: str) -> list[str]:
    import re

    return re.findall(r"[a-z_][a-z0-9_]*", expression)


def run(cursor, first, last) -> float:
    """Every dataset's floor statement, in the caller's transaction; returns seconds."""
    start = time.perf_counter()
    for name in DATASETS:
        cursor.execute(statement(name), {"first": first, "last": last})
    return time.perf_counter() - start


def compare(cursor, store: str = "dashboard_metricvalue") -> dict:
    """The floor's figures against the store's, for the metrics the floor computes (run after
    :func:`run`, in its transaction)."""
    union = " UNION ALL ".join(f"SELECT * FROM floor_{name}" for name in DATASETS)
    metrics = sorted({code for _, _, figures in DATASETS.values() for code, *_ in figures})
    cursor.execute(
        f"""
        WITH f AS ({union}),
        s AS (SELECT * FROM {store} WHERE metric = ANY(%s))
        SELECT COUNT(*) FILTER (WHERE s.id IS NULL) AS only_floor,
               COUNT(*) FILTER (WHERE f.org_id IS NULL) AS only_store,
               COUNT(*) FILTER (WHERE s.id IS NOT NULL AND f.org_id IS NOT NULL AND (
                   f.numerator IS DISTINCT FROM s.numerator
                   OR f.denominator IS DISTINCT FROM s.denominator
                   OR f.people IS DISTINCT FROM s.people
                   OR f.reporting IS DISTINCT FROM s.providers_reporting
                   OR f.total IS DISTINCT FROM s.providers_total
                   OR (f.value IS NULL) <> (s.value IS NULL)
                   OR abs(f.value - s.value) > 1e-9 * greatest(1, abs(s.value)))) AS different,
               COUNT(*) AS figures
        FROM f FULL JOIN s ON (s.organisation_id, s.month, s.metric, s.profession,
                               s.band_group) = (f.org_id, f.month, f.metric, f.profession,
                               f.band_group)""",
        [metrics],
    )
    only_floor, only_store, different, figures = cursor.fetchone()
    cursor.execute(f"SELECT DISTINCT metric FROM {store} WHERE NOT metric = ANY(%s)", [metrics])
    uncovered = sorted(r[0] for r in cursor.fetchall())
    return {
        "figures": figures,
        "only_floor": only_floor,
        "only_store": only_store,
        "different": different,
        "uncovered": uncovered,
    }
