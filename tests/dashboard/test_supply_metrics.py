"""The supply metrics of issue 19 (placements, age, sex, apprenticeship and qualification levels,
direct clinical care sessions) against an independent computation in Python, for every
organisation, month, profession and band group the store holds, and every one it should."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from ahpportal.months import month_end, month_range
from councils.models import Level, Organisation
from dashboard import metrics as catalogue
from dashboard import services
from dashboard.models import MetricValue
from tests.dashboard.conftest import d
from workforce.models import Placement, Staff

FIRST, LAST = dt.date(2025, 1, 1), dt.date(2025, 6, 1)
MONTHS = month_range(FIRST, LAST)
PROFESSIONS = ("physiotherapist", "occupational_therapist", "paramedic")
AGES = ("under_25", "25_34", "35_44", "45_54", "55_64", "65_plus", "not_stated")
QUALIFICATIONS = ("0", "1", "2", "3", "4", "5", "6", "not_stated")
SUPPORT = ("2", "3", "4")


@pytest.fixture
def supply_data(tree, data):
    """Random but seeded staff at four providers in three ICSs, and placements for two
    quarters; establishment rows at RP5 set the month range to January to June 2025."""
    rng = random.Random(19)
    for code in ("RP5", "RXE", "RR8", "RAL"):
        provider = tree[code]
        for _ in range(40):
            band = rng.choice(("2", "3", "4", "5", "6", "7", "8a"))
            apprentice = band in SUPPORT and rng.random() < 0.3
            job_plan = rng.random() < 0.7
            fte = Decimal(rng.choice(("0.50", "0.80", "1.00")))
            start = d("2020-01-01") + dt.timedelta(days=rng.randrange(2000))
            end = start + dt.timedelta(days=rng.randrange(100, 900)) if rng.random() < 0.3 else None
            data.staff(
                provider,
                rng.choice(PROFESSIONS),
                band,
                start=start,
                end=end,
                fte=str(fte),
                contract=rng.choice(("permanent", "permanent", "fixed_term", "bank")),
                apprentice=apprentice,
                job_plan=job_plan,
                age_band=rng.choice(AGES),
                sex=rng.choice(("female", "female", "male", "not_stated")),
                apprenticeship_level=rng.choice(("2", "3", "4", "5", "6", "7", ""))
                if apprentice
                else "",
                qualification_level=rng.choice(QUALIFICATIONS),
                dcc_sessions=(
                    fte * Decimal(rng.choice(("5", "6.5", "7.5")))
                    if job_plan and rng.random() < 0.8
                    else None
                ),
            )
        for quarter in (dt.date(2025, 1, 1), dt.date(2025, 4, 1)):
            for profession in PROFESSIONS[: rng.randint(1, 3)]:
                offered = rng.randint(0, 30)
                data.placement(
                    provider,
                    quarter,
                    offered,
                    rng.randint(0, 40),
                    rng.randint(0, offered),
                    profession=profession,
                )
    for month in MONTHS:
        data.establishment(tree["RP5"], month, "10.0")
    run = services.recompute_all()
    assert run.status == "succeeded", run.error
    return tree


def _in_post(s, end):
    return s.contract != "bank" and s.start_date <= end and (s.end_date is None or s.end_date > end)


def _counted(rule):
    return lambda rows: (sum(1 for s in rows if rule(s)), None, sum(1 for s in rows if rule(s)))


def _share(numerator, denominator):
    def compute(rows):
        below = [s for s in rows if denominator(s)]
        return sum(1 for s in below if numerator(s)), len(below), len(below)

    return compute


def _dcc(rows):
    rows = [s for s in rows if s.job_plan and s.dcc_sessions is not None]
    return sum(s.dcc_sessions for s in rows), sum(s.fte for s in rows), len(rows)


STAFF_RULES = {
    "aged_55_plus_share": _share(
        lambda s: s.age_band in ("55_64", "65_plus"), lambda s: s.age_band != "not_stated"
    ),
    "female_share": _share(lambda s: s.sex == "female", lambda s: s.sex != "not_stated"),
    "support_qualified_l3": _share(
        lambda s: s.qualification_level in ("3", "4", "5", "6", "7", "8"),
        lambda s: s.band in ("3", "4") and s.qualification_level != "not_stated",
    ),
    "dcc_sessions_per_fte": _dcc,
    **{f"in_post_age_{age}": _counted(lambda s, age=age: s.age_band == age) for age in AGES[:-1]},
    **{
        f"apprentices_level_{level}": _counted(
            lambda s, level=level: s.apprentice and s.apprenticeship_level == level
        )
        for level in ("2", "3", "4", "5", "6", "7")
    },
}
PLACEMENT_RULES = {
    "placement_fill_rate": lambda rows: (
        sum(p.filled for p in rows),
        sum(p.offered for p in rows),
        sum(p.offered for p in rows),
    ),
    "placement_capacity_rate": lambda rows: (
        sum(p.offered for p in rows),
        sum(p.requested for p in rows),
        sum(p.requested for p in rows),
    ),
}


def _below(org, rows):
    return [r for r in rows if r.provider.path.startswith(org.path)]


def _slices(metric):
    professions = ["all", *PROFESSIONS] if metric.by_profession else ["all"]
    bands = ["all", "support", "registered"] if metric.by_band_group else ["all"]
    return [(p, b) for p in professions for b in bands]


def _in_slice(row, profession, band_group):
    if profession != "all" and row.profession.code != profession:
        return False
    if band_group == "support":
        return row.band in SUPPORT
    if band_group == "registered":
        return row.band not in SUPPORT
    return True


def _stored(code):
    return {
        (v.organisation_id, v.month, v.profession, v.band_group): v
        for v in MetricValue.objects.filter(metric=code)
    }


def _check(stored, key, expected, metric):
    numerator, denominator, people = expected
    row = stored.get(key)
    assert row is not None, f"no row for {metric.code} {key}"
    assert row.numerator == pytest.approx(float(numerator)), (metric.code, key)
    if denominator is None:
        assert row.denominator is None
    else:
        assert row.denominator == pytest.approx(float(denominator)), (metric.code, key)
    assert row.people == people, (metric.code, key)
    assert row.value == (
        None
        if metric.value(numerator, denominator) is None
        else pytest.approx(metric.value(float(numerator), float(denominator or 0)))
    )


def _expected(metric, records, months_of, at_month):
    """(key, rows, records of the month) for every organisation, month, profession and band
    group with records: ``months_of(records)`` the months, ``at_month(records, month)`` those
    that count in a month."""
    for org in Organisation.objects.all():
        below = _below(org, records)
        for month in months_of(below):
            present = at_month(below, month)
            for profession, band_group in _slices(metric):
                rows = [r for r in present if _in_slice(r, profession, band_group)]
                if rows:
                    yield (org.pk, month, profession, band_group), rows, present


@pytest.mark.parametrize("code", sorted(STAFF_RULES))
def test_staff_supply_metrics_match_an_independent_computation_at_every_level(supply_data, code):
    metric = catalogue.get(code)
    staff = list(Staff.objects.select_related("provider", "profession"))
    stored = _stored(code)
    expected_keys = set()
    for key, rows, _ in _expected(
        metric,
        staff,
        lambda records: MONTHS,
        lambda records, month: [s for s in records if _in_post(s, month_end(month))],
    ):
        expected_keys.add(key)
        _check(stored, key, STAFF_RULES[code](rows), metric)
    assert expected_keys <= set(stored)
    # every other stored row rests on nobody in post (only leavers in the turnover window):
    # zero parts
    for key in set(stored) - expected_keys:
        assert stored[key].numerator == 0, (code, key)


@pytest.mark.parametrize("code", sorted(PLACEMENT_RULES))
def test_placement_metrics_match_an_independent_computation_at_every_level(supply_data, code):
    metric = catalogue.get(code)
    placements = list(Placement.objects.select_related("provider", "profession"))
    stored = _stored(code)
    expected_keys = set()
    for key, rows, in_quarter in _expected(
        metric,
        placements,
        lambda records: {p.month for p in records},
        lambda records, month: [p for p in records if p.month == month],
    ):
        expected_keys.add(key)
        _check(stored, key, PLACEMENT_RULES[code](rows), metric)
        assert stored[key].providers_reporting == len({p.provider_id for p in in_quarter})
    assert expected_keys == set(stored)
    # one figure per quarter, at its first month: never repeated for the other months
    assert {key[1] for key in stored} == {dt.date(2025, 1, 1), dt.date(2025, 4, 1)}
    england = Organisation.objects.get(level=Level.ENGLAND)
    assert stored[(england.pk, dt.date(2025, 4, 1), "all", "all")].providers_total == 5


def test_a_left_out_age_band_counts_in_no_share(tree, data):
    rp5 = tree["RP5"]
    data.staff(rp5, start=d("2020-01-01"), age_band="55_64")
    data.staff(rp5, start=d("2020-01-01"), age_band="not_stated")
    data.staff(rp5, start=d("2020-01-01"))  # the default: an old-format file's person
    data.establishment(rp5, FIRST, "3.0")
    services.recompute_all()
    row = MetricValue.objects.get(
        organisation=rp5,
        metric="aged_55_plus_share",
        month=FIRST,
        profession="all",
        band_group="all",
    )
    assert (row.numerator, row.denominator, row.value) == (1, 1, 100.0)
    assert row.suppressed  # one person with a stated age band: fewer than 5
