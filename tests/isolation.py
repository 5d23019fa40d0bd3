"""The isolation matrix's vocabulary. Each app lists its organisation-scoped URLs in
``tests/<app>/isolation_cases.py`` as ``CASES = [ScopedURL(...)]``; the matrix in
``tests/test_isolation_matrix.py`` walks every URL of the project and fails for any URL that is
neither listed there nor in ``NOT_ORGANISATION_SCOPED`` below.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from councils.models import Role


@dataclass
class ScopedURL:
    name: str  # URL name, e.g. "councils:organisation"
    role: str  # a role that may open it
    level: str = "provider"  # the level of organisation the URL is about
    # kwargs for the URL about ``org``; may create objects belonging to ``org``
    build: Callable = field(default=lambda org, make_user: {"code": org.code})
    method: str = "get"
    ok_status: tuple = (200,)
    # the roles that open it when held at the organisation itself; None: every role for a
    # viewer's page (every role may view its subtree), else ``role`` alone
    open_to: tuple | None = None
    # attributes the matrix replaces while it requests this URL, as ``{"module.attr": value}``:
    # e.g. the PDF renderer, so that the matrix checks the route's scope, not WeasyPrint
    patches: dict = field(default_factory=dict)

    def opens_for(self, role: str) -> bool:
        if self.open_to is not None:
            return role in self.open_to
        return self.role == "viewer" or role == self.role


EVERY_ROLE = tuple(Role.values)


# URL names that are not about an organisation, with the reason.
NOT_ORGANISATION_SCOPED = {
    "home": "lists the user's own organisations",
    "healthz": "service status, no data",
    "status": "service status for people, no data",
    "councils:account": "the user's own account",
    "councils:role_leave": "looks up the membership among the user's own (404 otherwise)",
    "councils:invitation_accept": "token-addressed; checked in test_invitations",
    "api-root": "links to the API's resources; no data",
    "api-schema": "the OpenAPI schema; no data",
    "api-docs": "interactive API documentation; no data",
    "api-reference": "the API reference, from the OpenAPI schema; no data",
    "api-redoc": "API documentation; no data",
    "api-metric-list": "the metric catalogue (code, not organisation data)",
    "api-metric-detail": "the metric catalogue (code, not organisation data)",
    **dict.fromkeys(
        (
            "api-organisation-list",
            "api-body-list",
            "api-body-member-list",
            "api-leadership-post-list",
            "api-metric-value-list",
            "api-spc-list",
            "api-peer-benchmark-list",
            "api-readiness-cycle-list",
            "api-readiness-submission-list",
            "api-readiness-answer-list",
            "api-action-plan-list",
            "api-delivery-plan-list",
            "api-delivery-action-list",
            "api-meeting-list",
            "api-meeting-decision-list",
            "api-meeting-action-list",
            "api-import-run-list",
        ),
        "a list filtered to the caller's scope; tests/api/test_isolation.py walks every "
        "api-*-list with a sibling's token (empty) and a filter naming the sibling (404)",
    ),
    "api-snapshot-list": "snapshots of runs in the caller's scope and England's: "
    "tests/api/test_snapshots_api.py checks a sibling's are neither listed nor shown (404)",
    "api-workforce-import-list": "POST only; the organisation in the body is looked up with "
    "action import (404 elsewhere): tests/api/test_workforce_imports.py",
    "api-workforce-import-confirm": "POST only; the run is looked up in the import scope (404 "
    "elsewhere): tests/api/test_workforce_import_confirm.py checks a sibling's token",
    "api_tokens": "the user's own API tokens",
    "api_token_revoke": "looks up the token among the user's own (404 otherwise)",
    "dashboard:catalogue": "the metric definitions, the same for every signed-in user",
    "readiness:resources": "the toolkit's supporting resources, the same for every signed-in user",
    "readiness:home": "lists the user's own assignments and cycles, each through the scope",
    "workforce:home": "lists the user's own import scope and recent runs within it",
    "workforce:template": "blank dataset templates, the same for every signed-in user",
}
# URL name prefixes that are not the project's organisation data.
NOT_ORGANISATION_SCOPED_PREFIXES = ("admin:", "account_", "mfa_", "usersessions_", "djdt")
