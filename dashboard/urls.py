from django.urls import path

from .views import (
    board_report,
    board_report_pdf,
    catalogue_page,
    change_point_remove,
    change_points,
    diversity,
    diversity_download,
    metric,
    metric_download,
    recompute,
    run_status,
    scorecard,
    scorecard_csv,
    scorecard_xlsx,
    supply,
    supply_download,
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
    path("org/<str:code>/dashboard/", scorecard, name="scorecard"),
    path("org/<str:code>/dashboard/export.csv", scorecard_csv, name="scorecard_csv"),
    path("org/<str:code>/dashboard/export.xlsx", scorecard_xlsx, name="scorecard_xlsx"),
    path("org/<str:code>/dashboard/board-report/", board_report, name="board_report"),
    path("org/<str:code>/dashboard/board-report.pdf", board_report_pdf, name="board_report_pdf"),
    path("org/<str:code>/dashboard/diversity/", diversity, name="diversity"),
    path("org/<str:code>/dashboard/supply/", supply, name="supply"),
    path(
        "org/<str:code>/dashboard/diversity/export.<str:extension>",
        diversity_download,
        name="diversity_download",
    ),
    path(
        "org/<str:code>/dashboard/supply/export.<str:extension>",
        supply_download,
        name="supply_download",
    ),
    path(
        "org/<str:code>/dashboard/<slug:metric>/export.<str:extension>",
        metric_download,
        name="metric_download",
    ),
    path("org/<str:code>/dashboard/<slug:metric>/", metric, name="metric"),
]
