from django.urls import path

from . import meeting_views, programme_views, views

app_name = "delivery"

urlpatterns = [
    path("org/<str:code>/plan/", views.plans, name="plans"),
    path("org/<str:code>/plan/seed/", views.seed, name="seed"),
    path("org/<str:code>/plan/summary/", views.summary, name="summary"),
    path("org/<str:code>/plan/print/", views.print_view, name="print"),
    path("org/<str:code>/plan/export.<str:fmt>", views.export, name="export"),
    path("org/<str:code>/plan/themes/new/", views.theme_create, name="theme_create"),
    path("org/<str:code>/plan/actions/new/", views.action_create, name="action_create"),
    path("org/<str:code>/plan/actions/<int:pk>/", views.action_detail, name="action"),
    path("org/<str:code>/plan/actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("org/<str:code>/plan/actions/<int:pk>/updates/new/", views.update_add, name="update_add"),
    path(
        "org/<str:code>/plan/actions/<int:pk>/measures/new/",
        views.measure_create,
        name="measure_create",
    ),
    path("org/<str:code>/plan/measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    # a body's meetings (delivery/meeting_views.py)
    path("bodies/<int:pk>/meetings/", meeting_views.body_meetings, name="body_meetings"),
    path("bodies/<int:pk>/meetings/new/", meeting_views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/print/", meeting_views.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/meeting.ics", meeting_views.meeting_calendar, name="meeting_ics"),
    path("meetings/<int:pk>/minutes/", meeting_views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/items/new/", meeting_views.item_create, name="item_create"),
    path("meetings/<int:pk>/papers/new/", meeting_views.paper_upload, name="paper_upload"),
    path("meetings/<int:pk>/decisions/new/", meeting_views.decision_create, name="decision_create"),
    path(
        "meetings/<int:pk>/actions/new/", meeting_views.action_create, name="meeting_action_create"
    ),
    path("agenda-items/<int:pk>/move/", meeting_views.item_move, name="item_move"),
    path("agenda-items/<int:pk>/escalate/", meeting_views.item_escalate, name="item_escalate"),
    path("papers/<int:pk>/", meeting_views.paper_download, name="paper"),
    path("meeting-actions/<int:pk>/status/", meeting_views.action_status, name="action_status"),
    path(
        "meeting-actions/<int:pk>/escalate/", meeting_views.action_escalate, name="action_escalate"
    ),
    path(
        "escalations/<int:pk>/outcome/",
        meeting_views.escalation_outcome,
        name="escalation_outcome",
    ),
    # an ICS faculty's programmes of work (delivery/programme_views.py)
    path(
        "bodies/<int:pk>/programmes/new/",
        programme_views.programme_create,
        name="programme_create",
    ),
    path("programmes/<int:pk>/", programme_views.programme_detail, name="programme"),
    path(
        "programmes/<int:pk>/milestones/new/",
        programme_views.milestone_create,
        name="milestone_create",
    ),
    path("programmes/<int:pk>/reports/new/", programme_views.report_create, name="report_create"),
]
