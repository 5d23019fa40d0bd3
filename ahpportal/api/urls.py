"""The analyst REST API under /api/v1/: a route per resource of :data:`.resources.RESOURCES`.
Schema at ``api-schema``, interactive docs at ``api-docs`` (Swagger UI) and ``api-redoc``."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from .resources import RESOURCES
from .views import api_root, not_found

router = SimpleRouter()
for resource in RESOURCES:
    router.register(resource.prefix, resource.viewset, basename=resource.basename)

urlpatterns = [
    path("", api_root, name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    *router.urls,
    re_path(r"^.*$", not_found),
]
