"""The demo's reorganisations (councils.structure_demo): recorded by the demo superuser inside
the demo's 24 months, before the dashboard's full recompute, and only once however often
``load_demo`` runs."""

import datetime as dt
import io

from councils import structure_demo
from councils.demo import DEMO_SUPERUSER
from councils.management.commands.load_demo import DEMO_STEPS
from councils.models import LeadershipPost, Organisation, ParentPeriod, User
from dashboard.models import RecomputeRun
from workforce import synthetic


def test_it_runs_after_the_workforce_data_and_before_the_full_recompute():
    step = DEMO_STEPS.index("councils.structure_demo")
    assert DEMO_STEPS.index("workforce.demo") < step < DEMO_STEPS.index("dashboard.demo")


def test_a_move_and_a_merger_recorded_once_inside_the_demo_months(
    england_tree, django_capture_on_commit_callbacks
):
    superuser = User.objects.create_user(DEMO_SUPERUSER[0], "x", is_superuser=True)
    months = synthetic.window_months()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        structure_demo.load(stdout=out)
    assert queued == []  # recorded, not queued: the demo's full recompute covers them
    runs = RecomputeRun.objects.all()
    assert [(r.kind, r.status) for r in runs] == [("full", "pending")] * 2

    rxe = Organisation.objects.get(code="RXE")
    assert rxe.get_parent().code == "QF7-ROT"
    period = ParentPeriod.objects.get(organisation=rxe)
    assert (period.parent.code, period.recorded_by, period.valid_to) == (
        "QF7-DON",
        superuser,
        dt.date(2025, 4, 1),
    )
    assert period.reason and months[0] < period.valid_to <= months[-1]

    successor = Organisation.objects.get(code="RZS")
    assert successor.get_parent().code == "QF7-SHE" and successor.closed_on is None
    closed = Organisation.objects.filter(successor=successor).order_by("code")
    assert [(o.code, o.closed_on, o.closure_recorded_by) for o in closed] == [
        ("RCU", dt.date(2026, 4, 1), superuser),
        ("TAH", dt.date(2026, 4, 1), superuser),
    ]
    assert all(o.closure_reason for o in closed)
    assert months[0] < dt.date(2026, 4, 1) <= months[-1]
    post = LeadershipPost.objects.get(organisation=successor)
    assert post.status == LeadershipPost.Status.VACANT and post.start_date == dt.date(2026, 4, 1)
    assert "RXE moves to Rotherham" in out.getvalue() and "merge into RZS" in out.getvalue()

    again = io.StringIO()
    structure_demo.load(stdout=again)  # a second load_demo: nothing new, nothing fails
    assert ParentPeriod.objects.count() == 1 and RecomputeRun.objects.count() == 2
    assert Organisation.objects.filter(successor__isnull=False).count() == 2
    assert "already under Rotherham" in again.getvalue()
    assert "already merged into RZS" in again.getvalue()
