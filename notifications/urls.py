from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "notifications/digest/unsubscribe/<str:token>/",
        views.digest_unsubscribe,
        name="digest_unsubscribe",
    ),
    path("boards/<slug:slug>/messages/", views.message_log, name="message_log"),
    path("boards/<slug:slug>/messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path(
        "boards/<slug:slug>/messages/webhooks/<int:pk>/retry/",
        views.webhook_delivery_retry,
        name="webhook_delivery_retry",
    ),
    path("boards/<slug:slug>/webhooks/", views.webhooks, name="webhooks"),
    path(
        "boards/<slug:slug>/webhooks/<int:organisation>/off/",
        views.webhook_off,
        name="webhook_off",
    ),
]
