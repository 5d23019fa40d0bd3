"""The Quality Dashboard metric catalogue: one definition per metric, the single source that the
engine, the pages, the API and the docs read from (PRODUCT.md 3.1).

Every metric is a ratio of two additive parts stored per organisation, month, profession and band
group, so a parent's value is the sum of its children's numerators over the sum of their
denominators, never an average of ratios. Count metrics have no denominator. The diversity
metrics (``by_band``) are also stored for each single band (``band_2`` ... ``band_9``), for all
professions together.
"""

from dataclasses import dataclass, field

from workforce.models import AgeBand, ApprenticeshipLevel, Band


class Domain:
    QUALITY = "quality_care"
    STAFF = "supporting_staff"
    WORKFORCE = "optimising_workforce"
    PRODUCTIVITY = "productivity"


DOMAINS = {
    Domain.QUALITY: "Delivering quality care",
    Domain.STAFF: "Supporting staff",
    Domain.WORKFORCE: "Optimising the workforce",
    Domain.PRODUCTIVITY: "Improving productivity",
}

ALL_PROFESSIONS = "all"
BAND_GROUPS = {
    "all": "All bands",
    "support": "Support workforce (bands 2-4)",
    "registered": "Registered workforce (bands 5-9)",
}
# Single bands, in the order of the Band enum: {"band_2": "Band 2", ..., "band_9": "Band 9"}.
# Stored for the ``by_band`` metrics, for all professions together only (per profession nearly
# every one would rest on fewer than 5 people).
SINGLE_BANDS = {f"band_{band.value}": band.label for band in Band}


@dataclass(frozen=True)
class Metric:
    code: str
    name: str
    domain: str
    unit: str  # "percent", "score", "ratio" or "count"
    numerator: str
    denominator: str  # "" for counts
    direction: str  # "higher", "lower" or "neither" (better)
    default_target: float | None
    datasets: tuple[str, ...]
    by_profession: bool = True  # stored per profession as well as for all professions
    by_band_group: bool = False  # stored for support / registered band groups as well
    by_band: bool = False  # stored for each single band too (SINGLE_BANDS), all professions only
    description: str = ""
    scale: float = field(default=1.0)  # value = scale * numerator / denominator
    # Annual (the staff survey): one figure per survey year, stored at January of that year
    # (annual_month), never repeated month by month (PRODUCT.md 3.3).
    annual: bool = False
    # Quarterly (placements): one figure per quarter, stored at the quarter's first month
    # (January, April, July, October), never repeated month by month.
    quarterly: bool = False
    # A set of counts read together as one profile (the age profile, apprentices by level):
    # the group's code; the pages show the group as a chart with its table.
    group: str = ""

    @property
    def periodic(self) -> bool:
        """One figure per survey year or per quarter, not per month: the series has a point
        per period, the latest of which is the current figure."""
        return self.annual or self.quarterly

    @property
    def domain_name(self) -> str:
        return DOMAINS[self.domain]

    @property
    def has_direction(self) -> bool:
        """Whether a higher or a lower value is better: only then a target, a status and an
        SPC assurance verdict apply (PRODUCT.md 3.3)."""
        return self.direction in ("higher", "lower")

    @property
    def is_count(self) -> bool:
        return self.unit == "count"

    def value(self, numerator: float | None, denominator: float | None) -> float | None:
        """The metric's value from its parts; no value (not zero) when the denominator is empty."""
        if numerator is None:
            return None
        if self.is_count:
            return float(numerator)
        if not denominator:
            return None
        return self.scale * float(numerator) / float(denominator)


def _pct(code, name, domain, numerator, denominator, direction, target, datasets, **kw):
    return Metric(
        code,
        name,
        domain,
        "percent",
        numerator,
        denominator,
        direction,
        target,
        datasets,
        scale=100.0,
        **kw,
    )


def _staff_share(code, name, numerator, denominator, direction, **kw):
    """A share of the staff in post (the equality and diversity measures): from the staff data,
    with no default target."""
    return _pct(code, name, Domain.STAFF, numerator, denominator, direction, None, ("staff",), **kw)


def _count_metric(code, name, numerator, group="", direction="neither", **kw):
    """A count of staff in post (a workforce measure from the staff data, no default target)."""
    return Metric(
        code,
        name,
        Domain.WORKFORCE,
        "count",
        numerator,
        "",
        direction,
        None,
        ("staff",),
        by_band_group=True,
        group=group,
        **kw,
    )


# The age profile: in-post headcount by stated age band (not stated is left out; the share aged
# 55 and over is over the stated bands too).
AGE_BANDS = tuple(b for b in AgeBand if b != AgeBand.NOT_STATED)
AGE_PROFILE = tuple(
    _count_metric(
        f"in_post_age_{band.value}",
        f"In post aged {band.label.lower()}",
        f"in post with age_band {band.value}",
        "age_profile",
    )
    for band in AGE_BANDS
)
APPRENTICE_LEVELS = tuple(
    _count_metric(
        f"apprentices_level_{level.value}",
        f"Apprentices in post at level {level.value}",
        f"in post with apprentice = Y and apprenticeship_level {level.value}",
        "apprentice_levels",
    )
    for level in ApprenticeshipLevel
)
GROUPS = {"age_profile": "Age profile", "apprentice_levels": "Apprentices by level"}


CATALOGUE: tuple[Metric, ...] = (
    # Delivering quality care
    _pct(
        "fft_positive_rate",
        "Friends and family test positive %",
        Domain.QUALITY,
        "fft_positive",
        "fft_responses",
        "higher",
        90.0,
        ("activity",),
    ),
    _pct(
        "prom_improved_rate",
        "Patients reporting improved outcome %",
        Domain.QUALITY,
        "prom_improved",
        "prom_completed",
        "higher",
        70.0,
        ("activity",),
    ),
    _pct(
        "waiting_over_18w_rate",
        "Waiting over 18 weeks %",
        Domain.QUALITY,
        "waiting_over_18w",
        "waiting_total",
        "lower",
        8.0,
        ("activity",),
    ),
    _pct(
        "dna_rate",
        "Did not attend rate %",
        Domain.QUALITY,
        "dna",
        "contacts + dna",
        "lower",
        8.0,
        ("activity",),
    ),
    # Supporting staff
    _pct(
        "sickness_absence_rate",
        "Sickness absence rate %",
        Domain.STAFF,
        "sickness_days_lost",
        "days_available",
        "lower",
        4.0,
        ("staff", "staff_month"),
        by_band_group=True,
    ),
    _pct(
        "appraisal_rate",
        "Appraisal rate %",
        Domain.STAFF,
        "in post with appraised_12m = Y",
        "in post",
        "higher",
        90.0,
        ("staff", "staff_month"),
        by_band_group=True,
    ),
    _pct(
        "mandatory_training_rate",
        "Mandatory training compliance %",
        Domain.STAFF,
        "sum of mandatory_training_pct / 100",
        "headcount with a value",
        "higher",
        90.0,
        ("staff", "staff_month"),
        by_band_group=True,
    ),
    Metric(
        "staff_engagement_score",
        "Staff engagement score (0-10)",
        Domain.STAFF,
        "score",
        "sum of engagement_score x respondents",
        "respondents",
        "higher",
        7.0,
        ("staff_survey",),
        by_profession=False,
        annual=True,
    ),
    _staff_share(
        "ethnic_minority_share",
        "Ethnic minority share, all bands %",
        "in post ethnic_minority",
        "in post with known ethnicity",
        "neither",
        by_band_group=True,
        by_band=True,
    ),
    _staff_share(
        "ethnic_minority_share_senior",
        "Ethnic minority share, bands 8a-9 %",
        "in post ethnic_minority, bands 8a-9",
        "in post with known ethnicity, bands 8a-9",
        "higher",
    ),
    _staff_share(
        "disability_declared_share",
        "Disability declared %",
        "in post with disability yes or no",
        "in post",
        "higher",
        by_band_group=True,
        by_band=True,
    ),
    _staff_share(
        "disabled_share",
        "Disabled staff share %",
        "in post with disability yes",
        "in post with disability yes or no",
        "neither",
        by_band_group=True,
        by_band=True,
    ),
    _staff_share(
        "female_share",
        "Female staff share %",
        "in post with sex female",
        "in post with sex female or male",
        "neither",
        by_band_group=True,
    ),
    # Optimising the workforce
    _pct(
        "vacancy_rate",
        "Vacancy rate %",
        Domain.WORKFORCE,
        "funded_fte - in-post FTE, floored at 0 per provider x profession x band",
        "funded_fte",
        "lower",
        8.0,
        ("staff", "establishment"),
        by_band_group=True,
    ),
    _pct(
        "turnover_rate",
        "Turnover rate % (12 months rolling)",
        Domain.WORKFORCE,
        "leavers (permanent + fixed_term) in the 12 months to month end",
        "mean of in-post headcount at start and end of those 12 months",
        "lower",
        10.0,
        ("staff",),
        by_band_group=True,
    ),
    _pct(
        "support_workforce_share",
        "Support workforce share %",
        Domain.WORKFORCE,
        "in-post FTE bands 2-4",
        "in-post FTE",
        "neither",
        None,
        ("staff",),
    ),
    _pct(
        "bank_agency_spend_rate",
        "Bank and agency spend %",
        Domain.WORKFORCE,
        "bank_spend + agency_spend",
        "pay_bill",
        "lower",
        5.0,
        ("spend",),
        by_profession=False,
    ),
    _pct(
        "job_plan_coverage",
        "Job plan coverage %",
        Domain.WORKFORCE,
        "in post with job_plan = Y",
        "in post",
        "higher",
        90.0,
        ("staff",),
        by_band_group=True,
    ),
    _pct(
        "e_roster_coverage",
        "E-roster coverage %",
        Domain.WORKFORCE,
        "in post with e_rostered = Y",
        "in post",
        "higher",
        90.0,
        ("staff",),
        by_band_group=True,
    ),
    _count_metric(
        "apprentices", "Apprentices in post", "in post with apprentice = Y", direction="higher"
    ),
    _count_metric(
        "advanced_practitioners",
        "Advanced practitioners in post",
        "in post with advanced_practice = Y",
        direction="higher",
    ),
    _count_metric(
        "return_to_practice_starters",
        "Return-to-practice starters (12 months)",
        "starters with return_to_practice = Y in the 12 months to month end",
        direction="higher",
    ),
    _pct(
        "placement_fill_rate",
        "Placement fill rate %",
        Domain.WORKFORCE,
        "placements filled",
        "placements offered",
        "higher",
        90.0,
        ("placements",),
        quarterly=True,
    ),
    _pct(
        "placement_capacity_rate",
        "Placement capacity against demand %",
        Domain.WORKFORCE,
        "placements offered",
        "placements requested by education providers",
        "higher",
        100.0,
        ("placements",),
        quarterly=True,
    ),
    _pct(
        "aged_55_plus_share",
        "Staff aged 55 and over %",
        Domain.WORKFORCE,
        "in post with age_band 55_64 or 65_plus",
        "in post with a stated age band",
        "neither",
        None,
        ("staff",),
        by_band_group=True,
        description="Retirement risk (seed 004): the share who could retire in the next ten years.",
    ),
    *AGE_PROFILE,
    *APPRENTICE_LEVELS,
    _pct(
        "support_qualified_l3",
        "Support workforce at bands 3-4 qualified at level 3 and above %",
        Domain.WORKFORCE,
        "in post at bands 3-4 with qualification_level 3 to 8",
        "in post at bands 3-4 with a stated qualification_level",
        "higher",
        None,
        ("staff",),
        description="Readiness employer question 16 (seed 002).",
    ),
    # Improving productivity
    Metric(
        "dcc_sessions_per_fte",
        "Direct clinical care sessions per FTE",
        Domain.PRODUCTIVITY,
        "ratio",
        "dcc_sessions of in-post staff with job_plan = Y and dcc_sessions given",
        "fte of those same staff",
        "higher",
        None,
        ("staff",),
        by_band_group=True,
        description=(
            "Job-planned direct clinical care sessions a week per whole-time equivalent "
            "(seed 003, reported as DCC/FTE); a full-time job plan has 10 sessions."
        ),
    ),
    Metric(
        "contacts_per_fte",
        "Contacts per in-post FTE",
        Domain.PRODUCTIVITY,
        "ratio",
        "contacts",
        "in-post FTE (bands 5-9) of the providers' professions that reported activity that "
        "month (a profession with no activity row at a provider is not reported, not zero: "
        "its staff are left out)",
        "higher",
        None,
        ("activity", "staff"),
    ),
    Metric(
        "contacts_per_clinical_hour",
        "Contacts per clinical hour",
        Domain.PRODUCTIVITY,
        "ratio",
        "contacts",
        "clinical_hours",
        "higher",
        None,
        ("activity",),
    ),
)

BY_CODE: dict[str, Metric] = {metric.code: metric for metric in CATALOGUE}
ANNUAL_CODES: tuple[str, ...] = tuple(m.code for m in CATALOGUE if m.annual)
QUARTER_MONTHS = (1, 4, 7, 10)


def group_metrics(group: str) -> list[Metric]:
    """The counts of one profile (GROUPS), in their order."""
    return [m for m in CATALOGUE if m.group == group]


def annual_month(year: int):
    """The month an annual figure of ``year`` is stored at: January of that year."""
    import datetime as dt

    return dt.date(year, 1, 1)


def get(code: str) -> Metric:
    return BY_CODE[code]


# The scorecard's rows: every metric but the counts read together as a profile (age bands,
# apprentices by level), which the supply and diversity pages show as charts with tables.
SCORECARD = [m for m in CATALOGUE if not m.group]


def by_domain(metrics: list[Metric] | None = None) -> list[tuple[str, str, list[Metric]]]:
    """``metrics`` (default the whole catalogue) by domain, in the catalogue's order."""
    metrics = CATALOGUE if metrics is None else metrics
    return [
        (domain, name, [m for m in metrics if m.domain == domain])
        for domain, name in DOMAINS.items()
    ]
