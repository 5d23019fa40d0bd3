"""Metric definitions in words: the catalogue's column names ("sickness_days_lost") as users read
them ("sickness days lost")."""

import re

from django import template

register = template.Library()

WORDS = [
    (r"\bfft_positive\b", "positive Friends and Family Test responses"),
    (r"\bfft_responses\b", "Friends and Family Test responses"),
    (r"\bprom_completed\b", "patient-reported outcome measures completed"),
    (r"\bprom_improved\b", "patient-reported outcome measures showing improvement"),
    (r"\bdna\b", "appointments not attended"),
    (r"\bwaiting_over_18w\b", "people waiting over 18 weeks"),
    (r"\bwaiting_total\b", "people waiting"),
    (r"\bappraised_12m\b", "appraised in the last 12 months"),
    (r"\bmandatory_training_pct / 100\b", "mandatory training completion (as a fraction)"),
    (r"\bfunded_fte\b", "funded FTE"),
    (r"\s*=\s*Y\b", " recorded"),
    (r"\bx\b", "times"),
]


@register.filter
def in_words(text: str) -> str:
    """``"in post with job_plan = Y"`` -> ``"in post with job plan recorded"``."""
    text = str(text or "")
    for pattern, words in WORDS:
        text = re.sub(pattern, words, text)
    text = text.replace("_", " ").replace(" + ", " plus ").replace(" - ", " minus ")
    return re.sub(r"\bFTE\b|\bfte\b", "FTE", text)


@register.filter
def metric_number(value, metric) -> str:
    """A figure as pages show it, in the metric's unit (dashboard.charts.fmt_number)."""
    from dashboard.charts import fmt_number

    return fmt_number(value, metric.unit)


@register.filter
def ordinal_words(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@register.filter
def peer_quarter(position) -> str:
    """A peer position's quarter of the distribution in words."""
    from dashboard.selectors.peers import QUARTERS

    return QUARTERS.get(position.quarter, "")
