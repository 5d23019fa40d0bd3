from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"

    def ready(self):
        from auditlog.registry import auditlog

        auditlog.register(self.get_model("Target"))  # who set or cleared which target, when
