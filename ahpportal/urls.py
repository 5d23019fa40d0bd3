from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from councils import views as council_views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "AHP Portal administration"

urlpatterns = [
    path("", council_views.home, name="home"),
    path("healthz", council_views.healthz, name="healthz"),
    path("status/", council_views.status, name="status"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("councils.urls")),
    path("", include("workforce.urls")),
    path("", include("dashboard.urls")),
    path("", include("readiness.urls")),
    path("", include("delivery.urls")),
    path("api/v1/", include("ahpportal.api.urls")),
    path("", include("councils.token_urls")),
]
