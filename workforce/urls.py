from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("imports/", views.home, name="home"),
    path("imports/templates/<str:dataset>.<str:fmt>", views.template, name="template"),
    path("org/<str:code>/imports/", views.imports, name="imports"),
    path("org/<str:code>/imports/new/", views.upload, name="upload"),
    path("org/<str:code>/imports/<int:pk>/", views.run_detail, name="run"),
    path("org/<str:code>/imports/<int:pk>/errors.csv", views.run_errors_csv, name="run_errors_csv"),
]
