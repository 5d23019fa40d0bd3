from django.urls import path, re_path

from . import views

app_name = "readiness"

urlpatterns = [
    path("readiness/", views.home, name="home"),
    path("readiness/resources/", views.resources, name="resources"),
    path("org/<str:code>/readiness/", views.organisation, name="organisation"),
    path("org/<str:code>/readiness/cycles/new/", views.cycle_new, name="cycle_new"),
    path("org/<str:code>/readiness/actions/", views.action_plan, name="action_plan"),
    re_path(
        r"^org/(?P<code>[^/]+)/readiness/actions/export\.(?P<fmt>csv|xlsx)$",
        views.action_plan_export,
        name="action_plan_export",
    ),
    path("readiness/cycles/<int:pk>/", views.cycle, name="cycle"),
    path("readiness/cycles/<int:pk>/answers/", views.heatmap, name="heatmap"),
    path("readiness/cycles/<int:pk>/state/", views.cycle_state, name="cycle_state"),
    re_path(
        r"^readiness/cycles/(?P<pk>[0-9]+)/export\.(?P<fmt>csv|xlsx)$",
        views.cycle_export,
        name="cycle_export",
    ),
    path("readiness/submissions/<int:pk>/", views.submission, name="submission"),
    path("readiness/submissions/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("readiness/submissions/<int:pk>/review/", views.review, name="review"),
    path("readiness/submissions/<int:pk>/print/", views.submission_print, name="submission_print"),
    path("readiness/actions/<int:pk>/", views.action_edit, name="action_edit"),
]
