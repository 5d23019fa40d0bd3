"""Metric definitions read in words, not the catalogue's column names."""

import re

from dashboard.metrics import CATALOGUE
from dashboard.templatetags.dashboard_words import in_words


def test_a_definition_is_in_words():
    assert in_words("sickness_days_lost") == "sickness days lost"
    assert in_words("in post with job_plan = Y") == "in post with job plan recorded"
    assert in_words("bank_spend + agency_spend") == "bank spend plus agency spend"


def test_no_definition_in_the_catalogue_shows_a_field_name():
    for metric in CATALOGUE:
        for part in (metric.numerator, metric.denominator or ""):
            words = in_words(part)
            assert not re.search(r"[a-z]_[a-z]|= Y", words), (metric.code, words)
