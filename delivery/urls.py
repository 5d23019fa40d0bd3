from django.urls import path

from . import views

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
]
