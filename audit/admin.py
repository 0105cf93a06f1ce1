from django.contrib import admin

from .models import AuditEvent, FileStoreReport


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "verb", "summary", "subject_type", "subject_id"]
    list_filter = ["verb", "subject_type"]
    search_fields = ["summary", "actor__full_name"]
    list_select_related = ["actor", "subject_type"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FileStoreReport)
class FileStoreReportAdmin(admin.ModelAdmin):
    """The weekly file store checks, read-only."""

    list_display = ["checked_at", "files_stored", "summary"]
    date_hierarchy = "checked_at"
    readonly_fields = [f.name for f in FileStoreReport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
