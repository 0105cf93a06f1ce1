from django.contrib import admin

from .models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ["board", "period_start", "period_end", "status", "progress", "requested_at"]
    list_filter = ["status", "board"]
    list_select_related = ["board"]
    readonly_fields = [f.name for f in ReportRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
