"""Meetings: for the system owner's inspection; the secretariat works in the portal"""

from django.contrib import admin
from django.db import models

from core.deletion import UndeletableAdminMixin

from .models import Action, AgendaItem, Meeting, MeetingInvitation, Paper


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fk_name = "meeting"
    fields = ["position", "title", "presenter", "confidential"]

    def has_delete_permission(self, request, obj=None) -> bool:
        """Items go only while the agenda may change (``obj`` is the meeting)."""
        return obj is None or obj.agenda_is_editable


@admin.register(Meeting)
class MeetingAdmin(UndeletableAdminMixin, admin.ModelAdmin):
    list_display = ["title", "board", "starts_at", "venue", "status"]
    list_filter = ["board", "status"]
    search_fields = ["title", "venue"]
    list_select_related = ["board"]
    date_hierarchy = "starts_at"
    inlines = [AgendaItemInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        "uid",
        "sequence",
        "pack_state",
        "pack_generation",
        "pack_file",
        "part2_pack_file",
        "minutes_pdf_state",
        "minutes_pdf",
        "minutes_part2_pdf",
    ]


@admin.register(MeetingInvitation)
class MeetingInvitationAdmin(UndeletableAdminMixin, admin.ModelAdmin):
    list_display = ["person", "meeting", "organisation", "is_guest", "reply", "attendance"]
    list_filter = ["reply", "attendance", "is_guest"]
    search_fields = ["person__full_name", "person__email", "meeting__title"]
    list_select_related = ["person", "meeting", "organisation"]
    raw_id_fields = ["meeting", "person"]


@admin.register(Paper)
class PaperAdmin(UndeletableAdminMixin, admin.ModelAdmin):
    list_display = ["title", "meeting", "agenda_item", "created_at"]
    search_fields = ["title", "meeting__title"]
    list_select_related = ["meeting", "agenda_item"]
    raw_id_fields = ["meeting", "agenda_item", "current_version"]


@admin.register(Action)
class ActionAdmin(UndeletableAdminMixin, admin.ModelAdmin):
    list_display = ["description", "owner", "due_on", "status", "meeting"]
    list_filter = ["status"]
    search_fields = ["description", "owner__full_name"]
    list_select_related = ["owner", "meeting"]
    raw_id_fields = ["meeting", "agenda_item", "owner", "created_by"]
