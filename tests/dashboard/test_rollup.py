"""Parents are sums of their children's parts, never averages of their ratios."""

from collections import defaultdict

import pytest

from dashboard import metrics as catalogue
from dashboard import services
from dashboard.models import MetricValue
from tests.dashboard.conftest import MARCH, d, figure


@pytest.fixture
def three_ics_data(workforce, tree, data):
    """The worked example at RP5 and RXE (QF7), plus RR8 (QWO) and RAL (London)."""
    rr8 = tree["RR8"]
    for i in range(9):
        data.staff(rr8, band="5", start=d("2023-01-01"), job_plan=i < 9)
    data.staff(rr8, band="5", start=d("2023-01-01"), end=d("2024-12-31"))
    data.activity(rr8, MARCH, contacts=1000, dna=10, fft_responses=200, fft_positive=100)
    data.spend(rr8, MARCH, "50000", "0", "0")
    data.staff(tree["RAL"], band="6", start=d("2023-01-01"))
    run = services.recompute_all()
    assert run.status == "succeeded", run.error


def test_region_is_the_sum_of_its_ics_parts(three_ics_data, tree):
    y63 = MetricValue.objects.filter(organisation=tree["Y63"], month=MARCH)
    children = MetricValue.objects.filter(organisation__in=[tree["QF7"], tree["QWO"]], month=MARCH)
    sums = defaultdict(lambda: [0.0, 0.0, 0, False])
    for row in children:
        entry = sums[(row.metric, row.profession, row.band_group)]
        entry[0] += row.numerator or 0
        entry[1] += row.denominator or 0
        entry[2] += row.people or 0
        entry[3] = entry[3] or row.denominator is not None
    assert y63.count() == len(sums)
    reporting_by_metric = defaultdict(int)
    for row in children.filter(profession="all", band_group="all"):
        reporting_by_metric[row.metric] += row.providers_reporting
    for row in y63:
        numerator, denominator, people, has_denominator = sums[
            (row.metric, row.profession, row.band_group)
        ]
        assert row.numerator == pytest.approx(numerator), row
        assert row.denominator == (pytest.approx(denominator) if has_denominator else None)
        assert (row.people or 0) == people
        # completeness is about the dataset, whatever the profession or band group: the
        # providers below with data for it that month, of all the providers below
        assert row.providers_total == 4
        assert row.providers_reporting == reporting_by_metric[row.metric]
        expected = catalogue.get(row.metric).value(row.numerator, row.denominator)
        assert row.value == (None if expected is None else pytest.approx(expected))


def test_a_parent_is_not_the_average_of_its_childrens_rates(three_ics_data, tree):
    # QF7: RP5 1 of 2 and RXE 0 of 1 with a job plan; QWO: RR8 9 of 9
    qf7 = figure(tree["QF7"], "job_plan_coverage")
    qwo = figure(tree["QWO"], "job_plan_coverage")
    y63 = figure(tree["Y63"], "job_plan_coverage")
    assert (qf7.numerator, qf7.denominator) == (1, 3)
    assert (qwo.numerator, qwo.denominator) == (9, 9)
    assert y63.value == pytest.approx(100 * 10 / 12)
    assert y63.value != pytest.approx((qf7.value + qwo.value) / 2)


def test_england_covers_every_provider(three_ics_data, tree):
    england = figure(tree["ENG"], "job_plan_coverage")
    assert (england.numerator, england.denominator) == (10, 13)
    assert (england.providers_reporting, england.providers_total) == (4, 5)


def test_completeness_counts_providers_with_data_for_the_dataset(three_ics_data, tree):
    # activity: RP5 and RR8 of the 4 providers in the region
    fft = figure(tree["Y63"], "fft_positive_rate")
    assert (fft.providers_reporting, fft.providers_total) == (2, 4)
    assert fft.value == pytest.approx(100 * 118 / 220)
    # the physiotherapist row counts providers with activity data, whatever their professions
    assert (
        figure(tree["QF7"], "fft_positive_rate", profession="physiotherapist").providers_total == 3
    )
    # a provider's own rows: 1 of 1
    own = figure(tree["RP5"], "fft_positive_rate")
    assert (own.providers_reporting, own.providers_total) == (1, 1)


def test_an_organisation_with_no_data_below_has_no_rows(three_ics_data, tree):
    assert not MetricValue.objects.filter(organisation=tree["QF7-SHE"]).exists()
