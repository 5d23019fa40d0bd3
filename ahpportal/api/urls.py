"""The analyst REST API under /api/v1/: a route per resource of :data:`.resources.RESOURCES`.
Schema at ``api-schema``, the
reference page (server-rendered from the schema, in the portal's layout) at ``api-reference``,
interactive docs at ``api-docs`` (Swagger UI, its start-up script
served separately so the page needs no inline script under the Content-Security-Policy).
``api-redoc`` leads there too: Redoc's bundle writes unsigned <style> elements, loads its logo from
a CDN and starts a blob: worker, none of which the policy allows."""

from django.urls import path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from .reference import api_reference
from .resources import RESOURCES
from .views import api_root, not_found

router = SimpleRouter()
for resource in RESOURCES:
    router.register(resource.prefix, resource.viewset, basename=resource.basename)

urlpatterns = [
    path("", api_root, name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("reference/", api_reference, name="api-reference"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedirectView.as_view(pattern_name="api-docs", permanent=True), name="api-redoc"),
    *router.urls,
    re_path(r"^.*$", not_found),
]
