"""The analyst REST API under /api/v1/ (shared base in ahpportal/api.py, resources in each app's
api.py). Schema at ``api-schema``, interactive docs at ``api-docs`` (Swagger UI, its start-up
script served separately so the page needs no inline script under the Content-Security-Policy).
``api-redoc`` leads there too: Redoc's bundle writes unsigned <style> elements, loads its logo from
a CDN and starts a blob: worker, none of which the policy allows."""

from django.urls import path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from councils.api import OrganisationViewSet
from dashboard.api import MetricDefinitionViewSet, MetricValueViewSet, SpcVerdictViewSet
from delivery.api import DeliveryActionViewSet, DeliveryPlanViewSet
from readiness.api import ActionItemViewSet, AnswerViewSet, CycleViewSet, SubmissionViewSet
from workforce.api import ImportRunViewSet, WorkforceImportViewSet

from .api import api_root, not_found

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="api-organisation")
router.register("metrics", MetricDefinitionViewSet, basename="api-metric")
router.register("metric-values", MetricValueViewSet, basename="api-metric-value")
router.register("spc", SpcVerdictViewSet, basename="api-spc")
router.register("readiness-cycles", CycleViewSet, basename="api-readiness-cycle")
router.register("readiness-submissions", SubmissionViewSet, basename="api-readiness-submission")
router.register("readiness-answers", AnswerViewSet, basename="api-readiness-answer")
router.register("action-plans", ActionItemViewSet, basename="api-action-plan")
router.register("delivery-plans", DeliveryPlanViewSet, basename="api-delivery-plan")
router.register("delivery-actions", DeliveryActionViewSet, basename="api-delivery-action")
router.register("import-runs", ImportRunViewSet, basename="api-import-run")
router.register("workforce-imports", WorkforceImportViewSet, basename="api-workforce-import")

urlpatterns = [
    path("", api_root, name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedirectView.as_view(pattern_name="api-docs", permanent=True), name="api-redoc"),
    *router.urls,
    re_path(r"^.*$", not_found),
]
