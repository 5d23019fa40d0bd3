"""Targets are in the audit trail (django-auditlog): who set, changed or cleared which target."""

from auditlog.models import LogEntry
from django.urls import reverse

from dashboard.models import Target


def test_setting_changing_and_clearing_a_target_is_logged_with_the_chair(tree, client_for):
    client = client_for("chair", tree["QF7"])
    url = reverse("dashboard:targets", kwargs={"code": "QF7"})
    client.post(url, {"target_appraisal_rate": "85"})
    target = Target.objects.get(metric="appraisal_rate")
    client.post(url, {"target_appraisal_rate": "90"})
    client.post(url, {"target_appraisal_rate": ""})  # a blank box clears it

    log = LogEntry.objects.get_for_object(target).order_by("pk")
    assert [e.action for e in log] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]
    assert {e.actor for e in log} == {client.user}
    assert log[1].changes_dict["value"] == ["85.0", "90.0"]
