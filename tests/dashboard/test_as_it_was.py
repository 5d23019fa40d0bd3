"""The "as it was" view (PRODUCT.md 7): each month under the structure of that month, stored by
the recompute beside today's. Every figure of the view is checked against a computation from the
raw rows that walks each month's tree from the recorded parent periods and closures with the
ORM and treebeard, not the engine's SQL; the view must never let a hidden figure be recovered
by subtracting one shown figure from another, across the two views."""

import datetime as dt
import io
import re
from collections import defaultdict

import pytest
from django.urls import reverse
from django.utils.html import escape

from councils.models import Level, Organisation
from dashboard import as_it_was
from dashboard import metrics as catalogue
from dashboard import services as dashboard_services
from dashboard.models import AsItWasScope, AsItWasValue, MetricValue, RecomputeRun
from dashboard.selectors.common import figures_in_view
from tests.dashboard.test_structure_figures import (
    FEBRUARY,
    MARCH,
    METRICS,
    MONTHS,
    assert_every_figure_is_the_independent_computation,
    counted_in,
    merged,  # noqa: F401 (a fixture: RP5, RXE -> RX1 in February; RX1, RHQ -> RX2 in March)
    move,
    raw,  # noqa: F401 (a fixture)
    recompute,
)
from tests.workforce.conftest import csv_bytes, good_row
from workforce import services as workforce_services
from workforce.models import ImportRun, Staff, StaffMonth

JANUARY = MONTHS[0]


# ------------------------------------------------------------------ the independent computation
def parent_then(org: Organisation, month: dt.date) -> Organisation | None:
    for period in org.parent_periods.all():
        if (period.valid_from is None or period.valid_from <= month) and month < period.valid_to:
            return period.parent
    return org.get_parent()  # treebeard: today's parent


def chain_then(org: Organisation, month: dt.date) -> list[Organisation]:
    chain = [org]
    while (parent := parent_then(chain[-1], month)) is not None:
        chain.append(parent)
    return chain


def counts_as_then(provider: Organisation, month: dt.date) -> Organisation:
    while provider.closed_on and provider.closed_on <= month:
        provider = provider.successor
    return provider


def existed(provider: Organisation, month: dt.date) -> bool:
    closings = [p.closed_on for p in provider.predecessors.all()]
    opened = not closings or min(closings) <= month
    return opened and (provider.closed_on is None or month < provider.closed_on)


def month_end(month: dt.date) -> dt.date:
    end = month.replace(day=28) + dt.timedelta(days=4)
    return end - dt.timedelta(days=end.day)


def expected_as_it_was() -> dict:
    """(metric, organisation code, month) -> (numerator, denominator, value, people, providers
    reporting, providers total) as it was, for all professions and bands, from the raw rows."""
    providers = list(Organisation.objects.filter(level=Level.PROVIDER))
    parts = defaultdict(lambda: [0.0, 0.0, 0])
    reporting = defaultdict(set)
    walked = {}  # (provider, month) -> (the provider it counted as, where it counted)

    def add(metric, provider, month, numerator, denominator):
        if (provider.pk, month) not in walked:
            unit = counts_as_then(provider, month)
            walked[(provider.pk, month)] = (
                unit,
                chain_then(unit, month) if existed(unit, month) else [],
            )
        unit, orgs = walked[(provider.pk, month)]
        for org in orgs:
            entry = parts[(metric, org.code, month)]
            entry[0] += numerator
            entry[1] += denominator
            entry[2] += 1
            reporting[(metric, org.code, month)].add(unit.pk)

    for row in StaffMonth.objects.select_related("provider"):
        sick, available = float(row.sickness_days_lost), float(row.days_available)
        add("sickness_absence_rate", row.provider, row.month, sick, available)
    for person in Staff.objects.exclude(contract="bank").select_related("provider"):
        for month in MONTHS:
            end = month_end(month)
            if person.start_date <= end and not (person.end_date and person.end_date <= end):
                add("job_plan_coverage", person.provider, month, 1 if person.job_plan else 0, 1)
    chains = {}

    def walked_chain(p, month):
        if (p.pk, month) not in chains:
            chains[(p.pk, month)] = chain_then(p, month)
        return chains[(p.pk, month)]

    expected = {}
    for key, (numerator, denominator, people) in parts.items():
        metric, code, month = key
        total = sum(
            1
            for p in providers
            if existed(p, month) and code in {o.code for o in walked_chain(p, month)}
        )
        value = catalogue.get(metric).value(numerator, denominator)
        expected[key] = (numerator, denominator, value, people, len(reporting[key]), total)
    return expected


def in_view(view: str) -> dict:
    codes = dict(Organisation.objects.values_list("pk", "code"))
    return {
        (f.metric, codes[f.organisation_id], f.month): (
            f.numerator,
            f.denominator,
            f.value,
            f.people,
            f.providers_reporting,
            f.providers_total,
        )
        for f in figures_in_view(view, metric__in=METRICS, profession="all", band_group="all")
    }


def assert_the_view_as_it_was_is_the_independent_computation():
    shown, expected = in_view(as_it_was.AS_IT_WAS), expected_as_it_was()
    assert sorted(shown) == sorted(expected)
    levels = {Organisation.objects.get(code=code).level for _, code, _ in shown}
    assert levels == set(Level.values)  # provider, place, ICS, region and England
    for key, want in expected.items():
        assert shown[key] == pytest.approx(want), key


def figure(code, month, metric="job_plan_coverage", view=as_it_was.AS_IT_WAS):
    return in_view(view).get((metric, code, month))


# ---------------------------------------------------------------------------------------- moves
@pytest.fixture
def moved(tree, raw):  # noqa: F811
    """From March 2025: RXE moves from Doncaster to Sheffield place, Leeds place from West
    Yorkshire to South Yorkshire and Bassetlaw, North Central London from London to North East
    and Yorkshire."""
    dashboard_services.recompute_all()
    move(tree, "RXE", "QF7-SHE")
    move(tree, "QWO-LEE", "QF7")
    move(tree, "QMJ", "Y63")
    recompute()


def test_after_moves_each_month_as_it_was_is_under_that_months_tree(moved, tree):
    assert_the_view_as_it_was_is_the_independent_computation()
    assert_every_figure_is_the_independent_computation()  # today's structure unchanged
    # Doncaster counted RXE in January and February, not in March; on today's structure never
    assert figure("QF7-DON", JANUARY)[1] == 3 + 4  # RP5's and RXE's staff in post
    assert figure("QF7-DON", MARCH)[1] == 3
    assert figure("QF7-DON", JANUARY, view=as_it_was.CURRENT)[1] == 3
    assert figure("Y56", FEBRUARY) is not None  # London had its ICS until March
    assert figure("Y56", MARCH) is None
    assert figure("Y56", FEBRUARY, view=as_it_was.CURRENT) is None


def test_only_the_organisation_months_that_differ_are_stored_apart(moved, tree):
    differ = {(code, month) for code, month in AsItWasScope.objects.values_list(
        "organisation__code", "month")}  # fmt: skip
    before_march = {m for m in as_it_was.months_of(MONTHS) if m < MARCH}
    changed = {"QF7-DON", "QF7-SHE", "QF7", "QWO", "Y63", "Y56"}  # not the providers, not ENG
    assert differ == {(code, month) for code in changed for month in before_march}
    assert not AsItWasValue.objects.filter(month__gte=MARCH).exists()


def test_recording_a_change_changes_neither_view_until_the_recompute_runs(tree, raw):  # noqa: F811
    dashboard_services.recompute_all()
    current, before = in_view(as_it_was.CURRENT), in_view(as_it_was.AS_IT_WAS)
    assert current == before  # nothing has changed yet: the views are one
    move(tree, "RXE", "QF7-SHE")
    assert (in_view(as_it_was.CURRENT), in_view(as_it_was.AS_IT_WAS)) == (current, before)
    recompute()
    assert in_view(as_it_was.AS_IT_WAS) != before
    assert_the_view_as_it_was_is_the_independent_computation()


# -------------------------------------------------------------------------------------- mergers
@pytest.mark.usefixtures("merged")
def test_after_mergers_each_provider_has_its_own_figures_while_it_existed(tree):
    assert_the_view_as_it_was_is_the_independent_computation()
    assert_every_figure_is_the_independent_computation()
    assert figure("RP5", JANUARY) is not None and figure("RP5", FEBRUARY) is None
    assert figure("RX1", JANUARY) is None  # not open yet
    assert figure("RX1", FEBRUARY)[1] == 3 + 4  # RP5 and RXE together
    assert figure("RX1", MARCH) is None  # merged again
    assert figure("RX2", MARCH)[1] == 3 + 4 + 5
    assert figure("RX2", JANUARY) is None
    # England counted three providers in January (RP5, RXE, RHQ and two more), today one
    assert figure("ENG", JANUARY)[5] == 5
    assert figure("ENG", JANUARY, view=as_it_was.CURRENT)[5] == 3


# ---------------------------------------------------------------------------------- suppression
def provider_sets(view: str) -> dict:
    """(organisation code, month) -> the providers whose data is in its figures, in ``view``."""
    providers = list(Organisation.objects.filter(level=Level.PROVIDER))
    sets = defaultdict(set)
    for month in MONTHS:
        for p in providers:
            if view == as_it_was.CURRENT:
                orgs = counted_in(p)
            else:
                unit = counts_as_then(p, month)
                orgs = chain_then(unit, month) if existed(unit, month) else []
            for org in orgs:
                sets[(org.code, month)].add(p.code)
    return sets


def assert_no_hidden_figure_is_recovered_by_a_difference():
    """For someone without a role: every pair of shown figures of one metric and month, one
    over a subset of the other's providers, differs by 0 or at least 5 people, across both
    views."""
    codes = dict(Organisation.objects.values_list("pk", "code"))
    for metric in METRICS:
        for month in MONTHS:
            shown = []
            for view in (as_it_was.CURRENT, as_it_was.AS_IT_WAS):
                sets = provider_sets(view)
                for f in figures_in_view(
                    view, metric=metric, month=month, profession="all", band_group="all"
                ):
                    if not f.suppressed:
                        code = codes[f.organisation_id]
                        assert f.people >= 5, (view, code, month, metric)
                        shown.append((frozenset(sets[(code, month)]), f.people, view, code))
            for small, people, *which in shown:
                for big, more, *other in shown:
                    if small < big:
                        assert more - people == 0 or more - people >= 5, (which, other, month)


def test_a_provider_under_5_that_moved_is_not_given_away_by_its_old_place(moved, tree):
    # RXE has 4 staff in post: hidden. As it was, Doncaster (RP5 and RXE, 7) would give RXE
    # away beside Doncaster on today's structure (RP5 alone): hidden too.
    assert MetricValue.objects.get(
        organisation__code="RXE", metric="job_plan_coverage", month=JANUARY,
        profession="all", band_group="all",
    ).suppressed  # fmt: skip
    doncaster = AsItWasValue.objects.get(
        organisation__code="QF7-DON", metric="job_plan_coverage", month=JANUARY,
        profession="all", band_group="all",
    )  # fmt: skip
    assert doncaster.people == 7 and doncaster.suppressed
    assert_no_hidden_figure_is_recovered_by_a_difference()


@pytest.mark.usefixtures("merged")
def test_merged_providers_are_hidden_together_where_one_is(tree):
    assert_no_hidden_figure_is_recovered_by_a_difference()


def test_without_a_change_of_structure_nothing_is_stored_apart(tree, raw):  # noqa: F811
    dashboard_services.recompute_all()
    assert not AsItWasScope.objects.exists() and not AsItWasValue.objects.exists()
    assert in_view(as_it_was.AS_IT_WAS) == in_view(as_it_was.CURRENT)


# ---------------------------------------------------------------------------- pages and downloads
def metric_url(org, **params):
    from urllib.parse import urlencode

    url = reverse("dashboard:metric", kwargs={"code": org.code, "metric": "job_plan_coverage"})
    return f"{url}?{urlencode(params)}" if params else url


def january_row(page: str) -> str:
    table = page[page.index("<table") :]
    return table[table.index("January 2025") :][:400]


def test_the_metric_page_switches_between_the_views_and_says_which_it_shows(
    moved, tree, client_for
):
    client = client_for("viewer", tree["QF7-DON"])
    today = client.get(metric_url(tree["QF7-DON"], month="2025-02")).content.decode()
    assert escape(as_it_was.SENTENCES[as_it_was.CURRENT]) in today
    assert "100.0%" in january_row(today)  # RP5's 3 of 3 staff with a job plan
    then = client.get(
        metric_url(tree["QF7-DON"], month="2025-02", view="as_it_was")
    ).content.decode()
    assert escape(as_it_was.SENTENCES[as_it_was.AS_IT_WAS]) in then
    assert re.search(r'<option value="as_it_was" selected\s*>As it was</option>', then)
    assert "57.1%" in january_row(then)  # and RXE's 1 of 4, counted in Doncaster then
    assert "view=as_it_was" in then  # the page's links keep the view


def test_someone_without_a_role_there_sees_the_old_place_as_fewer_than_5(moved, tree, client_for):
    # Doncaster as it was rests on 7 people but would give RXE's 4 away (hidden by rule 2)
    page = (
        client_for("viewer", tree["QF7"])
        .get(metric_url(tree["QF7-DON"], month="2025-02", view="as_it_was"))
        .content.decode()
    )
    assert "fewer than 5" in january_row(page)


def test_a_sibling_gets_404_in_either_view(moved, tree, client_for):
    client = client_for("chair", tree["QF7-SHE"])
    for view in ("current", "as_it_was"):
        assert client.get(metric_url(tree["QF7-DON"], view=view)).status_code == 404
        url = reverse("dashboard:scorecard", kwargs={"code": "QF7-DON"}) + f"?view={view}"
        assert client.get(url).status_code == 404


def test_the_download_says_which_view_it_holds(moved, tree, client_for):
    url = reverse(
        "dashboard:metric_download",
        kwargs={"code": "QF7-DON", "metric": "job_plan_coverage", "extension": "csv"},
    )
    response = client_for("viewer", tree["QF7-DON"]).get(url + "?view=as_it_was&month=2025-02")
    body = response.content.decode()
    assert f"Structure,{as_it_was.SENTENCES[as_it_was.AS_IT_WAS]}" in body.replace('"', "")
    assert "as-it-was" in response["Content-Disposition"]


@pytest.mark.parametrize("code", ["ENG", "QF7", "QF7-DON", "RP5"])
def test_pages_as_it_was_make_a_fixed_number_of_queries(
    code, moved, tree, client_for, django_assert_max_num_queries
):
    # today's structure's pages make at most 20; as it was reads the organisation-months that
    # differ and their figures beside the store's, for the series, the peers and the months
    client = client_for("viewer", tree[code])
    with django_assert_max_num_queries(24):
        assert client.get(metric_url(tree[code], view="as_it_was")).status_code == 200
    url = reverse("dashboard:scorecard", kwargs={"code": code}) + "?view=as_it_was"
    with django_assert_max_num_queries(24):
        assert client.get(url).status_code == 200


def correct_sickness(code: str, month: str, days: str):
    """Import a one-row staff_month correction for the first staff member of ``code``: that
    month's sickness days lost. Returns the staff member and the days recorded before."""
    staff = Staff.objects.filter(provider__code=code).order_by("staff_id").first()
    before = float(
        StaffMonth.objects.get(
            staff=staff, month=dt.date.fromisoformat(f"{month}-01")
        ).sickness_days_lost
    )
    row = good_row(
        "staff_month", provider_code=code, staff_id=staff.staff_id, month=month,
        sickness_days_lost=days, days_available="20", mandatory_training_pct="",
    )  # fmt: skip
    run = workforce_services.import_file(
        dataset="staff_month",
        fileobj=io.BytesIO(csv_bytes([row])),
        file_name="late-correction.csv",
        organisation=Organisation.objects.get(code=code),
        user=None,
        commit=True,
    )
    assert run.status == ImportRun.Status.COMMITTED, run.errors
    return staff, before


def test_an_import_rewrites_only_its_months_as_it_was(moved, tree):
    february_ids = set(AsItWasValue.objects.filter(month=FEBRUARY).values_list("pk", flat=True))
    before = figure("QF7-DON", JANUARY, metric="sickness_absence_rate")[0]
    _, first_sick = correct_sickness("RXE", "2025-01", "11")
    recompute()
    assert_the_view_as_it_was_is_the_independent_computation()
    # February's figures as it was are the ones written before (January's were rewritten: the
    # month imported, and its survey year's annual figures)
    assert set(AsItWasValue.objects.filter(month=FEBRUARY).values_list("pk", flat=True)) == (
        february_ids
    )
    after = figure("QF7-DON", JANUARY, metric="sickness_absence_rate")[0]
    assert after == before + 11 - first_sick  # RXE's correction, counted in Doncaster then


@pytest.mark.usefixtures("merged")
def test_a_closed_providers_own_months_open_as_it_was(tree, client_for):
    client = client_for("viewer", tree["QF7"])
    url = reverse("dashboard:scorecard", kwargs={"code": "RP5"})
    today = client.get(url).content.decode()
    assert "closed on 1 February 2025" in today and f"{url}?view=as_it_was" in today
    then = client.get(f"{url}?view=as_it_was").content.decode()
    assert "January 2025" in then and escape(as_it_was.SENTENCES[as_it_was.AS_IT_WAS]) in then
    assert '<option value="2025-02"' not in then  # it had no months after its closure


def test_pages_without_the_switch_say_they_are_on_todays_structure(moved, tree, client_for):
    client = client_for("viewer", tree["QF7-DON"])
    for name in ("diversity", "supply"):
        page = client.get(reverse(f"dashboard:{name}", kwargs={"code": "QF7-DON"})).content
        assert escape(as_it_was.SENTENCES[as_it_was.CURRENT]) in page.decode(), name


def test_an_import_before_a_changes_full_run_leaves_the_view_as_it_was_until_that_run(moved, tree):
    move(tree, "RP5", "QF7-SHE", on=FEBRUARY)  # queues a full run
    written = set(AsItWasValue.objects.values_list("pk", "value"))
    correct_sickness("RP5", "2025-01", "13")
    incremental = RecomputeRun.objects.get(status="pending", kind="incremental")
    assert dashboard_services.recompute(run=incremental).status == "succeeded"
    # the figures as it was are those of the structure they were computed under, untouched
    assert set(AsItWasValue.objects.values_list("pk", "value")) == written
    recompute()  # the full run: both views on the new structure
    assert_the_view_as_it_was_is_the_independent_computation()
    assert_every_figure_is_the_independent_computation()
