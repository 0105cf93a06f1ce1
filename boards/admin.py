from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import Board, BoardMembership, ExecutiveAuthority, Organisation, PersonInvitation, User


class MembershipInline(admin.TabularInline):
    model = BoardMembership
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["board", "organisation"]


class AuthorityInline(admin.TabularInline):
    model = ExecutiveAuthority
    extra = 0
    autocomplete_fields = ["organisation"]


class PersonChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PersonCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "organisation")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    ordering = ["full_name"]
    list_display = [
        "full_name",
        "email",
        "organisation",
        "job_title",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["organisation", "is_active", "is_staff", "memberships__role"]
    search_fields = ["full_name", "email", "job_title"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    inlines = [MembershipInline, AuthorityInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "organisation")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "organisation",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "executive_body", "active", "joined_on"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name", "executive_body"]


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "quorum_bodies", "public_pages_enabled"]
    list_filter = ["public_pages_enabled"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisations"]


@admin.register(BoardMembership)
class BoardMembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "board", "organisation", "role", "starts_on", "ends_on"]
    list_filter = ["board", "role", "organisation"]
    search_fields = ["person__full_name", "person__email", "organisation__name"]
    list_select_related = ["person", "board", "organisation"]
    autocomplete_fields = ["person", "board", "organisation"]
    date_hierarchy = "starts_on"


@admin.register(ExecutiveAuthority)
class ExecutiveAuthorityAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "starts_on", "ends_on", "note"]
    list_filter = ["organisation"]
    search_fields = ["person__full_name", "person__email", "organisation__name"]
    list_select_related = ["person", "organisation"]
    autocomplete_fields = ["person", "organisation"]


@admin.register(PersonInvitation)
class PersonInvitationAdmin(admin.ModelAdmin):
    list_display = [
        "person",
        "board",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["board"]
    search_fields = ["person__full_name", "person__email"]
    list_select_related = ["person", "board", "invited_by"]
    readonly_fields = [
        "person",
        "board",
        "invited_by",
        "token_hash",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
