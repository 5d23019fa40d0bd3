"""The dashboard figures that answer a readiness question (PRODUCT.md 9: "a respondent starts
from data"), shown beside it on the submission page. Read from the aggregate store
(``MetricValue``, written by the recompute), never computed per request, and shown as the
viewer may see them (``dashboard.suppression``).

:data:`QUESTION_FIGURES` is the one table of which question shows which figures. A metric not
in the catalogue (``dashboard.metrics``) is left out, so a question waits for its metric."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboard import metrics as catalogue
from dashboard.models import MetricValue
from dashboard.selectors.common import completeness, display
from dashboard.suppression import holds_role_at, shown

# (template code, section code, question number) -> the figures, as (metric code, band group)
QUESTION_FIGURES: dict[tuple[str, str, str], tuple[tuple[str, str], ...]] = {
    # employer Q7: "What is the turnover rate of your AHP support workforce ...?"
    ("support_workforce", "employer", "7"): (
        ("turnover_rate", "support"),
        ("turnover_rate", "all"),
    ),
    # system Q4: "Do you understand the diversity of the AHP support workforce in your ICS,
    # including age, disability, race ...?"
    ("support_workforce", "system", "4"): (
        ("ethnic_minority_share", "support"),
        ("ethnic_minority_share", "all"),
        ("disabled_share", "support"),
        ("disability_declared_share", "support"),
    ),
    # employer Q16: "What percentage of your support workforce at bands 3 and 4 hold relevant
    # formal qualifications at level 3 and above?"
    ("support_workforce", "employer", "16"): (("support_qualified_l3", "all"),),
}


@dataclass(frozen=True)
class QuestionFigure:
    metric: catalogue.Metric
    band_group: str
    month: dt.date | None
    value: str  # as shown: "12.5%", "fewer than 5" or "No data"
    completeness: str

    @property
    def label(self) -> str:
        if self.band_group == "all":
            return self.metric.name
        return f"{self.metric.name}, {catalogue.BAND_GROUPS[self.band_group].lower()}"


def wanted_figures(template: str, section: str, number: str) -> list[tuple[str, str]]:
    """The figures of one question that the catalogue can give."""
    found = []
    for code, band_group in QUESTION_FIGURES.get((template, section, str(number)), ()):
        metric = catalogue.BY_CODE.get(code)
        if metric is None or (band_group != "all" and not metric.by_band_group):
            continue
        found.append((code, band_group))
    return found


def figures_for_questions(user, organisation, template: str, section: str, questions):
    """Question pk -> its figures for ``organisation`` (all professions), each at the latest
    month with a stored figure. One query for the whole page."""
    wanted = {q.pk: wanted_figures(template, section, q.number) for q in questions}
    keys = {key for keys in wanted.values() for key in keys}
    if not keys:
        return {}
    latest: dict[tuple[str, str], MetricValue] = {}
    for mv in MetricValue.objects.filter(
        organisation=organisation,
        metric__in={code for code, _ in keys},
        band_group__in={band for _, band in keys},
        profession=catalogue.ALL_PROFESSIONS,
    ).order_by("-month"):
        key = (mv.metric, mv.band_group)
        if key in keys and key not in latest and (mv.value is not None or mv.suppressed):
            latest[key] = mv
    own = holds_role_at(user, organisation)
    result = {}
    for pk, keys_of_question in wanted.items():
        items = []
        for code, band_group in keys_of_question:
            metric, mv = catalogue.BY_CODE[code], latest.get((code, band_group))
            figure = shown(mv, user, organisation, own=own)
            items.append(
                QuestionFigure(
                    metric=metric,
                    band_group=band_group,
                    month=mv.month if mv else None,
                    value=display(metric, figure),
                    completeness="" if figure.suppressed else completeness(mv),
                )
            )
        if items:
            result[pk] = items
    return result
