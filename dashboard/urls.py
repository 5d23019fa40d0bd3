from django.urls import path

from .pages import urlpatterns as page_urlpatterns
from .views import (
    catalogue_page,
    change_point_remove,
    change_points,
    recompute,
    run_status,
    targets,
)

app_name = "dashboard"

urlpatterns = [
    path("metrics/", catalogue_page, name="catalogue"),
    path("org/<str:code>/targets/", targets, name="targets"),
    path("org/<str:code>/recompute/", recompute, name="recompute"),
    path("org/<str:code>/recompute/<int:pk>/", run_status, name="run_status"),
    path(
        "org/<str:code>/dashboard/<slug:metric>/change-points/",
        change_points,
        name="change_points",
    ),
    path(
        "org/<str:code>/dashboard/<slug:metric>/change-points/<int:pk>/remove/",
        change_point_remove,
        name="change_point_remove",
    ),
] + page_urlpatterns
