"""Delivery actions are in the audit trail (django-auditlog): who added or changed an action."""

from auditlog.models import LogEntry
from django.urls import reverse

from delivery.models import Action


def test_adding_and_changing_an_action_is_logged_with_the_chair(syb_plan, tree, client_for):
    chair = client_for("chair", tree["QF7"])
    theme = syb_plan.themes.get(number=2)
    chair.post(
        reverse("delivery:action_create", kwargs={"code": "QF7"}),
        {"theme": theme.pk, "text": "Run a co-production workshop in each place"},
    )
    action = Action.objects.get(text="Run a co-production workshop in each place")
    chair.post(
        reverse("delivery:action_edit", kwargs={"code": "QF7", "pk": action.pk}),
        {"theme": theme.pk, "text": "Run a co-production workshop in every place"},
    )

    log = LogEntry.objects.get_for_object(action).order_by("pk")
    assert [e.action for e in log] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert {e.actor for e in log} == {chair.user}
    assert log[1].changes_dict["text"] == [
        "Run a co-production workshop in each place",
        "Run a co-production workshop in every place",
    ]
