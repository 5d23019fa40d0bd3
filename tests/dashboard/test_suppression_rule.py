"""Suppression exactly as PRODUCT.md 3.4, through the engine: who holds a role at the owning
organisation sees a small figure, nobody else; the recompute hides the next smallest sibling
when a hidden figure could otherwise be recovered from its parent's total; every page shows
"fewer than 5" (and no plotted point) to everyone else."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard import compute
from dashboard.models import MetricValue
from tests.dashboard.conftest import MARCH, d, figure


def small_provider_world(tree, data):
    """RXE: two people at band 8d, one of them from an ethnic minority (50.0% on 2 people).
    RP5: twelve band 6 physiotherapists. Both in Doncaster place."""
    for i in range(12):
        data.staff(tree["RP5"], band="6", start=d("2020-01-01"), job_plan=i % 2 == 0)
    data.staff(tree["RXE"], band="8d", start=d("2021-01-01"), ethnic_group="ethnic_minority")
    data.staff(tree["RXE"], band="8d", start=d("2021-01-01"), job_plan=True)
    data.staff(tree["RHQ"], band="6", start=d("2020-01-01"))
    data.activity(tree["RP5"], MARCH, contacts=100, dna=5)
    compute.compute(months=[MARCH], provider_ids=None, computed_at=timezone.now(), full=True)


@pytest.fixture
def small(tree, data):
    small_provider_world(tree, data)


def test_a_figure_on_fewer_than_5_people_is_marked_and_so_is_the_next_smallest_sibling(tree, small):
    rxe = figure(tree["RXE"], "job_plan_coverage")
    rp5 = figure(tree["RP5"], "job_plan_coverage")
    place = figure(tree["QF7-DON"], "job_plan_coverage")
    assert (rxe.people, rxe.suppressed) == (2, True)  # primary
    # the place's total (14 people, shown) minus RP5 would give RXE: RP5 is hidden too
    assert (rp5.people, rp5.suppressed) == (12, True)
    # Sheffield's only provider, RHQ, rests on 1 person, and so does Sheffield place: the ICS
    # total (15, shown) minus Doncaster would give Sheffield, so Doncaster is hidden too
    assert figure(tree["RHQ"], "job_plan_coverage").suppressed
    assert figure(tree["QF7-SHE"], "job_plan_coverage").suppressed
    assert (place.people, place.suppressed) == (14, True)
    ics = figure(tree["QF7"], "job_plan_coverage")
    assert (ics.people, ics.suppressed) == (15, False)


def test_no_hidden_figure_is_the_only_hidden_one_among_its_siblings(tree, small):
    """The differencing case, over the whole store: in every group of siblings (one parent,
    metric, profession, band group, month), never exactly one hidden figure."""
    groups = {}
    for v in MetricValue.objects.select_related("organisation").exclude(people=None):
        if v.organisation.depth == 1:
            continue
        key = (v.organisation.path[: -v.organisation.steplen], v.metric, v.profession,
               v.band_group, v.month)  # fmt: skip
        groups.setdefault(key, []).append(v)
    lonely = [  # an only child is its parent's total: the parent is as small, and hidden
        key
        for key, rows in groups.items()
        if len(rows) > 1 and sum(1 for r in rows if r.suppressed) == 1
    ]
    assert lonely == []
    assert any(sum(r.suppressed for r in rows) >= 2 for rows in groups.values())


def test_an_incremental_run_unhides_a_sibling_no_longer_needed(tree, data, small):
    from dashboard import services

    # RXE grows to 6 people and RHQ to 5: nothing in the ICS's job plans is small (while
    # Sheffield stayed on 1 person, Doncaster was hidden beside it, and then one of Doncaster's
    # providers too, or the two would have added up to Doncaster)
    for _ in range(4):
        data.staff(tree["RXE"], band="7", start=d("2021-01-01"))
        data.staff(tree["RHQ"], band="7", start=d("2021-01-01"))
    services.recompute(
        run=services.request_recompute(
            provider_ids=[tree["RXE"].pk, tree["RHQ"].pk], months=[MARCH]
        )
    )
    for code in ("RXE", "RP5", "RHQ", "QF7-DON", "QF7-SHE"):
        assert figure(tree[code], "job_plan_coverage").suppressed is False, code


# RXE's hidden figure as a page or file writes it: not inside a time ("12:35:50.069615" is a
# "computed at" time that happens to contain the characters)
FIFTY = re.compile(r"(?<![\d:.])50\.0(?!\d)")


def _diversity(client, org):
    return client.get(reverse("dashboard:diversity", kwargs={"code": org.code})).content.decode()


@pytest.mark.parametrize("role_at", ["Y63", "ENG", "QF7", "QF7-DON"])
def test_a_regional_chair_does_not_see_a_providers_band_8d_share_on_2_people(
    role_at, tree, small, client_for
):
    page = _diversity(client_for("chair", tree[role_at]), tree["RXE"])
    row = page[page.index('scope="row">Band 8d<') :]
    row = row[: row.index("</tr>")]
    assert "50.0%" not in page
    assert row.count("fewer than 5") >= 2  # the share and the people it rests on
    # and the chart plots no bar for it
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert not FIFTY.search(chart)


def test_the_providers_own_roles_see_their_band_8d_share_and_its_people(tree, small, client_for):
    page = _diversity(client_for("viewer", tree["RXE"]), tree["RXE"])
    row = page[page.index('scope="row">Band 8d<') :]
    row = row[: row.index("</tr>")]
    assert "50.0%" in row and ">2<" in row and "1 of 1 provider" in row


@pytest.mark.parametrize(
    "name",
    [
        "dashboard:scorecard",
        "dashboard:board_report",
        "dashboard:scorecard_csv",
    ],
)
def test_the_scorecard_board_report_and_export_hide_it_from_the_place(
    name, tree, small, client_for
):
    """RXE's job plan coverage is 50.0% on 2 people: the place's chair sees "fewer than 5" on
    RXE's pages and downloads; RXE's own viewer sees the figure."""
    url = reverse(name, kwargs={"code": "RXE"}) + "?month=2025-03"
    outside = client_for("chair", tree["QF7-DON"]).get(url).content.decode()
    inside = client_for("viewer", tree["RXE"]).get(url).content.decode()
    assert "fewer than 5" in outside
    assert not FIFTY.search(outside)
    assert FIFTY.search(inside)


def test_the_metric_page_plots_no_point_for_a_hidden_month(tree, small, client_for):
    url = reverse("dashboard:metric", kwargs={"code": "RXE", "metric": "job_plan_coverage"})
    outside = client_for("chair", tree["Y63"]).get(url + "?month=2025-03").content.decode()
    assert not FIFTY.search(outside) and "fewer than 5" in outside
