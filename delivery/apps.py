from django.apps import AppConfig

# Governance records whose every change is kept in the audit trail (who, when, what changed).
AUDITED_GOVERNANCE = (
    "Meeting",
    "AgendaItem",
    "Decision",
    "MeetingAction",
    "Escalation",
    "FacultyProgramme",
    "Milestone",
    "QuarterlyReport",
)


class DeliveryConfig(AppConfig):
    name = "delivery"

    def ready(self):
        from auditlog.registry import auditlog

        auditlog.register(self.get_model("Action"))  # who added, changed or removed an action
        for name in AUDITED_GOVERNANCE:
            auditlog.register(self.get_model(name))
        auditlog.register(self.get_model("Paper"), exclude_fields=["file"])
