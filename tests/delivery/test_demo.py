"""The demo seeds the SYB plan with owners, two quarters of updates and a linked measure, and
running it again changes nothing."""

import io

from delivery import demo, quarters
from delivery.models import Action, DeliveryPlan, MeasureOfSuccess, ProgressUpdate


def test_the_demo_seeds_the_syb_plan_with_two_quarters_of_updates(tree, make_user):
    make_user("chair", tree["QF7"], email="chair@syb.example")
    make_user("respondent", tree["QF7"], email="ics.lead@syb.example")
    out = io.StringIO()
    demo.load(stdout=out)
    demo.load(stdout=out)

    plan = DeliveryPlan.objects.get(organisation=tree["QF7"])
    assert Action.objects.filter(theme__plan=plan).count() == 26
    updates = ProgressUpdate.objects.filter(action__theme__plan=plan)
    assert updates.count() == 7
    labels = set(updates.values_list("quarter", flat=True))
    assert len(labels) == 2 and quarters.previous(max(labels)) == min(labels)
    assert set(updates.values_list("author__email", flat=True)) == {"chair@syb.example"}
    linked = MeasureOfSuccess.objects.get(action__theme__plan=plan, metric="turnover_rate")
    assert linked.text == "Improve recruitment and retention within the ICS"
    owned = Action.objects.get(theme__plan=plan, seed_ref="4.4")
    assert owned.owner_display.endswith("Sheffield")
    assert "progress updates already present" in out.getvalue()


def test_the_demo_skips_quietly_without_the_tree(db):
    out = io.StringIO()
    demo.load(stdout=out)
    assert "skipped" in out.getvalue()
    assert not DeliveryPlan.objects.exists()
