from django.contrib import admin

from core.deletion import UndeletableAdminMixin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(UndeletableAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "kind",
        "subject",
        "delivery",
        "status",
        "sent_at",
        "attempts",
    ]
    list_filter = ["status", "delivery", "kind"]
    search_fields = ["subject", "recipient__full_name", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "delivery", "updated_at"]
    list_filter = ["kind", "delivery"]
    search_fields = ["recipient__full_name", "recipient__email"]
    list_select_related = ["recipient"]
