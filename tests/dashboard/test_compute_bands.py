"""Diversity by single band (PRODUCT.md 3.1, 3.4 "diversity by band"): the ethnic minority share,
disability declared share and disabled share of each band 2 ... 9, computed by hand on a small
example and compared with what the engine stores (band groups ``band_2`` ... ``band_9``, for all
professions together only).

Doncaster (QF7-DON) has two providers. In post (not bank) on 31 March 2025:

RP5  band 5: P1 white, disability no; P2 ethnic minority, yes; P3 ethnic minority, not stated.
     band 8c: Q1 ethnicity not stated, disability not stated (nobody of known ethnicity).
     band 3: R1 white, yes; R2 white, no (a physiotherapist and a podiatrist).
     Not counted: P4 (bank, ethnic minority, band 5), P5 (ethnic minority, band 5, left on
     31 March: in post at the end of February only), P6 (left on 10 February), S1 (band 9, bank
     only), F1 (band 7, starts in April).
RXE  band 5: X1 ethnic minority, no; X2 white, not stated.
     band 8c: X3 ethnic minority, yes.
"""

import pytest
from django.db import transaction
from django.utils import timezone

from dashboard import compute
from dashboard import metrics as catalogue
from dashboard.models import MetricValue
from tests.dashboard.conftest import MARCH, d, figure

FEBRUARY = d("2025-02-01")
BAND_METRICS = ("ethnic_minority_share", "disability_declared_share", "disabled_share")


@pytest.fixture
def bands(tree, data):
    rp5, rxe = tree["RP5"], tree["RXE"]
    start = d("2020-01-01")

    def person(provider, band, ethnic_group, disability, **kw):
        kw.setdefault("start", start)
        return data.staff(
            provider, band=band, ethnic_group=ethnic_group, disability=disability, **kw
        )

    person(rp5, "5", "white", "no")  # P1
    person(rp5, "5", "ethnic_minority", "yes")  # P2
    person(rp5, "5", "ethnic_minority", "not_stated")  # P3
    person(rp5, "5", "ethnic_minority", "yes", contract="bank")  # P4
    person(rp5, "5", "ethnic_minority", "no", end=d("2025-03-31"))  # P5
    person(rp5, "5", "white", "yes", end=d("2025-02-10"))  # P6
    person(rp5, "8c", "not_stated", "not_stated")  # Q1
    person(rp5, "3", "white", "yes")  # R1
    data.staff(rp5, "podiatrist", band="3", start=start, disability="no")  # R2
    person(rp5, "9", "ethnic_minority", "yes", contract="bank")  # S1
    person(rp5, "7", "ethnic_minority", "yes", start=d("2025-04-01"))  # F1
    person(rxe, "5", "ethnic_minority", "no")  # X1
    person(rxe, "5", "white", "not_stated")  # X2
    person(rxe, "8c", "ethnic_minority", "yes")  # X3
    with transaction.atomic():
        compute.compute(
            months=[FEBRUARY, MARCH], provider_ids=None, computed_at=timezone.now(), full=True
        )


def parts(org, metric, band_group, month=MARCH):
    value = figure(org, metric, band_group=band_group, month=month)
    assert value is not None, f"no {metric} {band_group} row for {org.code}"
    return value.numerator, value.denominator, value.value, value.people


@pytest.mark.parametrize(
    "metric, band_group, expected",
    [
        # band 5: P1, P2, P3 in post; P2 and P3 ethnic minority, all three of known ethnicity
        ("ethnic_minority_share", "band_5", (2, 3, 200 / 3, 3)),
        # P1 (no) and P2 (yes) declared, P3 did not; of those two, P2 has a disability
        ("disability_declared_share", "band_5", (2, 3, 200 / 3, 3)),
        ("disabled_share", "band_5", (1, 2, 50.0, 2)),
        # band 3: two white staff, both declared, R1 disabled: a zero is a value
        ("ethnic_minority_share", "band_3", (0, 2, 0.0, 2)),
        ("disability_declared_share", "band_3", (2, 2, 100.0, 2)),
        ("disabled_share", "band_3", (1, 2, 50.0, 2)),
        # band 8c: Q1 alone, of unknown ethnicity and undeclared: no value, not zero
        ("ethnic_minority_share", "band_8c", (0, 0, None, 1)),
        ("disability_declared_share", "band_8c", (0, 1, 0.0, 1)),
        ("disabled_share", "band_8c", (0, 0, None, 0)),
    ],
)
def test_each_band_matches_the_hand_computed_value(bands, tree, metric, band_group, expected):
    numerator, denominator, value, people = parts(tree["RP5"], metric, band_group)
    assert (numerator, denominator, people) == (expected[0], expected[1], expected[3])
    assert value == (None if expected[2] is None else pytest.approx(expected[2]))


def test_the_overall_shares_count_every_band(bands, tree):
    rp5 = tree["RP5"]
    # in post: P1, P2, P3, Q1, R1, R2; ethnic minority P2, P3 of the 5 of known ethnicity
    assert parts(rp5, "ethnic_minority_share", "all")[:3] == (2, 5, 40.0)
    # declared: P1, P2, R1, R2 of 6; disabled: P2 and R1 of those 4
    assert parts(rp5, "disability_declared_share", "all")[:2] == (4, 6)
    assert parts(rp5, "disabled_share", "all")[:3] == (2, 4, 50.0)
    # the single bands add up to all bands
    for metric in BAND_METRICS:
        total = figure(rp5, metric)
        band_rows = MetricValue.objects.filter(
            organisation=rp5, metric=metric, month=MARCH, band_group__startswith="band_"
        )
        assert sum(r.numerator for r in band_rows) == total.numerator
        assert sum(r.denominator for r in band_rows) == total.denominator


def test_bank_staff_leavers_and_starters_are_not_in_any_band(bands, tree):
    rp5 = tree["RP5"]
    # bank only in band 9 and a starter in April in band 7: no rows at all
    assert figure(rp5, "ethnic_minority_share", band_group="band_9") is None
    assert figure(rp5, "ethnic_minority_share", band_group="band_7") is None
    # P5 leaves on 31 March: in post at the end of February, not of March
    assert parts(rp5, "ethnic_minority_share", "band_5", FEBRUARY)[:2] == (3, 4)
    assert parts(rp5, "ethnic_minority_share", "band_5")[:2] == (2, 3)


def test_a_place_is_the_sum_of_its_providers_band_parts(bands, tree):
    don = tree["QF7-DON"]
    # band 5: RP5 2 of 3 known + RXE 1 of 2 known; declared 2 + 1 of 3 + 2; disabled 1 of 2 + 0 of 1
    assert parts(don, "ethnic_minority_share", "band_5") == (3, 5, 60.0, 5)
    assert parts(don, "disability_declared_share", "band_5") == (3, 5, 60.0, 5)
    assert parts(don, "disabled_share", "band_5")[:2] == (1, 3)
    # band 8c: RP5's 0 of 0 adds nothing to RXE's 1 of 1: 100%, not the average of "none" and 100
    assert parts(don, "ethnic_minority_share", "band_8c") == (1, 1, 100.0, 2)
    assert parts(don, "disability_declared_share", "band_8c")[:3] == (1, 2, 50.0)
    # every band row of the place, the ICS and England is the sum of its providers' parts
    providers = MetricValue.objects.filter(
        organisation__in=[tree["RP5"], tree["RXE"]], band_group__startswith="band_"
    )
    sums: dict = {}
    for row in providers:
        entry = sums.setdefault((row.metric, row.band_group, row.month), [0, 0, 0])
        entry[0] += row.numerator
        entry[1] += row.denominator
        entry[2] += row.people
    for org in (don, tree["QF7"], tree["Y63"], tree["ENG"]):
        rows = MetricValue.objects.filter(organisation=org, band_group__startswith="band_")
        assert rows.count() == len(sums)
        for row in rows:
            assert [row.numerator, row.denominator, row.people] == sums[
                (row.metric, row.band_group, row.month)
            ]
            expected = catalogue.get(row.metric).value(row.numerator, row.denominator)
            assert row.value == (None if expected is None else pytest.approx(expected))


def test_band_rows_are_for_all_professions_and_the_diversity_metrics_only(bands, tree):
    band_rows = MetricValue.objects.filter(band_group__startswith="band_")
    assert set(band_rows.values_list("profession", flat=True)) == {"all"}
    assert set(band_rows.values_list("metric", flat=True)) == set(BAND_METRICS)
    assert set(band_rows.values_list("band_group", flat=True)) == {"band_3", "band_5", "band_8c"}
    assert {m.code for m in catalogue.CATALOGUE if m.by_band} == set(BAND_METRICS)
    # per profession only the band groups: R2 the podiatrist is in the support group
    assert parts(tree["RP5"], "ethnic_minority_share", "all")[:2] == (2, 5)
    podiatry = figure(tree["RP5"], "disability_declared_share", profession="podiatrist")
    assert (podiatry.numerator, podiatry.denominator) == (1, 1)
    assert figure(tree["RP5"], "disabled_share", profession="podiatrist", band_group="support")


def test_band_rows_count_the_providers_reporting(bands, tree):
    # QF7: RP5 and RXE of its three providers (RHQ has no staff)
    row = figure(tree["QF7"], "ethnic_minority_share", band_group="band_5")
    assert (row.providers_reporting, row.providers_total) == (2, 3)
    # RXE has no band 3 but is still reporting staff for the month
    row = figure(tree["QF7"], "disabled_share", band_group="band_3")
    assert (row.providers_reporting, row.providers_total) == (2, 3)


def test_an_incremental_run_gives_the_same_band_rows(bands, tree):
    before = {
        (r.organisation_id, r.metric, r.band_group, r.month): (r.numerator, r.denominator)
        for r in MetricValue.objects.filter(band_group__startswith="band_")
    }
    with transaction.atomic():
        compute.compute(months=[MARCH], provider_ids=[tree["RXE"].pk], computed_at=timezone.now())
    after = {
        (r.organisation_id, r.metric, r.band_group, r.month): (r.numerator, r.denominator)
        for r in MetricValue.objects.filter(band_group__startswith="band_")
    }
    assert after == before
