"""Secondary suppression to PRODUCT.md 3.4, checked by an attacker: on small hand-made trees
where one pass of "hide the next smallest sibling" still lets a hidden figure be worked out, an
independent checker tries every subtraction (a parent minus its visible children, a total over
professions, band groups or single bands minus its visible parts, and the sum of visible parts
for a hidden total), repeating with what it has worked out, and finds nothing hidden.

The checker knows nothing of ``dashboard.compute``: it builds its equations from the
organisation tree and the store's rows. Each case first shows that the attack works after the
primary rule and one secondary pass, then that the recompute defeats it."""

from collections import defaultdict

import pytest
from django.utils import timezone

from dashboard import compute
from dashboard.models import MetricValue
from tests.dashboard.conftest import MARCH, d, figure
from tests.dashboard.suppression_reference import secondary_pass_sql


def _equations(rows):
    """Every (total, parts) relation the store's figures satisfy, as lists of row keys."""
    by_key = {r["key"]: r for r in rows}
    groups = defaultdict(lambda: {"total": None, "parts": []})
    for r in rows:
        org, metric, month, prof, band = r["key"]
        parent = r["parent"]
        if parent is not None:  # a child of its parent's figure
            groups[("tree", parent, metric, month, prof, band)]["parts"].append(r["key"])
        groups[("tree", org, metric, month, prof, band)]["total"] = r["key"]
        # professions
        slot = "total" if prof == "all" else "parts"
        group = groups[("prof", org, metric, month, band)]
        group["total"] = r["key"] if slot == "total" else group["total"]
        if slot == "parts":
            group["parts"].append(r["key"])
        # band groups, and single bands (all professions)
        if band in ("all", "support", "registered"):
            group = groups[("band", org, metric, month, prof)]
            if band == "all":
                group["total"] = r["key"]
            else:
                group["parts"].append(r["key"])
        if prof == "all" and (band == "all" or band.startswith("band_")):
            group = groups[("single", org, metric, month)]
            if band == "all":
                group["total"] = r["key"]
            else:
                group["parts"].append(r["key"])
    equations = []
    for group in groups.values():
        if group["total"] is not None and group["parts"]:
            equations.append((group["total"], group["parts"]))
    for total, parts in equations:  # the relations hold in the store: the attack is real
        for field in ("numerator", "denominator"):
            whole = by_key[total][field] or 0
            assert whole == pytest.approx(sum(by_key[p][field] or 0 for p in parts)), total
    return equations


def derivable_hidden_figures():
    """The hidden figures an outsider (no role anywhere) can work out by subtraction, repeating
    with each figure worked out until nothing more follows."""
    rows = [
        {
            "key": (v.organisation.path, v.metric, v.month, v.profession, v.band_group),
            "parent": v.organisation.path[: -v.organisation.steplen] or None,
            "numerator": v.numerator,
            "denominator": v.denominator,
            "hidden": v.suppressed,
        }
        for v in MetricValue.objects.select_related("organisation").exclude(people=None)
    ]
    equations = _equations(rows)
    known = {r["key"] for r in rows if not r["hidden"]}
    hidden = {r["key"] for r in rows if r["hidden"]}
    derived = set()
    changed = True
    while changed:
        changed = False
        for total, parts in equations:
            unknown = [k for k in [total, *parts] if k not in known]
            if len(unknown) == 1:  # total minus the visible parts, or the parts summed
                known.add(unknown[0])
                derived.add(unknown[0])
                changed = True
    return derived & hidden


def primary_and_one_pass():
    """What the store held under the old rule: the primary rule and one secondary pass."""
    compute.execute(*compute.suppression_sql(None))
    compute.execute(*secondary_pass_sql())


def full_run():
    compute.compute(months=[MARCH], provider_ids=None, computed_at=timezone.now(), full=True)


def sheffield_on_one_person(tree, data):
    """RP5 12 people, RXE 8 (Doncaster 20), RHQ 1 (Sheffield 1); computed in full."""
    for _ in range(12):
        data.staff(tree["RP5"], band="6", start=d("2020-01-01"), job_plan=True)
    for _ in range(8):
        data.staff(tree["RXE"], band="6", start=d("2020-01-01"))
    data.staff(tree["RHQ"], band="6", start=d("2020-01-01"), job_plan=True)
    full_run()


def test_a_parent_hidden_beside_a_small_sibling_cannot_be_rebuilt_from_its_children(tree, data):
    """Sheffield (RHQ) rests on 1 person; hiding Doncaster beside it is not enough when
    Doncaster's providers, both visible, add up to it (then Sheffield = ICS - Doncaster)."""
    sheffield_on_one_person(tree, data)
    primary_and_one_pass()
    leaked = derivable_hidden_figures()
    assert any(k[0] == tree["QF7-SHE"].path and k[1] == "job_plan_coverage" for k in leaked)

    full_run()
    assert derivable_hidden_figures() == set()
    assert figure(tree["QF7-DON"], "job_plan_coverage").suppressed
    assert figure(tree["RXE"], "job_plan_coverage").suppressed  # the smaller of Doncaster's two
    assert figure(tree["QF7"], "job_plan_coverage").suppressed is False  # 21 people


def test_a_small_profession_cannot_be_recovered_from_the_total_over_professions(tree, data):
    """RXE: 2 dietitians (hidden) and 10 physiotherapists; the all-professions figure (12) minus
    physiotherapy would give dietetics, so physiotherapy at RXE is hidden, and then RP5's
    physiotherapy beside it, or Doncaster's physiotherapy minus RP5's would give RXE's."""
    for _ in range(10):
        data.staff(tree["RXE"], band="6", start=d("2020-01-01"), job_plan=True)
    for _ in range(2):
        data.staff(tree["RXE"], "dietitian", band="6", start=d("2020-01-01"))
    for _ in range(9):
        data.staff(tree["RP5"], band="6", start=d("2020-01-01"), job_plan=True)
    for _ in range(7):
        data.staff(tree["RP5"], "dietitian", band="6", start=d("2020-01-01"))
    full_run()
    primary_and_one_pass()
    assert derivable_hidden_figures()

    full_run()
    assert derivable_hidden_figures() == set()
    assert figure(tree["RXE"], "job_plan_coverage", profession="dietitian").suppressed
    assert figure(tree["RXE"], "job_plan_coverage", profession="physiotherapist").suppressed
    assert figure(tree["RP5"], "job_plan_coverage", profession="physiotherapist").suppressed
    assert figure(tree["RXE"], "job_plan_coverage").suppressed is False  # 12 people, all


def test_a_small_band_cannot_be_recovered_from_the_all_bands_figure(tree, data):
    """RXE: 2 people at band 8d (one from an ethnic minority) and 9 at band 6; the all-bands
    share minus band 6 gives band 8d, both as single bands and as band groups (support /
    registered), and across RXE and RP5."""
    data.staff(tree["RXE"], band="8d", start=d("2021-01-01"), ethnic_group="ethnic_minority")
    data.staff(tree["RXE"], band="8d", start=d("2021-01-01"))
    for i in range(9):
        data.staff(tree["RXE"], band="6", start=d("2020-01-01"), job_plan=i < 5)
    for i in range(6):
        data.staff(tree["RXE"], band="3", start=d("2020-01-01"), job_plan=i < 2)
    for _ in range(11):
        data.staff(tree["RP5"], band="6", start=d("2020-01-01"), ethnic_group="ethnic_minority")
    for _ in range(3):
        data.staff(tree["RP5"], band="3", start=d("2020-01-01"))
    full_run()
    primary_and_one_pass()
    assert derivable_hidden_figures()

    full_run()
    assert derivable_hidden_figures() == set()
    share = "ethnic_minority_share"
    assert figure(tree["RXE"], share, band_group="band_8d").suppressed
    assert figure(tree["RXE"], share, band_group="band_6").suppressed
    assert figure(tree["RP5"], share, band_group="band_6").suppressed  # beside RXE's band 6
    # RP5's 3 support staff hide its registered figure, so RXE's registered figure goes too
    assert figure(tree["RP5"], share, band_group="registered").suppressed
    assert figure(tree["RXE"], share, band_group="registered").suppressed
    assert figure(tree["QF7"], share).suppressed is False  # 32 people


def test_the_owners_roles_still_see_their_own_secondary_figures(tree, data, client_for):
    """Hiding is stored per figure; who sees it is still decided by the viewer's roles."""
    from dashboard.suppression import shown

    sheffield_on_one_person(tree, data)
    rxe = MetricValue.objects.select_related("organisation").get(
        organisation=tree["RXE"], metric="job_plan_coverage", profession="all",
        band_group="all", month=MARCH,
    )  # fmt: skip
    assert rxe.suppressed and rxe.people == 8  # secondary: RXE itself is not small
    own = client_for("viewer", tree["RXE"]).user
    place = client_for("viewer", tree["QF7-DON"]).user
    assert shown(rxe, own).value == 0.0
    assert shown(rxe, place).suppressed


def test_suppression_settles_and_a_second_run_changes_nothing(tree, data):
    for _ in range(12):
        data.staff(tree["RP5"], band="6", start=d("2020-01-01"), job_plan=True)
    data.staff(tree["RHQ"], band="6", start=d("2020-01-01"))
    data.staff(tree["RR8"], "dietitian", band="7", start=d("2020-01-01"))
    full_run()
    before = dict(MetricValue.objects.values_list("id", "suppressed"))
    compute.suppress([MARCH])  # from the primary rule again, over the month's figures
    after = dict(MetricValue.objects.values_list("id", "suppressed"))
    assert before == after
    assert derivable_hidden_figures() == set()
