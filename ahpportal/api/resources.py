"""The API's resources, registered once: the router (:mod:`.urls`), the API root's links
(:mod:`.views`) and the isolation matrix (``tests/api/isolation_cases.py``) all read
:data:`RESOURCES`, so a resource added here is routed, listed and checked together."""

from __future__ import annotations

from dataclasses import dataclass

from councils.api import OrganisationViewSet
from councils.api_bodies import BodyMemberViewSet, BodyViewSet, LeadershipPostViewSet
from dashboard.api.definitions import MetricDefinitionViewSet
from dashboard.api.metric_values import MetricValueViewSet
from dashboard.api.peer_benchmarks import PeerBenchmarkViewSet
from dashboard.api.snapshots import SnapshotViewSet
from dashboard.api.spc_verdicts import SpcVerdictViewSet
from delivery.api import DeliveryActionViewSet, DeliveryPlanViewSet
from delivery.meeting_api import DecisionViewSet, MeetingActionViewSet, MeetingViewSet
from readiness.api import ActionItemViewSet, AnswerViewSet, CycleViewSet, SubmissionViewSet
from workforce.api import ImportRunViewSet, WorkforceImportViewSet


@dataclass(frozen=True)
class Resource:
    prefix: str  # the URL under /api/v1/, e.g. "metric-values"
    viewset: type
    basename: str  # URL names are "<basename>-list" and "<basename>-detail"

    @property
    def key(self) -> str:
        """The resource's name in the API root's ``resources`` (``metric_values``)."""
        return self.prefix.replace("-", "_")

    @property
    def list_name(self) -> str:
        return f"{self.basename}-list"

    @property
    def detail_name(self) -> str | None:
        """The detail's URL name, or None when the resource has no detail."""
        return f"{self.basename}-detail" if hasattr(self.viewset, "retrieve") else None


RESOURCES: list[Resource] = [
    Resource("organisations", OrganisationViewSet, "api-organisation"),
    Resource("bodies", BodyViewSet, "api-body"),
    Resource("body-members", BodyMemberViewSet, "api-body-member"),
    Resource("leadership-posts", LeadershipPostViewSet, "api-leadership-post"),
    Resource("metrics", MetricDefinitionViewSet, "api-metric"),
    Resource("metric-values", MetricValueViewSet, "api-metric-value"),
    Resource("snapshots", SnapshotViewSet, "api-snapshot"),
    Resource("spc", SpcVerdictViewSet, "api-spc"),
    Resource("peer-benchmarks", PeerBenchmarkViewSet, "api-peer-benchmark"),
    Resource("readiness-cycles", CycleViewSet, "api-readiness-cycle"),
    Resource("readiness-submissions", SubmissionViewSet, "api-readiness-submission"),
    Resource("readiness-answers", AnswerViewSet, "api-readiness-answer"),
    Resource("action-plans", ActionItemViewSet, "api-action-plan"),
    Resource("delivery-plans", DeliveryPlanViewSet, "api-delivery-plan"),
    Resource("delivery-actions", DeliveryActionViewSet, "api-delivery-action"),
    Resource("meetings", MeetingViewSet, "api-meeting"),
    Resource("meeting-decisions", DecisionViewSet, "api-meeting-decision"),
    Resource("meeting-actions", MeetingActionViewSet, "api-meeting-action"),
    Resource("import-runs", ImportRunViewSet, "api-import-run"),
    Resource("workforce-imports", WorkforceImportViewSet, "api-workforce-import"),
]
