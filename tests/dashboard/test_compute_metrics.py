"""Each metric computed by hand on the worked example (tests/dashboard/conftest.py: workforce)
and compared with what the engine stores, for March 2025 (12-month window from 1 April 2024).

RP5 physiotherapists, non-bank, in post on 31 March 2025: A (band 6, 1.0 FTE) and D (band 8a,
1.0 FTE). In post on 31 March 2024: A, B and G. Leavers in the 12 months: B (Sept 2024), C (who
started and left within the year) and G (left on 31 March 2025, so not in post that day). E is
bank staff and counts nowhere but sickness and training; F starts after March.
"""

import datetime as dt

import pytest

from dashboard import metrics as catalogue
from dashboard import services
from dashboard.models import MetricValue
from tests.dashboard.conftest import MARCH, figure


@pytest.fixture
def computed(workforce):
    run = services.recompute_all()
    assert run.status == "succeeded", run.error
    return workforce


def parts(org, metric, **kw):
    value = figure(org, metric, **kw)
    assert value is not None, f"no {metric} row for {org.code} {kw}"
    return value.numerator, value.denominator, value.value, value.people


@pytest.mark.parametrize(
    "metric, expected",
    [
        # in post with a job plan / in post: A of A and D
        ("job_plan_coverage", (1, 2, 50.0, 2)),
        ("e_roster_coverage", (1, 2, 50.0, 2)),
        # counts: no denominator; C the apprentice is no longer in post
        ("apprentices", (0, None, 0.0, 0)),
        ("advanced_practitioners", (1, None, 1.0, 1)),
        ("return_to_practice_starters", (1, None, 1.0, 1)),
        # A white, D ethnic minority; G (not stated) has left
        ("ethnic_minority_share", (1, 2, 50.0, 2)),
        ("ethnic_minority_share_senior", (1, 1, 100.0, 1)),
        # everyone here declared "no": both declared, neither disabled
        ("disability_declared_share", (2, 2, 100.0, 2)),
        ("disabled_share", (0, 2, 0.0, 2)),
        ("support_workforce_share", (0, 2, 0.0, 2)),
        # leavers B, C, G = 3; mean headcount (3 + 2) / 2 = 2.5
        ("turnover_rate", (3, 2.5, 120.0, 2)),
        # sickness: everyone with a staff month, bank included: (2+0+1+5) / (20+20+10+20)
        ("sickness_absence_rate", (8, 70, 800 / 70, 4)),
        # appraisal: in post, not bank, with a staff month: A appraised, D not; G has left
        ("appraisal_rate", (1, 2, 50.0, 2)),
        # training: A 80%, E 100%, G 50%; D has no value
        ("mandatory_training_rate", (2.3, 3, 230 / 3, 3)),
        # vacancy: band 6 3.0-1.0 = 2.0; band 8a 0.5-1.0 floored at 0; band 3 1.0-0 = 1.0
        ("vacancy_rate", (3.0, 4.5, 300 / 4.5, 2)),
        ("fft_positive_rate", (18, 20, 90.0, 20)),
        ("prom_improved_rate", (7, 10, 70.0, 10)),
        ("waiting_over_18w_rate", (10, 40, 25.0, 40)),
        ("dna_rate", (50, 250, 20.0, 250)),
        # contacts / in-post FTE bands 5-9 (A and D)
        ("contacts_per_fte", (200, 2.0, 100.0, 2)),
        ("contacts_per_clinical_hour", (200, 100, 2.0, None)),
        ("bank_agency_spend_rate", (500, 10000, 5.0, None)),
        ("staff_engagement_score", (70, 10, 7.0, 10)),
    ],
)
def test_each_metric_matches_the_hand_computed_value(computed, tree, metric, expected):
    # the staff survey is annual: its 2025 figure is stored once, at January 2025
    month = dt.date(2025, 1, 1) if catalogue.get(metric).annual else MARCH
    numerator, denominator, value, people = parts(tree["RP5"], metric, month=month)
    assert numerator == pytest.approx(expected[0])
    assert denominator == (None if expected[1] is None else pytest.approx(expected[1]))
    assert value == pytest.approx(expected[2])
    assert people == expected[3]


def test_every_catalogue_metric_is_computed(computed, tree):
    stored = set(
        MetricValue.objects.filter(organisation=tree["RP5"]).values_list("metric", flat=True)
    )
    # The worked example's month range is March 2025 alone, which starts no quarter: the
    # quarterly placement metrics are checked on their own data in test_supply_metrics.
    quarterly = {m.code for m in catalogue.CATALOGUE if m.quarterly}
    assert stored == set(catalogue.BY_CODE) - quarterly


def test_band_groups_split_staff_metrics(computed, tree):
    rp5 = tree["RP5"]
    # registered: leavers B and G over (A, B, G at the start + A, D at the end) / 2
    assert parts(rp5, "turnover_rate", band_group="registered")[:3] == (2, 2.5, 80.0)
    # support: only C, who started and left within the year: nobody in post at either end
    assert parts(rp5, "turnover_rate", band_group="support")[:3] == (1, 0, None)
    assert parts(rp5, "vacancy_rate", band_group="support")[2] == pytest.approx(100.0)
    assert parts(rp5, "vacancy_rate", band_group="registered")[2] == pytest.approx(200 / 3.5)
    # a metric not split by band group has only the "all" row
    assert figure(rp5, "support_workforce_share", band_group="support") is None


def test_an_empty_denominator_gives_no_value_not_zero(computed, tree):
    # nobody in bands 8a-9 with a known ethnicity at RXE: no value, and no error
    numerator, denominator, value, _ = parts(tree["RXE"], "ethnic_minority_share_senior")
    assert (numerator, denominator, value) == (0, 0, None)


def test_a_provider_with_one_person(computed, tree):
    rxe = tree["RXE"]
    assert parts(rxe, "job_plan_coverage") == (0, 1, 0.0, 1)
    assert parts(rxe, "turnover_rate")[:3] == (0, 1, 0.0)
    assert parts(rxe, "support_workforce_share", profession="occupational_therapist")[2] == 0.0
    # no staff months, activity or spend at RXE: no rows rather than zeros
    assert figure(rxe, "appraisal_rate") is None
    assert figure(rxe, "dna_rate") is None


def test_bank_staff_are_not_in_post(tree, data):
    rp5 = tree["RP5"]
    data.staff(rp5, start=data_date("2020-01-01"), contract="bank")
    data.staff(rp5, start=data_date("2020-01-01"), end=data_date("2024-06-30"), contract="bank")
    data.establishment(rp5, data_date("2025-03-01"), "2.0")
    services.recompute_all()
    # only bank staff: nobody in post, no leavers, so no staff figures at all
    assert figure(rp5, "job_plan_coverage") is None
    assert figure(rp5, "turnover_rate") is None
    assert parts(rp5, "vacancy_rate")[:3] == (2.0, 2.0, 100.0)  # bank FTE fills no post


def test_professions_are_stored_separately_and_together(computed, tree):
    don = tree["QF7-DON"]
    assert parts(don, "job_plan_coverage", profession="physiotherapist")[:3] == (1, 2, 50.0)
    assert parts(don, "job_plan_coverage", profession="occupational_therapist")[:3] == (0, 1, 0.0)
    numerator, denominator, value, people = parts(don, "job_plan_coverage")
    assert (numerator, denominator, people) == (1, 3, 3)
    assert value == pytest.approx(100 / 3)


def test_engagement_uses_the_survey_year_and_weights_by_respondents(computed, tree):
    # (7.0 x 10 + 8.0 x 30) / 40, not the mean of 7.0 and 8.0
    january = dt.date(2025, 1, 1)
    numerator, denominator, value, _ = parts(
        tree["QF7-DON"], "staff_engagement_score", month=january
    )
    assert (numerator, denominator) == (310, 40)
    assert value == pytest.approx(7.75)
    assert (
        figure(
            tree["QF7-DON"], "staff_engagement_score", profession="physiotherapist", month=january
        )
        is None
    )


def test_the_staff_survey_is_stored_once_per_survey_year_not_month_by_month(computed, tree):
    """PRODUCT.md 3.3: annual figures are never repeated month by month. The 2025 survey gives
    one row per organisation, at January 2025 (metrics.annual_month), whatever months the run
    covers."""
    rows = MetricValue.objects.filter(organisation=tree["RP5"], metric="staff_engagement_score")
    assert list(rows.values_list("month", flat=True)) == [dt.date(2025, 1, 1)]
    # an incremental run over months other than January rewrites the year's figure, once
    from django.utils import timezone

    from dashboard import compute

    compute.compute(months=[MARCH], provider_ids=[tree["RP5"].pk], computed_at=timezone.now())
    assert list(rows.values_list("month", "value")) == [(dt.date(2025, 1, 1), 7.0)]


def test_stored_values_follow_the_catalogue_rule(computed):
    for row in MetricValue.objects.all():
        expected = catalogue.get(row.metric).value(row.numerator, row.denominator)
        assert row.value == (None if expected is None else pytest.approx(expected)), row


def data_date(text):
    import datetime as dt

    return dt.date.fromisoformat(text)
