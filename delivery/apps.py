from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"

    def ready(self):
        from auditlog.registry import auditlog

        auditlog.register(self.get_model("Action"))  # who added, changed or removed an action
