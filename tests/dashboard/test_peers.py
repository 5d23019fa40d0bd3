"""Peer benchmarking (PRODUCT.md 9): quartiles by linear interpolation (type 7) checked against a
hand computation, hidden and missing figures left out, fewer than 5 peers give no stats, and the
recompute writes them with the figures."""

import datetime as dt

import pytest
from django.utils import timezone

from councils.models import Organisation
from dashboard import compute, peers
from dashboard.models import MetricValue, PeerPosition, PeerStat
from tests.dashboard.conftest import MARCH, d

MONTH = dt.date(2025, 3, 1)


def test_type_7_quartiles_against_a_hand_computation():
    # sorted 2, 4, 7, 8, 15, 20 (n = 6): h = 5p + 1
    # p = 0.25: h = 2.25 -> 4 + 0.25 x (7 - 4) = 4.75
    # p = 0.5:  h = 3.5  -> 7 + 0.5 x (8 - 7) = 7.5
    # p = 0.75: h = 4.75 -> 8 + 0.75 x (15 - 8) = 13.25
    ordered = [2.0, 4.0, 7.0, 8.0, 15.0, 20.0]
    assert peers.quantile(ordered, 0.25) == pytest.approx(4.75)
    assert peers.quantile(ordered, 0.5) == pytest.approx(7.5)
    assert peers.quantile(ordered, 0.75) == pytest.approx(13.25)
    assert peers.quantile(ordered, 0.0) == 2.0 and peers.quantile(ordered, 1.0) == 20.0
    assert peers.quantile([3.0], 0.25) == 3.0


def _provider_types(tree, kinds):
    for code, kind in kinds.items():
        Organisation.objects.filter(pk=tree[code].pk).update(provider_type=kind)


def _figure(org, value, *, people=20, suppressed=False, metric="job_plan_coverage"):
    MetricValue.objects.create(
        organisation=org, month=MONTH, metric=metric, numerator=value, denominator=100,
        value=value, people=people, suppressed=suppressed, computed_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def six_acute(tree):
    """Six acute providers (RAL's sibling NEW1 added), one community, one acute figure hidden."""
    from councils.tree import organisation_ensure

    extra = organisation_ensure(
        parent=tree["QMJ-CAM"], code="NEW1", name="New acute", level="provider"
    )
    tree["NEW1"] = extra
    _provider_types(tree, {"RP5": "acute", "RXE": "acute", "RHQ": "acute", "RR8": "acute",
                           "RAL": "acute", "NEW1": "acute"})  # fmt: skip
    for code, value in {"RP5": 20.0, "RXE": 4.0, "RHQ": 8.0, "RR8": 15.0, "RAL": 7.0}.items():
        _figure(tree[code], value)
    _figure(tree["NEW1"], 2.0)
    _figure(tree["QF7"], 99.0)  # not a provider: never a peer
    return tree


def test_the_distribution_of_a_type_from_the_store(six_acute):
    tree = six_acute
    _figure(tree["RP5"], 1.0, metric="appraisal_rate", people=3, suppressed=True)
    assert peers.refresh([MONTH], timezone.now()) == 1
    stat = PeerStat.objects.get(provider_type="acute", metric="job_plan_coverage", month=MONTH)
    assert (stat.count, stat.minimum, stat.maximum) == (6, 2.0, 20.0)
    assert (stat.lower_quartile, stat.median, stat.upper_quartile) == pytest.approx(
        (4.75, 7.5, 13.25)
    )
    ranks = {p.organisation.code: (p.rank, p.quarter) for p in PeerPosition.objects.all()}
    assert ranks == {"NEW1": (1, 1), "RXE": (2, 1), "RAL": (3, 2), "RHQ": (4, 3),
                     "RR8": (5, 4), "RP5": (6, 4)}  # fmt: skip


def test_hidden_figures_and_small_peer_groups_are_left_out(six_acute):
    tree = six_acute
    MetricValue.objects.filter(organisation=tree["RP5"]).update(suppressed=True, people=3)
    peers.refresh([MONTH], timezone.now())
    stat = PeerStat.objects.get(provider_type="acute", metric="job_plan_coverage")
    assert (stat.count, stat.maximum) == (5, 15.0)  # RP5's 20.0 is not in it
    assert not PeerPosition.objects.filter(organisation=tree["RP5"]).exists()
    MetricValue.objects.filter(organisation=tree["RXE"]).update(suppressed=True)
    peers.refresh([MONTH], timezone.now())  # 4 acute figures left: too few to compare
    assert not PeerStat.objects.exists() and not PeerPosition.objects.exists()


def test_the_recompute_writes_peer_stats_with_the_figures(tree, data):
    _provider_types(tree, dict.fromkeys(["RP5", "RXE", "RHQ", "RR8", "RAL"], "acute"))
    for i, code in enumerate(["RP5", "RXE", "RHQ", "RR8", "RAL"]):
        for j in range(6 + i):
            data.staff(tree[code], band="6", start=d("2020-01-01"), job_plan=j < i + 1)
    compute.compute(months=[MARCH], provider_ids=None, computed_at=timezone.now(), full=True)
    stat = PeerStat.objects.get(provider_type="acute", metric="job_plan_coverage", month=MARCH)
    shown = sorted(
        MetricValue.objects.filter(
            organisation__level="provider", metric="job_plan_coverage", profession="all",
            band_group="all", month=MARCH, suppressed=False,
        ).values_list("value", flat=True)
    )  # fmt: skip
    assert stat.count == len(shown) >= 5
    assert stat.median == pytest.approx(peers.quantile(shown, 0.5))


# ------------------------------------------------------------------------------- metric page
def _metric_page(client, org, metric="job_plan_coverage", query=""):
    from django.urls import reverse

    url = reverse("dashboard:metric", kwargs={"code": org.code, "metric": metric})
    return client.get(url + query)


def test_the_metric_page_compares_a_provider_with_its_type_chart_and_table(six_acute, client_for):
    tree = six_acute
    peers.refresh([MONTH], timezone.now())
    html = _metric_page(client_for("viewer", tree["RHQ"]), tree["RHQ"]).content.decode()
    assert "Compared with <strong>6 acute providers in England</strong>" in html
    assert "<svg" in html and 'id="peers-job_plan_coverage-title"' in html
    for text in ("Lowest", "2.0%", "Lower quartile", "4.8%", "Median", "7.5%",
                 "Upper quartile", "13.2%", "Highest", "20.0%"):  # fmt: skip
        assert text in html, text
    assert "<strong>4th lowest</strong> figure of 6" in html
    assert "in the third quarter" in html
    # a place is not a provider: no peer comparison
    place = _metric_page(client_for("viewer", tree["QF7"]), tree["QF7"]).content.decode()
    assert "peer-benchmarking" not in place
    # one profession: the peer stats are for all professions only
    one = _metric_page(
        client_for("viewer", tree["RHQ"]), tree["RHQ"], query="?profession=physiotherapist"
    ).content.decode()
    assert "peer-benchmarking" not in one


def test_a_provider_seen_from_above_with_a_hidden_figure_gets_no_position(six_acute, client_for):
    tree = six_acute
    _figure(tree["QF7-DON"], 10.0)
    MetricValue.objects.filter(organisation=tree["RXE"]).update(suppressed=True, people=3)
    peers.refresh([MONTH], timezone.now())
    html = _metric_page(client_for("viewer", tree["QF7"]), tree["RXE"]).content.decode()
    assert "Compared with <strong>5 acute providers in England</strong>" in html
    assert "lowest</strong> figure" not in html
    assert "rests on fewer than 5 people, so it is not shown here" in html
    assert "4.0%" not in html  # RXE's own value


def test_too_few_peers_say_so(tree, client_for):
    _provider_types(tree, {"RP5": "acute"})
    _figure(tree["RP5"], 20.0)
    peers.refresh([MONTH], timezone.now())
    html = _metric_page(client_for("viewer", tree["RP5"]), tree["RP5"]).content.decode()
    assert "fewer than 5 acute providers in England have a figure" in html


def test_the_metric_page_with_peers_keeps_its_query_count(
    six_acute, client_for, django_assert_max_num_queries
):
    tree = six_acute
    peers.refresh([MONTH], timezone.now())
    client = client_for("viewer", tree["RHQ"])
    _metric_page(client, tree["RHQ"])  # warm the session and scope caches
    with django_assert_max_num_queries(20):
        response = _metric_page(client, tree["RHQ"])
    assert b"peer-benchmarking" in response.content


def test_a_narrow_refresh_writes_only_what_changed(six_acute):
    tree = six_acute
    peers.refresh(None, timezone.now())
    before = dict(PeerPosition.objects.values_list("organisation__code", "pk"))
    stat = PeerStat.objects.get(metric="job_plan_coverage", month=MONTH)
    # RP5 from 20 to 19: still the highest, so every rank stands; the maximum changes
    MetricValue.objects.filter(organisation=tree["RP5"]).update(value=19.0)
    peers.refresh(None, timezone.now(), pairs=[("job_plan_coverage", MONTH)])
    after = dict(PeerPosition.objects.values_list("organisation__code", "pk"))
    assert after == before  # no position rewritten
    new = PeerStat.objects.get(metric="job_plan_coverage", month=MONTH)
    assert new.pk != stat.pk and new.maximum == 19.0 and new.median == stat.median
    # RXE from 4 to 1: below NEW1 now, so the two swap ranks and only they are rewritten
    MetricValue.objects.filter(organisation=tree["RXE"]).update(value=1.0)
    peers.refresh(None, timezone.now(), pairs=[("job_plan_coverage", MONTH)])
    moved = dict(PeerPosition.objects.values_list("organisation__code", "pk"))
    assert {code for code in moved if moved[code] != before[code]} == {"RXE", "NEW1"}
    ranks = dict(PeerPosition.objects.values_list("organisation__code", "rank"))
    assert (ranks["RXE"], ranks["NEW1"]) == (1, 2)
    peers.refresh(None, timezone.now())  # a full refresh writes the same ranks
    assert dict(PeerPosition.objects.values_list("organisation__code", "rank")) == ranks
