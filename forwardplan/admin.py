from django.contrib import admin

from core.deletion import UndeletableAdminMixin

from .models import CalendarReading, DecisionForum, ForumMeeting, PublishedPlan


@admin.register(DecisionForum)
class DecisionForumAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "decision_maker", "notice_days", "calendar_read_at"]
    list_filter = ["organisation"]


@admin.register(ForumMeeting)
class ForumMeetingAdmin(UndeletableAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "date", "time", "status", "source"]
    list_filter = ["status", "source", "forum__organisation"]


@admin.register(PublishedPlan)
class PublishedPlanAdmin(UndeletableAdminMixin, admin.ModelAdmin):
    list_display = ["board", "month", "number", "published_at", "published_by"]
    readonly_fields = ["entries"]


@admin.register(CalendarReading)
class CalendarReadingAdmin(admin.ModelAdmin):
    list_display = ["forum", "requested_at", "requested_by", "status", "attempts", "finished_at"]
    list_filter = ["status"]
    readonly_fields = ["forum", "requested_by", "requested_at", "started_at", "finished_at"]
