"""The demo cycles load once and show a draft, a signed-off submission and an action plan."""

import io

from readiness import demo
from readiness.models import ActionItem, Cycle, Status, Submission


def test_demo_loads_once_with_drafts_submissions_and_actions(tree, make_user):
    make_user("chair", tree["QF7"], email="chair@syb.example")
    make_user("respondent", tree["RHQ"], email="chief.ahp@sth.example")
    make_user("respondent", tree["RP5"], email="chief.ahp@dbth.example")
    out = io.StringIO()
    demo.load(stdout=out)
    assert "Readiness demo: 2026/27 employer toolkit" in out.getvalue()
    current = Cycle.objects.get(name="2026/27")
    assert current.previous.name == "2025/26" and current.prefilled
    statuses = dict(current.submissions.values_list("organisation__code", "status"))
    assert statuses == {"RHQ": Status.SIGNED_OFF, "RP5": Status.DRAFT, "RXE": Status.DRAFT}
    rhq = Submission.objects.get(cycle=current, organisation__code="RHQ")
    assert list(rhq.history.values_list("action", flat=True)) == [
        "submitted",
        "returned",
        "resubmitted",
        "signed_off",
    ]
    assert ActionItem.objects.filter(submission=rhq).count() > 0
    assert any(a.overdue for a in ActionItem.objects.all())

    again = io.StringIO()
    demo.load(stdout=again)
    assert again.getvalue() == "Readiness demo cycles already loaded."
    assert Cycle.objects.count() == 3
