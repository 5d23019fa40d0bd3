"""An incremental recompute decides suppression again only where people changed (issue 16), and
the history sees every flag it changed, wherever it is (issue 17).

Secondary suppression of one metric and month depends only on that pair's figures resting on
people and the tree, so a run keeps the flags of the pairs whose people it did not change and
decides the others afresh over every organisation. Either way the store must be exactly what a
full run writes, and the snapshot's open versions exactly the store: hiding a small provider's
figure can hide a sibling place's figure that the run did not rewrite."""

from unittest import mock

from django.utils import timezone

from dashboard import compute, compute_months
from dashboard import services as dashboard_services
from dashboard.models import MetricValueVersion, RecomputeRun
from tests.dashboard.conftest import MARCH, d, figure, store_snapshot
from tests.dashboard.test_snapshots import history_at, store_now


def _staff(data, provider, n, **flags):
    return [
        data.staff(provider, band="6", start=d("2020-01-01"), job_plan=True, **flags)
        for _ in range(n)
    ]


def _incremental(provider, months=None):
    """The recompute an import of ``provider``'s ``months`` (every month with data) queues."""
    months = months or compute_months.months_with_data()
    with mock.patch.object(dashboard_services, "enqueue"):
        run = dashboard_services.request_recompute(
            provider_ids=[provider.pk],
            months=list(months),
            provider_months={provider.pk: list(months)},
        )
    done = dashboard_services.recompute(run=run)
    assert done.status == RecomputeRun.Status.SUCCEEDED, done.error
    return done


def _full_run_writes() -> dict:
    """What a full run writes now (the store is put back afterwards by the test's rollback)."""
    months = compute_months.months_with_data()
    compute.compute(months=months, provider_ids=None, computed_at=timezone.now(), full=True)
    return store_snapshot()


def test_a_provider_falling_under_5_hides_a_sibling_place_the_run_did_not_rewrite(tree, data):
    """Doncaster (RP5 12, RXE 8) and Sheffield (RHQ 10): nothing at place level is hidden. Then
    Sheffield's provider drops to 1 person: its run rewrites RHQ, Sheffield and the levels above,
    and Doncaster (a sibling under the ICS, not rewritten) must be hidden beside Sheffield, and
    RXE (Doncaster's smaller provider) beside it, in the store and in the history the API reads."""
    _staff(data, tree["RP5"], 12)
    _staff(data, tree["RXE"], 8)
    sheffield = _staff(data, tree["RHQ"], 10)
    dashboard_services.recompute_all()
    assert not figure(tree["QF7-DON"], "job_plan_coverage").suppressed

    for staff in sheffield[1:]:
        staff.delete()
    done = _incremental(tree["RHQ"])
    assert figure(tree["QF7-SHE"], "job_plan_coverage").suppressed  # 1 person
    assert figure(tree["QF7-DON"], "job_plan_coverage").suppressed  # or Sheffield = ICS - it
    assert figure(tree["RXE"], "job_plan_coverage").suppressed  # or Doncaster = RP5 + RXE
    assert history_at(done.snapshot) == store_now()
    doncaster = MetricValueVersion.objects.get(
        organisation=tree["QF7-DON"],
        metric="job_plan_coverage",
        month=MARCH,
        profession="all",
        band_group="all",
        valid_to__isnull=True,
    )
    assert doncaster.suppressed and doncaster.valid_from_id == done.snapshot.pk
    ran = store_snapshot()
    assert ran == _full_run_writes()


def test_a_run_that_changes_no_people_keeps_every_flag_and_decides_nothing_again(tree, data):
    _staff(data, tree["RP5"], 12)
    _staff(data, tree["RXE"], 8)
    _staff(data, tree["RHQ"], 1)  # Sheffield hidden, so Doncaster and RXE are too
    activity = data.activity(tree["RHQ"], MARCH, contacts=40, clinical_hours=20)
    dashboard_services.recompute_all()
    before = store_snapshot()
    assert before[(tree["RXE"].pk, MARCH, "job_plan_coverage", "all", "all")][4] is True

    activity.clinical_hours = 30  # contacts per clinical hour: not resting on people
    activity.save()
    with mock.patch.object(compute, "suppress", wraps=compute.suppress) as decided:
        done = _incremental(tree["RHQ"], [MARCH])
    assert decided.call_args_list == []  # no figure resting on people changed
    after = store_snapshot()
    changed = {k for k in after if after[k] != before.get(k)}
    rewritten = {tree[c].pk for c in ("RHQ", "QF7-SHE", "QF7", "Y63", "ENG")}
    assert changed and {k[0] for k in changed} <= rewritten
    assert {k: v[4] for k, v in after.items()} == {k: v[4] for k, v in before.items() if k in after}
    assert history_at(done.snapshot) == store_now()
    assert after == _full_run_writes()


def test_only_the_pairs_whose_people_changed_are_decided_again(tree, data):
    _staff(data, tree["RP5"], 12)
    _staff(data, tree["RXE"], 8)
    _staff(data, tree["RHQ"], 10)
    data.activity(tree["RHQ"], MARCH, contacts=40, dna=2)
    dashboard_services.recompute_all()
    data.staff(tree["RHQ"], "occupational_therapist", start=d("2025-03-10"))
    with mock.patch.object(compute, "suppress", wraps=compute.suppress) as decided:
        _incremental(tree["RHQ"])
    (call,) = decided.call_args_list
    pairs = {(metric, str(month)[:10]) for metric, month in call.kwargs["pairs"]}
    assert ("job_plan_coverage", MARCH.isoformat()) in pairs  # one more person from March
    assert ("job_plan_coverage", "2025-02-01") not in pairs  # before the new starter
    assert not {metric for metric, _ in pairs} & {"dna_rate", "waiting_over_18w_rate"}
    assert store_snapshot() == _full_run_writes()


def _peers() -> tuple[set, set]:
    from dashboard.models import PeerPosition, PeerStat

    stats = set(
        PeerStat.objects.values_list(
            "provider_type", "metric", "month", "count", "lower_quartile", "median", "maximum"
        )
    )
    positions = set(PeerPosition.objects.values_list("organisation_id", "metric", "month", "rank"))
    return stats, positions


def test_peer_distributions_after_an_incremental_run_are_a_full_runs(tree, data):
    """Five acute providers: a change to one provider's activity moves its rank among its peers
    and the others' ranks with it; the run redoes only the pairs it changed, and they match."""
    from councils.models import Organisation

    providers = ("RP5", "RXE", "RHQ", "RR8", "RAL")
    Organisation.objects.filter(code__in=providers).update(provider_type="acute")
    rows = {}
    for i, code in enumerate(providers):
        _staff(data, tree[code], 6 + i)
        rows[code] = data.activity(tree[code], MARCH, contacts=40 + 10 * i, dna=5, clinical_hours=9)
    dashboard_services.recompute_all()
    before = _peers()
    assert any(s[1] == "contacts_per_clinical_hour" for s in before[0])

    rows["RP5"].contacts, rows["RP5"].clinical_hours = 400, 10  # from the lowest to the highest
    rows["RP5"].save()
    _incremental(tree["RP5"], [MARCH])
    after = _peers()
    assert after != before
    full = (_full_run_writes(), _peers())[1]
    assert after == full


def test_an_activity_import_recomputes_only_the_figures_computed_from_activity(tree, data):
    from dashboard.compute_datasets import affected_by

    assert [d.name for d in affected_by(["activity"])] == ["activity"]
    assert {d.name for d in affected_by(["staff"])} == {
        "staff", "staff_bands", "staff_month", "establishment", "activity"
    }  # fmt: skip
    _staff(data, tree["RP5"], 12)
    row = data.activity(tree["RP5"], MARCH, contacts=40, dna=4, clinical_hours=8)
    dashboard_services.recompute_all()
    row.contacts, row.dna = 60, 1
    row.save()
    with mock.patch.object(dashboard_services, "enqueue"):
        run = dashboard_services.request_recompute(
            provider_ids=[tree["RP5"].pk],
            months=[MARCH],
            provider_months={tree["RP5"].pk: [MARCH]},
            sources=["activity"],
        )
    with mock.patch.object(compute, "figures_sql", wraps=compute.figures_sql) as written:
        done = dashboard_services.recompute(run=run)
    assert done.status == RecomputeRun.Status.SUCCEEDED
    assert {call.args[0].name for call in written.call_args_list} == {"activity"}
    assert figure(tree["RP5"], "dna_rate").value == 100 * 1 / 61
    assert history_at(done.snapshot) == store_now()
    assert store_snapshot() == _full_run_writes()
