from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.urls import reverse

from audit.selectors import changes_since
from audit.services import audit_edit, audit_record, plain_values
from core.concurrency import (
    NEVER,
    EditConflict,
    VersionedFormMixin,
    ensure_current,
    version_token,
)
from core.deletion import RefusalShownAdminMixin
from core.exceptions import Refused
from core.outbound import check_web_address

from . import two_factor
from .models import (
    Board,
    BoardMembership,
    ExecutiveAuthority,
    Organisation,
    OrganisationSignOn,
    PersonInvitation,
    User,
)

MEMBERSHIP_FIELDS = ("person", "board", "organisation", "role", "starts_on", "ends_on")
MEMBERSHIP_LABELS = {
    "person": "person",
    "board": "board",
    "organisation": "organisation represented",
    "role": "role",
    "starts_on": "start",
    "ends_on": "end",
}


class MembershipForm(VersionedFormMixin, forms.ModelForm):
    """A membership as the admin edits it (alone or among a person's roles): it carries the
    version it was opened on and is refused, naming who changed what, if a newer one was saved
    meanwhile. The check locks the row until the admin's transaction ends."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BoardMembership
        fields = list(MEMBERSHIP_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        version = instance.edit_version if instance is not None and instance.pk else NEVER
        super().__init__(*args, version=version, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            current = BoardMembership.objects.select_for_update().get(pk=self.instance.pk)
            self.before = plain_values(current, MEMBERSHIP_FIELDS)
            try:
                ensure_current(
                    current=current.updated_at,
                    seen=self.opened_version,
                    what="this membership",
                    changes=lambda since: changes_since(current, since, labels=MEMBERSHIP_LABELS),
                )
            except EditConflict as conflict:
                self.show_conflict(conflict)
        return cleaned


def audit_membership_change(form: MembershipForm, actor: Any) -> None:
    """The admin's change to a membership, on the membership's audit trail."""
    before = getattr(form, "before", None)
    if before is not None:
        audit_edit(
            subject=form.instance,
            actor=actor,
            before=before,
            after=plain_values(form.instance, MEMBERSHIP_FIELDS),
            labels=MEMBERSHIP_LABELS,
            at=form.instance.updated_at,
        )


def _describe(role: BoardMembership | ExecutiveAuthority) -> dict:
    if isinstance(role, BoardMembership):
        return {
            "board": role.board_id,
            "role": role.role,
            "organisation": role.organisation_id,
            "starts_on": role.starts_on.isoformat() if role.starts_on else None,
            "ends_on": role.ends_on.isoformat() if role.ends_on else None,
        }
    return {
        "organisation": role.organisation_id,
        "starts_on": role.starts_on.isoformat() if role.starts_on else None,
        "ends_on": role.ends_on.isoformat() if role.ends_on else None,
    }


def record_role_change(request, role, change: str, before: dict | None = None) -> None:
    """A role or executive authority added, changed or removed through the administration
    site, as an event on the person's audit trail."""
    kind = "role" if isinstance(role, BoardMembership) else "authority"
    audit_record(
        subject=role.person,
        actor=request.user,
        verb=f"person.{kind}_{change}",
        summary=f"{kind.capitalize()} {change}: {role}"[:500],
        before=before or ({} if change == "added" else _describe(role)),
        after={} if change == "removed" else _describe(role),
    )


class StepUpAdminMixin:
    """Changing someone's roles, authorities or access needs a recent second factor: the
    add, change and delete pages ask for it again first (nothing is saved until then)."""

    def changeform_view(self, request, *args, **kwargs):
        if not two_factor.is_fresh(request):
            return two_factor.step_up_redirect(request, request.path)
        return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        if not two_factor.is_fresh(request):
            return two_factor.step_up_redirect(request, request.path)
        return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        # The list's bulk actions (delete selected) change roles too.
        if request.method == "POST" and not two_factor.is_fresh(request):
            return two_factor.step_up_redirect(request, request.path)
        return super().changelist_view(request, *args, **kwargs)


class RoleAuditAdmin(StepUpAdminMixin, admin.ModelAdmin):
    """Records each role or authority change made here on the person's audit trail."""

    def save_model(self, request, obj, form, change):
        before = _describe(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        record_role_change(request, obj, "changed" if change else "added", before)

    def delete_model(self, request, obj):
        record_role_change(request, obj, "removed")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_role_change(request, obj, "removed")
        super().delete_queryset(request, queryset)


class MembershipInline(admin.TabularInline):
    model = BoardMembership
    form = MembershipForm
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
class UserAdmin(RefusalShownAdminMixin, StepUpAdminMixin, DjangoUserAdmin):
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

    ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser")

    def save_model(self, request, obj, form, change):
        changed = [name for name in self.ACCESS_FIELDS if change and name in form.changed_data]
        super().save_model(request, obj, form, change)
        if changed:
            audit_record(
                subject=obj,
                actor=request.user,
                verb="person.access_changed",
                summary=f"Access of {obj} changed: {', '.join(changed)}",
                before={name: form.initial.get(name) for name in changed},
                after={name: getattr(obj, name) for name in changed},
            )

    def save_formset(self, request, form, formset, change):
        if formset.model not in (BoardMembership, ExecutiveAuthority):
            return super().save_formset(request, form, formset, change)
        before = {
            f.instance.pk: _describe(type(f.instance).objects.get(pk=f.instance.pk))
            for f in formset.initial_forms
            if f.instance.pk and f.has_changed()
        }
        super().save_formset(request, form, formset, change)
        if formset.model is BoardMembership:
            for membership_form in formset.forms:
                audit_membership_change(membership_form, request.user)
        for role in formset.new_objects:
            record_role_change(request, role, "added")
        for role, _fields in formset.changed_objects:
            record_role_change(request, role, "changed", before.get(role.pk))
        for role in formset.deleted_objects:
            record_role_change(request, role, "removed")

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
    list_display = [
        "name",
        "short_name",
        "kind",
        "executive_body",
        "active",
        "joined_on",
        "default_marking",
        "shares_sensitive_decisions",
    ]
    list_filter = ["kind", "active", "default_marking", "shares_sensitive_decisions"]
    search_fields = ["name", "short_name", "executive_body"]


class SignOnForm(VersionedFormMixin, forms.ModelForm):
    """A body's identity provider as the administrator registers it. The client secret is
    written, never shown back: left empty, the one kept stays. The form carries the version it
    was opened on and is refused if a newer one was saved meanwhile (another administrator's
    switching it off is never undone by an older page)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="From the provider's registration of the portal. Leave empty to keep the "
        "secret already saved; it is stored encrypted and never shown.",
    )

    class Meta:
        model = OrganisationSignOn
        fields = [
            "organisation",
            "enabled",
            "provider_name",
            "issuer",
            "client_id",
            "email_domains",
            "accepts_provider_mfa",
        ]
        field_classes = {"issuer": partial(forms.URLField, assume_scheme="https")}

    def clean_issuer(self) -> str:
        """The portal fetches the provider's discovery document and keys from the issuer's
        address: one inside the portal's own network is refused here, when it is saved (and
        again on each fetch, as every address typed into the portal is)."""
        issuer: str = self.cleaned_data["issuer"]
        try:
            check_web_address(issuer)
        except Refused as refused:
            raise forms.ValidationError(refused.message) from refused
        return issuer

    def clean_email_domains(self) -> str:
        raw = self.cleaned_data["email_domains"]
        domains = [d.strip().lower().lstrip("@") for d in raw.split(",") if d.strip()]
        if not domains:
            raise forms.ValidationError("Enter at least one e-mail domain, e.g. police.example.")
        for domain in domains:
            if "." not in domain or any(ch in domain for ch in " /@:"):
                raise forms.ValidationError(f"“{domain}” is not an e-mail domain.")
        others = OrganisationSignOn.objects.exclude(pk=self.instance.pk)
        for other in others.select_related("organisation"):
            shared = set(domains) & set(other.domains)
            if shared:
                raise forms.ValidationError(
                    f"{', '.join(sorted(shared))} already belongs to {other.organisation}."
                )
        return ", ".join(domains)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        version = version_token(instance.updated_at) if instance and instance.pk else NEVER
        super().__init__(*args, version=version, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("client_secret") and not self.instance.has_client_secret:
            self.add_error("client_secret", "Enter the client secret.")
        if self.instance.pk and self.opened_version:
            current = OrganisationSignOn.objects.select_for_update().get(pk=self.instance.pk)
            try:
                ensure_current(
                    current=current.updated_at,
                    seen=self.opened_version,
                    what=f"the single sign-on of {current.organisation}",
                    changes=lambda since: [],
                )
            except EditConflict as conflict:
                self.show_conflict(conflict)
        return cleaned

    def save(self, commit: bool = True) -> OrganisationSignOn:
        if self.cleaned_data.get("client_secret"):
            self.instance.set_client_secret(self.cleaned_data["client_secret"])
        return super().save(commit=commit)


@admin.register(OrganisationSignOn)
class OrganisationSignOnAdmin(StepUpAdminMixin, admin.ModelAdmin):
    """A body's identity provider signs in any of the body's people (and its multi-factor
    sign-in may count as the portal's second factor): registering, changing or removing one
    asks for a recent second factor, as changing someone's roles does."""

    form = SignOnForm
    list_display = ["organisation", "enabled", "provider_name", "issuer", "accepts_provider_mfa"]
    list_filter = ["enabled", "accepts_provider_mfa"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "issuer", "email_domains"]
    readonly_fields = ["callback_address", "secret_saved", "updated_at"]

    @admin.display(description="Redirect URI to register at the provider")
    def callback_address(self, obj: OrganisationSignOn) -> str:
        return f"{settings.SITE_URL}{reverse('sign_on_callback')}"

    @admin.display(description="Client secret saved", boolean=True)
    def secret_saved(self, obj: OrganisationSignOn) -> bool:
        return obj.has_client_secret

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            subject=obj.organisation,
            actor=request.user,
            verb="organisation.sign_on_changed" if change else "organisation.sign_on_added",
            summary=f"Single sign-on of {obj.organisation} "
            + ("changed" if change else "registered")
            + (" (client secret replaced)" if form.cleaned_data.get("client_secret") else ""),
            after={
                "enabled": obj.enabled,
                "issuer": obj.issuer,
                "client_id": obj.client_id,
                "email_domains": obj.email_domains,
                "accepts_provider_mfa": obj.accepts_provider_mfa,
            },
        )


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "quorum_bodies", "public_pages_enabled"]
    list_filter = ["public_pages_enabled"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisations"]


@admin.register(BoardMembership)
class BoardMembershipAdmin(RoleAuditAdmin):
    list_display = ["person", "board", "organisation", "role", "starts_on", "ends_on"]
    list_filter = ["board", "role", "organisation"]
    search_fields = ["person__full_name", "person__email", "organisation__name"]
    list_select_related = ["person", "board", "organisation"]
    autocomplete_fields = ["person", "board", "organisation"]
    date_hierarchy = "starts_on"
    form = MembershipForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_membership_change(form, request.user)


@admin.register(ExecutiveAuthority)
class ExecutiveAuthorityAdmin(RoleAuditAdmin):
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
