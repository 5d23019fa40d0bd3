from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "Organisations and councils"

    def ready(self):
        from auditlog.registry import auditlog
        from auditlog.signals import pre_log

        # Who granted or removed which role, invited whom, made or revoked which API token, and
        # when (django-auditlog; the actor is the signed-in user, from its middleware). Secrets
        # are never logged, not even hashed; a token's last use is not a change worth a row.
        auditlog.register(self.get_model("Membership"))
        auditlog.register(self.get_model("Invitation"), exclude_fields=["token_hash"])
        auditlog.register(self.get_model("ApiToken"), exclude_fields=["token_hash", "last_used_at"])
        # Who added, changed or removed a body's member (the body page's member history), and
        # who changed the leadership register.
        auditlog.register(self.get_model("BodyMember"), exclude_fields=["added_by"])
        auditlog.register(self.get_model("LeadershipPost"), exclude_fields=["updated_at"])
        # Who recorded which change of structure (councils.structure): an organisation's closure
        # and successor, and each past parent. The tree's own moves rewrite paths in bulk, which
        # no model signal sees; the parent period recorded with each move is their trail.
        organisation = self.get_model("Organisation")
        auditlog.register(organisation, include_fields=["closed_on", "successor"])
        auditlog.register(self.get_model("ParentPeriod"), exclude_fields=["recorded_at"])
        pre_log.connect(_only_changes_of_structure, sender=organisation)


def _only_changes_of_structure(sender, instance, action, **kwargs):
    """An organisation's log is its closure and successor: creating or deleting one (the tree
    loader, a merger's new provider) is not logged, though auditlog would log an empty
    successor on creation."""
    from auditlog.models import LogEntry

    return action == LogEntry.Action.UPDATE
