from django.urls import path, re_path

from . import views, views_bodies, views_leadership, views_structure

app_name = "councils"

urlpatterns = [
    path("org/<str:code>/", views.organisation_detail, name="organisation"),
    path("org/<str:code>/people/", views.people, name="people"),
    path("org/<str:code>/people/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("org/<str:code>/leadership/", views_leadership.register, name="leadership"),
    path("org/<str:code>/structure/", views_structure.structure_changes, name="structure"),
    re_path(
        r"^org/(?P<code>[^/]+)/leadership/export\.(?P<fmt>csv|xlsx)$",
        views_leadership.register_export,
        name="leadership_export",
    ),
    path(
        "org/<str:code>/leadership/chief-ahp/",
        views_leadership.chief_ahp_edit,
        name="chief_ahp_edit",
    ),
    path("bodies/<int:pk>/", views_bodies.body_detail, name="body"),
    path("bodies/<int:pk>/members/add/", views_bodies.body_member_add, name="body_member_add"),
    path(
        "bodies/<int:pk>/members/<int:member_pk>/",
        views_bodies.body_member_change,
        name="body_member_change",
    ),
    path(
        "bodies/<int:pk>/members/<int:member_pk>/remove/",
        views_bodies.body_member_remove,
        name="body_member_remove",
    ),
    path("bodies/<int:pk>/chair/", views_leadership.chair_edit, name="chair_edit"),
    path("account/", views.my_roles, name="account"),
    path("account/roles/<int:pk>/leave/", views.role_leave, name="role_leave"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
