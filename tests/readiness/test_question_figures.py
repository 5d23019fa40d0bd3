"""A readiness question shows the dashboard figures that answer it (PRODUCT.md 9), read from the
store: employer Q7 beside turnover, system Q4 beside the diversity figures, employer Q16 beside
the support workforce's qualification levels when that metric is in the catalogue."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard import metrics as catalogue
from dashboard.models import MetricValue
from readiness.figures import QUESTION_FIGURES, wanted_figures
from readiness.models import Submission
from tests.readiness.conftest import client_of


def _value(org, metric, value, *, band_group="all", month=dt.date(2026, 8, 1), people=40):
    MetricValue.objects.create(
        organisation=org, metric=metric, band_group=band_group, month=month, numerator=value,
        denominator=100, value=value, people=people, suppressed=people < 5,
        providers_reporting=1, providers_total=1, computed_at=timezone.now(),
    )  # fmt: skip


def _question_block(html, number):
    """From question ``number``'s text to the next answer block (editable or read-only)."""
    from django.utils.html import escape

    from readiness.models import Question

    text = (
        Question.objects.filter(
            section__template__code="support_workforce", section__code="employer", number=number
        )
        .first()
        .text
    )
    start = html.index(escape(text)[:40])
    end = html.find('class="app-answer"', start)
    return html[start : end if end > 0 else None]


def test_every_mapped_metric_is_in_the_catalogue_or_waits_for_it():
    for (template, section, number), figures in QUESTION_FIGURES.items():
        shown = wanted_figures(template, section, number)
        for code, band_group in figures:
            if code in catalogue.BY_CODE:
                assert (code, band_group) in shown
            else:
                assert (code, band_group) not in shown  # e.g. support_qualified_l3 until added


def test_employer_q7_shows_turnover_from_the_store(employer_cycle, tree, people):
    _value(tree["RP5"], "turnover_rate", 12.5, band_group="support")
    _value(tree["RP5"], "turnover_rate", 9.0, month=dt.date(2026, 7, 1))  # older
    _value(tree["RP5"], "turnover_rate", 10.4)
    _value(tree["RXE"], "turnover_rate", 33.3, band_group="support")  # another provider
    sub = Submission.objects.get(cycle=employer_cycle, organisation=tree["RP5"])
    html = client_of(people["rp5"]).get(reverse("readiness:submission", args=[sub.pk]))
    block = _question_block(html.content.decode(), 7)
    assert "Figures from the dashboard" in block
    assert "support workforce (bands 2-4) (August 2026)" in block and "12.5%" in block
    assert "10.4%" in block and "9.0%" not in block and "33.3%" not in block
    assert "Figures from the dashboard" not in _question_block(html.content.decode(), 6)


def test_a_small_figure_is_fewer_than_5_outside_its_organisation(employer_cycle, tree, people):
    _value(tree["RP5"], "turnover_rate", 50.0, band_group="support", people=2)
    sub = Submission.objects.get(cycle=employer_cycle, organisation=tree["RP5"])
    url = reverse("readiness:submission", args=[sub.pk])
    own = _question_block(client_of(people["rp5"]).get(url).content.decode(), 7)
    chair = _question_block(client_of(people["chair"]).get(url).content.decode(), 7)
    assert "50.0%" in own
    assert "50.0%" not in chair and "fewer than 5" in chair


@pytest.mark.skipif(
    "support_qualified_l3" in catalogue.BY_CODE, reason="the metric is in the catalogue"
)
def test_q16_shows_nothing_until_its_metric_exists(employer_cycle, tree, people):
    _value(tree["RP5"], "turnover_rate", 12.5, band_group="support")
    sub = Submission.objects.get(cycle=employer_cycle, organisation=tree["RP5"])
    html = client_of(people["rp5"]).get(reverse("readiness:submission", args=[sub.pk]))
    assert "Figures from the dashboard" not in _question_block(html.content.decode(), 16)


def test_the_submission_page_reads_its_figures_in_one_query(
    employer_cycle, tree, people, django_assert_max_num_queries
):
    sub = Submission.objects.get(cycle=employer_cycle, organisation=tree["RP5"])
    client, url = client_of(people["rp5"]), reverse("readiness:submission", args=[sub.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as before:
        client.get(url)
    _value(tree["RP5"], "turnover_rate", 12.5, band_group="support")
    _value(tree["RP5"], "turnover_rate", 10.4)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_system_q4_shows_the_diversity_figures(tree, make_user):
    from readiness.figures import figures_for_questions
    from readiness.models import Question

    q4 = Question.objects.get(
        section__template__code="support_workforce", section__template__version=1,
        section__code="system", number="4",
    )  # fmt: skip
    _value(tree["QF7"], "ethnic_minority_share", 21.0, band_group="support")
    _value(tree["QF7"], "ethnic_minority_share", 17.5)
    _value(tree["QF7"], "disabled_share", 6.0, band_group="support")
    viewer = make_user("viewer", tree["QF7"])
    (found,) = figures_for_questions(
        viewer, tree["QF7"], "support_workforce", "system", [q4]
    ).values()
    by_label = {f.label: f.value for f in found}
    assert by_label["Ethnic minority share, all bands %, support workforce (bands 2-4)"] == "21.0%"
    assert by_label["Ethnic minority share, all bands %"] == "17.5%"
    assert by_label["Disabled staff share %, support workforce (bands 2-4)"] == "6.0%"
    assert by_label["Disability declared %, support workforce (bands 2-4)"] == "No data"
