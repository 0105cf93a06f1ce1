from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("boards/<slug:slug>/messages/", views.message_log, name="message_log"),
    path("boards/<slug:slug>/messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
]
