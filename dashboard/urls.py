from django.urls import path

from .pages import urlpatterns as page_urlpatterns
from .views import catalogue_page, recompute, run_status, targets

app_name = "dashboard"

urlpatterns = [
    path("metrics/", catalogue_page, name="catalogue"),
    path("org/<str:code>/targets/", targets, name="targets"),
    path("org/<str:code>/recompute/", recompute, name="recompute"),
    path("org/<str:code>/recompute/<int:pk>/", run_status, name="run_status"),
] + page_urlpatterns
