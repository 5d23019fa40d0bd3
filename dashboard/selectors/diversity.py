"""The diversity page: ethnicity by band, disability declaration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from councils.models import Organisation

from .. import charts
from .. import metrics as catalogue
from ..metrics import ALL_PROFESSIONS, BAND_GROUPS, Metric
from ..models import MetricValue
from ..suppression import Shown, holds_role_at, people_text, shown
from .common import (
    Figure,
    Filters,
    available_months,
    completeness,
    display,
    figures,
    page_data,
    resolve_month,
)

# ---------------------------------------------------------------------------------------------
# Diversity

ETHNICITY_METRIC = "ethnic_minority_share"
SENIOR_METRIC = "ethnic_minority_share_senior"
DISABILITY_METRICS = ("disability_declared_share", "disabled_share")
SEX_METRIC, AGE_METRIC = "female_share", "aged_55_plus_share"
AGE_PROFILE = tuple(m.code for m in catalogue.group_metrics("age_profile"))
GROUP_ORDER = ("support", "registered", "senior")  # support, registered, then bands 8a-9


@dataclass
class BandFigure:
    """One figure of the diversity page: a band (or band group, or all bands) and its value as
    the user may see it, formatted with its own metric."""

    label: str
    figure: Shown
    current: Figure | None
    gap: str = ""
    is_overall: bool = False

    @property
    def metric(self) -> Metric:
        return catalogue.get(self.current.metric if self.current else ETHNICITY_METRIC)

    @property
    def display(self) -> str:
        return display(self.metric, self.figure)

    @property
    def people_display(self) -> str:
        """The people the share rests on (in post with a recorded ethnicity, for instance), or
        "fewer than 5" when the share is hidden."""
        return people_text(self.current, self.figure)

    @property
    def completeness(self) -> str:
        return completeness(self.current)


@dataclass
class DisabilityRow:
    """A band's disability declaration: the declared share and the disabled share."""

    label: str
    declared: BandFigure | None
    disabled: BandFigure | None
    is_overall: bool = False

    @property
    def declared_display(self) -> str:
        return self.declared.display if self.declared else "No data"

    @property
    def disabled_display(self) -> str:
        return self.disabled.display if self.disabled else "No data"

    @property
    def people_display(self) -> str:
        return self.declared.people_display if self.declared else ""

    @property
    def completeness(self) -> str:
        return self.declared.completeness if self.declared else ""


@dataclass
class SexAgeRow:
    """A band group's female share and share aged 55 and over, each with its people."""

    label: str
    female: BandFigure | None
    older: BandFigure | None
    is_overall: bool = False

    @property
    def female_display(self) -> str:
        return self.female.display if self.female else "No data"

    @property
    def older_display(self) -> str:
        return self.older.display if self.older else "No data"

    @property
    def completeness(self) -> str:
        item = self.female or self.older
        return item.completeness if item else ""


@dataclass
class Diversity:
    org: Organisation
    filters: Filters
    month: dt.date | None
    months: list[dt.date]
    overall: BandFigure | None
    bands: list[BandFigure]
    groups: list[BandFigure]
    disability: list[DisabilityRow]
    chart: SafeString | str
    computed_at: dt.datetime | None
    freshness: str
    sex_age: list[SexAgeRow] = field(default_factory=list)
    age_profile: list[BandFigure] = field(default_factory=list)  # in-post headcount by age band
    age_chart: SafeString | str = ""

    @property
    def by_profession(self) -> bool:
        """Single-band figures are stored for all professions together only: with a profession
        chosen the page shows that profession's band groups instead."""
        return self.filters.profession != ALL_PROFESSIONS

    @property
    def disability_overall(self) -> DisabilityRow | None:
        return next((row for row in self.disability if row.is_overall), None)


def band_label(band_group: str) -> str:
    if band_group in catalogue.SINGLE_BANDS:
        return catalogue.SINGLE_BANDS[band_group]
    if band_group.startswith("band_"):
        return f"Band {band_group[5:]}"
    return BAND_GROUPS.get(band_group, band_group)


def _band_order(band_group: str) -> int:
    codes = list(catalogue.SINGLE_BANDS)
    return codes.index(band_group) if band_group in codes else len(codes)


def _group_order(band_group: str) -> int:
    return GROUP_ORDER.index(band_group) if band_group in GROUP_ORDER else len(GROUP_ORDER)


def diversity_for(
    user, org: Organisation, filters: Filters, months: list[dt.date] | None = None
) -> Diversity:
    """Ethnic minority share for each single band (2 ... 9) and band group against the overall
    share, and disability declaration (declared share, disabled share) by band, for ``org``
    at ``filters.month`` (one query).

    Single bands are stored for all professions together only
    (dashboard.compute_datasets.STAFF_BANDS); with a profession chosen, that profession's band
    groups are shown instead."""
    if months is None:
        months = available_months(org)
    month = resolve_month(filters, months)
    overall, bands, groups = None, [], []
    disability: dict[str, dict[str, BandFigure]] = {}
    sex_age: dict[str, dict[str, BandFigure]] = {}
    ages: dict[str, BandFigure] = {}
    computed = []
    if month is not None:
        own = holds_role_at(user, org)
        found = figures(
            MetricValue.objects.filter(
                organisation=org,
                month=month,
                profession=filters.profession,
                metric__in=[
                    ETHNICITY_METRIC,
                    SENIOR_METRIC,
                    *DISABILITY_METRICS,
                    SEX_METRIC,
                    AGE_METRIC,
                    *AGE_PROFILE,
                ],
            )
        )
        for mv in found:
            computed.append(mv.computed_at)
            item = BandFigure(band_label(mv.band_group), shown(mv, user, owner=org, own=own), mv)
            if mv.metric in (SEX_METRIC, AGE_METRIC):
                sex_age.setdefault(mv.band_group, {})[mv.metric] = item
            elif mv.metric in AGE_PROFILE:
                if mv.band_group == "all":
                    item.label = (
                        catalogue.get(mv.metric).name.removeprefix("In post aged ").capitalize()
                    )
                    ages[mv.metric] = item
            elif mv.metric in DISABILITY_METRICS:
                disability.setdefault(mv.band_group, {})[mv.metric] = item
            elif mv.metric == SENIOR_METRIC:
                if mv.band_group == "all":
                    item.label = "Bands 8a-9"
                    groups.append(item)
            elif mv.band_group == "all":
                overall = item
            elif mv.band_group in catalogue.SINGLE_BANDS:
                bands.append(item)
            else:
                groups.append(item)
        bands.sort(key=lambda b: _band_order(b.current.band_group))
        groups.sort(
            key=lambda b: _group_order(
                "senior" if b.current.metric == SENIOR_METRIC else b.current.band_group
            )
        )
        if overall is not None:
            overall.is_overall = True
            overall.label = "All bands"
            for item in bands + groups:
                if overall.figure.value is not None and item.figure.value is not None:
                    points = item.figure.value - overall.figure.value
                    item.gap = f"{points:+.1f} percentage points"
    chart = ""
    shown_bands = bands or groups
    if shown_bands:
        chart = charts.band_bars(
            chart_id="diversity-bands",
            title=f"Ethnic minority share by band, {org.display_name}",
            bars=[(b.label, b.figure.value) for b in shown_bands],
            overall=overall.figure.value if overall else None,
        )
    age_profile = [ages[code] for code in AGE_PROFILE if code in ages]
    age_chart = ""
    if age_profile:
        age_chart = charts.band_bars(
            chart_id="diversity-ages",
            title=f"Staff in post by age band, {org.display_name}",
            bars=[(a.label, a.figure.value) for a in age_profile],
            overall=None,
            unit="count",
        )
    return page_data(
        Diversity,
        org=org,
        stamps=computed,
        sex_age=_sex_age_rows(sex_age),
        age_profile=age_profile,
        age_chart=age_chart,
        filters=filters,
        month=month,
        months=months,
        overall=overall,
        bands=bands,
        groups=groups,
        disability=_disability_rows(disability),
        chart=chart,
    )


def _sex_age_rows(found: dict[str, dict[str, BandFigure]]) -> list[SexAgeRow]:
    """The band groups, then all bands."""
    order = {"support": 0, "registered": 1, "all": 2}
    return [
        SexAgeRow(
            label="All bands" if band_group == "all" else band_label(band_group),
            female=found[band_group].get(SEX_METRIC),
            older=found[band_group].get(AGE_METRIC),
            is_overall=band_group == "all",
        )
        for band_group in sorted(found, key=lambda g: order.get(g, 3))
    ]


def _disability_rows(found: dict[str, dict[str, BandFigure]]) -> list[DisabilityRow]:
    """Single bands in band order, then the band groups, then all bands."""

    def order(band_group: str) -> tuple[int, int]:
        if band_group == "all":
            return (2, 0)
        if band_group in catalogue.SINGLE_BANDS:
            return (0, _band_order(band_group))
        return (1, _group_order(band_group))

    declared, disabled = DISABILITY_METRICS
    return [
        DisabilityRow(
            label="All bands" if band_group == "all" else band_label(band_group),
            declared=found[band_group].get(declared),
            disabled=found[band_group].get(disabled),
            is_overall=band_group == "all",
        )
        for band_group in sorted(found, key=order)
    ]
