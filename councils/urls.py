from django.urls import path

from . import views

app_name = "councils"

urlpatterns = [
    path("org/<str:code>/", views.organisation_detail, name="organisation"),
    path("org/<str:code>/people/", views.people, name="people"),
    path("org/<str:code>/people/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("account/", views.my_roles, name="account"),
    path("account/roles/<int:pk>/leave/", views.role_leave, name="role_leave"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
