from django.urls import path

from .views import catalogue_page, recompute, run_status, targets

app_name = "dashboard"

try:  # the scorecard and metric pages (dashboard/pages.py)
    from .pages import urlpatterns as page_urlpatterns
except ImportError:
    page_urlpatterns = []

urlpatterns = [
    path("metrics/", catalogue_page, name="catalogue"),
    path("org/<str:code>/targets/", targets, name="targets"),
    path("org/<str:code>/recompute/", recompute, name="recompute"),
    path("org/<str:code>/recompute/<int:pk>/", run_status, name="run_status"),
] + page_urlpatterns
