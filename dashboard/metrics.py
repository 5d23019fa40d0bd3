"""The Quality Dashboard metric catalogue: one definition per metric, the single source that the
engine, the pages, the API and the docs read from (PRODUCT.md 3.1).

Every metric is a ratio of two additive parts stored per organisation, month, profession and band
group, so a parent's value is the sum of its children's numerators over the sum of their
denominators, never an average of ratios. Count metrics have no denominator. The diversity
metrics (``by_band``) are also stored for each single band (``band_2`` ... ``band_9``), for all
professions together.
"""

from dataclasses import dataclass, field

from workforce.models import Band


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
    _pct(
        "ethnic_minority_share",
        "Ethnic minority share, all bands %",
        Domain.STAFF,
        "in post ethnic_minority",
        "in post with known ethnicity",
        "neither",
        None,
        ("staff",),
        by_band_group=True,
        by_band=True,
    ),
    _pct(
        "ethnic_minority_share_senior",
        "Ethnic minority share, bands 8a-9 %",
        Domain.STAFF,
        "in post ethnic_minority, bands 8a-9",
        "in post with known ethnicity, bands 8a-9",
        "higher",
        None,
        ("staff",),
    ),
    _pct(
        "disability_declared_share",
        "Disability declared %",
        Domain.STAFF,
        "in post with disability yes or no",
        "in post",
        "higher",
        None,
        ("staff",),
        by_band_group=True,
        by_band=True,
    ),
    _pct(
        "disabled_share",
        "Disabled staff share %",
        Domain.STAFF,
        "in post with disability yes",
        "in post with disability yes or no",
        "neither",
        None,
        ("staff",),
        by_band_group=True,
        by_band=True,
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
    Metric(
        "apprentices",
        "Apprentices in post",
        Domain.WORKFORCE,
        "count",
        "in post with apprentice = Y",
        "",
        "higher",
        None,
        ("staff",),
        by_band_group=True,
    ),
    Metric(
        "advanced_practitioners",
        "Advanced practitioners in post",
        Domain.WORKFORCE,
        "count",
        "in post with advanced_practice = Y",
        "",
        "higher",
        None,
        ("staff",),
        by_band_group=True,
    ),
    Metric(
        "return_to_practice_starters",
        "Return-to-practice starters (12 months)",
        Domain.WORKFORCE,
        "count",
        "starters with return_to_practice = Y in the 12 months to month end",
        "",
        "higher",
        None,
        ("staff",),
        by_band_group=True,
    ),
    # Improving productivity
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


def annual_month(year: int):
    """The month an annual figure of ``year`` is stored at: January of that year."""
    import datetime as dt

    return dt.date(year, 1, 1)


def get(code: str) -> Metric:
    return BY_CODE[code]


def by_domain() -> list[tuple[str, str, list[Metric]]]:
    return [
        (domain, name, [m for m in CATALOGUE if m.domain == domain])
        for domain, name in DOMAINS.items()
    ]
