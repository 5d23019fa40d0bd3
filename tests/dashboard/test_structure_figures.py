"""Figures on the current structure (PRODUCT.md 7): after a move or a merger and the recompute
it asks for, every month's data is aggregated under today's tree, a closed provider's data under
its final successor. Each figure at every level is checked against a computation from the raw
rows that walks the tree with treebeard and follows the successors in Python, not the engine's
SQL."""

import datetime as dt
import io
from collections import defaultdict

import pytest

from councils import structure
from councils.models import Level, Organisation
from dashboard import metrics as catalogue
from dashboard import services as dashboard_services
from dashboard import snapshots
from dashboard.models import MetricValue, RecomputeRun
from tests.dashboard.conftest import d, store_snapshot
from tests.dashboard.test_import_order import assert_store_is_a_full_recompute
from tests.dashboard.test_snapshots import history_at, store_now
from tests.workforce.conftest import csv_bytes, good_row
from workforce import services as workforce_services
from workforce.models import ImportRun, Staff, StaffMonth

MONTHS = [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
METRICS = ("sickness_absence_rate", "job_plan_coverage")
FEBRUARY, MARCH = MONTHS[1], MONTHS[2]


@pytest.fixture
def raw(tree, data):
    """Staff at every provider (some with job plans, one bank) and a staff month for each of
    them in January to March 2025, with different sickness at each provider and month."""
    plan = {"RP5": 3, "RXE": 1, "RHQ": 2, "RR8": 0, "RAL": 1}
    for n, code in enumerate(("RP5", "RXE", "RHQ", "RR8", "RAL"), start=1):
        people = [
            data.staff(tree[code], band="6", start=d("2020-01-01"), job_plan=i < plan[code])
            for i in range(n + 2)
        ]
        people.append(data.staff(tree[code], band="5", contract="bank", start=d("2021-01-01")))
        for i, person in enumerate(people):
            for k, month in enumerate(MONTHS):
                data.staff_month(person, month, sick=str((n + i + k) % 4), available="20")


def recompute():
    for run in dashboard_services.run_pending():
        assert run.status == RecomputeRun.Status.SUCCEEDED, run.error


# ------------------------------------------------------------------ the independent computation
def final_successor(provider: Organisation) -> Organisation:
    while provider.successor_id:
        provider = Organisation.objects.get(pk=provider.successor_id)
    return provider


def counted_in(provider: Organisation) -> list[Organisation]:
    """Where the provider's data counts today: its final successor and everything above it."""
    unit = final_successor(provider)
    return [unit, *unit.get_ancestors()]  # treebeard's own walk up the tree


def open_providers_at_or_below(org: Organisation) -> int:
    return sum(
        1
        for p in Organisation.objects.filter(level=Level.PROVIDER, closed_on__isnull=True)
        if p.pk == org.pk or org.pk in {a.pk for a in p.get_ancestors()}
    )


def expected_figures() -> dict:
    """(metric, organisation code, month) -> (numerator, denominator, value, people, providers
    reporting, providers total), for all professions and bands, from the raw rows."""
    parts = defaultdict(lambda: [0.0, 0.0, 0])
    reporting = defaultdict(set)
    places = {p.pk: counted_in(p) for p in Organisation.objects.filter(level=Level.PROVIDER)}
    for row in StaffMonth.objects.all():
        unit, *_ = places[row.provider_id]
        for org in places[row.provider_id]:
            entry = parts[("sickness_absence_rate", org.code, row.month)]
            entry[0] += float(row.sickness_days_lost)
            entry[1] += float(row.days_available)
            entry[2] += 1
            reporting[("sickness_absence_rate", org.code, row.month)].add(unit.pk)
    for person in Staff.objects.exclude(contract="bank"):
        unit, *_ = places[person.provider_id]
        for month in MONTHS:
            month_end = month.replace(day=28) + dt.timedelta(days=4)
            month_end -= dt.timedelta(days=month_end.day)
            if person.start_date > month_end or (person.end_date and person.end_date <= month_end):
                continue
            for org in places[person.provider_id]:
                entry = parts[("job_plan_coverage", org.code, month)]
                entry[0] += 1 if person.job_plan else 0
                entry[1] += 1
                entry[2] += 1
                reporting[("job_plan_coverage", org.code, month)].add(unit.pk)
    by_code = {o.code: o for o in Organisation.objects.all()}
    expected = {}
    for key, (numerator, denominator, people) in parts.items():
        metric = catalogue.get(key[0])
        total = open_providers_at_or_below(by_code[key[1]])
        expected[key] = (
            numerator,
            denominator,
            metric.value(numerator, denominator),
            people,
            len(reporting[key]),
            total,
        )
    return expected


def stored_figures() -> dict:
    rows = MetricValue.objects.filter(
        metric__in=METRICS, profession="all", band_group="all"
    ).values_list(
        "metric",
        "organisation__code",
        "month",
        "numerator",
        "denominator",
        "value",
        "people",
        "providers_reporting",
        "providers_total",
    )
    return {row[:3]: row[3:] for row in rows}


def assert_every_figure_is_the_independent_computation():
    stored, expected = stored_figures(), expected_figures()
    assert sorted(stored) == sorted(expected)
    levels = {Organisation.objects.get(code=code).level for _, code, _ in stored}
    assert levels == set(Level.values)  # provider, place, ICS, region and England
    for key, want in expected.items():
        assert stored[key] == pytest.approx(want), key


# ---------------------------------------------------------------------------------------- moves
def move(tree, code, to, on=MARCH):
    return structure.record_move(tree[code], tree[to], on, user=None, reason="Reorganised")


def test_after_moves_every_figure_is_computed_under_todays_tree(tree, raw):
    dashboard_services.recompute_all()
    move(tree, "RXE", "QF7-SHE")  # a provider moves place
    move(tree, "QWO-LEE", "QF7")  # a place moves ICS
    move(tree, "QMJ", "Y63")  # an ICS moves region
    recompute()
    assert_every_figure_is_the_independent_computation()
    # every month of RXE's data is under Sheffield now, none under Doncaster
    sheffield = MetricValue.objects.get(
        organisation__code="QF7-SHE", metric="job_plan_coverage", month=dt.date(2025, 1, 1),
        profession="all", band_group="all",
    )  # fmt: skip
    assert (sheffield.numerator, sheffield.denominator, sheffield.providers_total) == (3, 9, 2)
    london = MetricValue.objects.filter(organisation__code="Y56", metric="job_plan_coverage")
    assert not london.exists()  # its only ICS moved to North East and Yorkshire


def test_recording_a_change_changes_no_figure_until_the_recompute_runs(tree, raw):
    dashboard_services.recompute_all()
    before = store_snapshot()
    move(tree, "RXE", "QF7-SHE")
    structure.record_merger(
        [tree["RP5"], tree["RHQ"]], code="RX1", name="South Yorkshire Hospitals NHS Trust",
        effective=MARCH, user=None, reason="Merged",
    )  # fmt: skip
    assert store_snapshot() == before
    assert RecomputeRun.objects.filter(status="pending", kind="full").count() == 2
    recompute()
    assert store_snapshot() != before
    assert_every_figure_is_the_independent_computation()


# -------------------------------------------------------------------------------------- mergers
@pytest.fixture
def merged(tree, raw):
    """RP5 and RXE merge into RX1 (Doncaster) in February; RX1 and RHQ into RX2 (Sheffield) in
    March: RP5 and RXE count as RX2 by a chain of successors, and Doncaster is left empty."""
    dashboard_services.recompute_all()
    rx1 = structure.record_merger(
        [tree["RP5"], tree["RXE"]], code="RX1", name="Doncaster Hospitals NHS Trust",
        effective=FEBRUARY, user=None, reason="Merged",
    )  # fmt: skip
    structure.record_merger(
        [rx1, tree["RHQ"]], code="RX2", name="South Yorkshire Hospitals NHS Trust",
        effective=MARCH, user=None, reason="Merged", place=tree["QF7-SHE"],
    )  # fmt: skip
    recompute()


def test_after_mergers_every_figure_is_computed_under_the_successors(merged, tree):
    assert_every_figure_is_the_independent_computation()


def test_a_closed_provider_and_an_emptied_place_have_no_figures(merged, tree):
    for code in ("RP5", "RXE", "RX1", "QF7-DON"):
        assert not MetricValue.objects.filter(organisation__code=code).exists(), code


def test_completeness_counts_open_providers_and_a_closed_one_reporting_as_its_successor(
    merged, tree
):
    def counts(code, month=dt.date(2025, 1, 1)):
        figure = MetricValue.objects.get(
            organisation__code=code, metric="sickness_absence_rate", month=month,
            profession="all", band_group="all",
        )  # fmt: skip
        return figure.providers_reporting, figure.providers_total

    # January: RP5, RXE and RHQ reported; today they are one provider, RX2
    assert counts("RX2") == (1, 1)
    assert counts("QF7") == (1, 1)
    assert counts("Y63") == (2, 2)  # RX2 and RR8
    assert counts("ENG") == (3, 3)  # and RAL


def test_an_import_for_a_closed_provider_recomputes_its_successor_incrementally(merged, tree):
    before = MetricValue.objects.get(
        organisation__code="RX2", metric="sickness_absence_rate", month=FEBRUARY,
        profession="all", band_group="all",
    )  # fmt: skip
    before_numerator = before.numerator
    rp5_staff = Staff.objects.filter(provider=tree["RP5"]).order_by("staff_id").first()
    first_sick = float(StaffMonth.objects.get(staff=rp5_staff, month=FEBRUARY).sickness_days_lost)
    row = good_row(
        "staff_month", provider_code="RP5", staff_id=rp5_staff.staff_id, month="2025-02",
        sickness_days_lost="15", days_available="20", mandatory_training_pct="",
    )  # fmt: skip
    run = workforce_services.import_file(
        dataset="staff_month",
        fileobj=io.BytesIO(csv_bytes([row])),
        file_name="late-correction.csv",
        organisation=Organisation.objects.get(code="RP5"),
        user=None,
        commit=True,
    )
    assert run.status == ImportRun.Status.COMMITTED, run.errors
    incremental = RecomputeRun.objects.filter(status="pending").get()
    assert incremental.kind == "incremental"
    recompute()
    after = MetricValue.objects.get(
        organisation__code="RX2", metric="sickness_absence_rate", month=FEBRUARY,
        profession="all", band_group="all",
    )  # fmt: skip
    assert after.numerator == before_numerator + 15 - first_sick
    assert_every_figure_is_the_independent_computation()
    assert history_at(snapshots.latest()) == store_now()  # the snapshot's scope covered RX2
    assert_store_is_a_full_recompute()


def test_pages_of_the_successor_say_a_closed_providers_import_is_being_recomputed(merged, tree):
    rp5_staff = Staff.objects.filter(provider=tree["RP5"]).order_by("staff_id").first()
    row = good_row("staff_month", provider_code="RP5", staff_id=rp5_staff.staff_id, month="2025-02")
    workforce_services.import_file(
        dataset="staff_month",
        fileobj=io.BytesIO(csv_bytes([row])),
        file_name="late-correction.csv",
        organisation=Organisation.objects.get(code="RP5"),
        user=None,
        commit=True,
    )
    pending = RecomputeRun.objects.get(status="pending")
    for code in ("RX2", "QF7-SHE", "QF7", "ENG"):
        assert dashboard_services.recompute_notices(Organisation.objects.get(code=code)) == [
            pending
        ], code
    for code in ("QF7-DON", "RR8", "QWO"):  # RP5's old place has no figure to change
        assert dashboard_services.recompute_notices(Organisation.objects.get(code=code)) == [], code
