from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "status", "sent_at", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "recipient__full_name", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
