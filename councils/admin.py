from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Body, BodyMember, Invitation, LeadershipPost, Membership, Organisation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Organisation)
class OrganisationAdmin(TreeAdmin):
    form = movenodeform_factory(Organisation)
    list_display = ["name", "code", "level"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    autocomplete_fields = ["user"]
    fields = ["user", "position", "term_start", "term_end"]
    extra = 0


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation"]
    list_filter = ["kind"]
    inlines = [BodyMemberInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "created_at"]
    list_filter = ["role", "organisation__level"]
    search_fields = ["user__email", "organisation__name", "organisation__code"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["organisation", "granted_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "organisation", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by"]


@admin.register(LeadershipPost)
class LeadershipPostAdmin(admin.ModelAdmin):
    list_display = ["post", "organisation", "body", "status", "holder", "holder_name", "start_date"]
    list_filter = ["post", "status"]
    search_fields = ["organisation__name", "organisation__code", "holder_name", "holder__email"]
    raw_id_fields = ["organisation", "body", "holder", "updated_by"]
