from django.urls import path

from . import pack_views, views

urlpatterns = [
    path(
        "recommendations/<int:pk>/papers/from-meeting/",
        pack_views.recommendation_meeting_papers,
        name="recommendation_meeting_papers",
    ),
    path("boards/<slug:slug>/meetings/", views.meeting_list, name="meeting_list"),
    path("boards/<slug:slug>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path(
        "meetings/<int:pk>/messages/<int:message>/resend/",
        views.meeting_message_resend,
        name="meeting_message_resend",
    ),
    path("meetings/<int:pk>/status/", views.meeting_transition, name="meeting_transition"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/invitees/add/", views.invitee_add, name="invitee_add"),
    path("meetings/<int:pk>/invitees/guest/", views.guest_invite, name="guest_invite"),
    path(
        "meetings/<int:pk>/invitations/<int:invitation>/reply/",
        views.reply_record,
        name="reply_record",
    ),
    path("meetings/<int:pk>/reply/", views.invitation_reply, name="invitation_reply"),
    path("meetings/<int:pk>/admissions/", views.exempt_admissions, name="exempt_admissions"),
    path(
        "meetings/<int:pk>/admissions/<int:admission>/remove/",
        views.exempt_admission_remove,
        name="exempt_admission_remove",
    ),
    path("meetings/<int:pk>/agenda/add/", views.agenda_item_form, name="agenda_item_add"),
    path(
        "meetings/<int:pk>/agenda/<int:item>/edit/",
        views.agenda_item_form,
        name="agenda_item_edit",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item>/recommendation/",
        views.recommendation_at_item,
        name="recommendation_at_item",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item>/delete/",
        views.agenda_item_delete,
        name="agenda_item_delete",
    ),
    path(
        "meetings/<int:pk>/agenda/restore/",
        views.agenda_item_restore,
        name="agenda_item_restore",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item>/move/",
        views.agenda_item_move,
        name="agenda_item_move",
    ),
    path("meetings/<int:pk>/agenda/sign-off/", views.agenda_sign_off, name="agenda_sign_off"),
    path("meetings/<int:pk>/papers/add/", views.paper_upload, name="paper_upload"),
    path(
        "meetings/<int:pk>/papers/<int:paper>/new-version/",
        views.paper_upload,
        name="paper_new_version",
    ),
    path(
        "meetings/<int:pk>/papers/<int:paper>/download/",
        views.paper_download,
        name="paper_download",
    ),
    path(
        "meetings/<int:pk>/papers/<int:paper>/versions/",
        views.paper_versions,
        name="paper_versions",
    ),
    path(
        "meetings/<int:pk>/papers/<int:paper>/versions/<int:version>/download/",
        views.paper_download,
        name="paper_version_download",
    ),
    path(
        "meetings/<int:pk>/papers/<int:paper>/versions/<int:version>/pdf/",
        views.paper_pdf,
        name="paper_pdf",
    ),
    path("meetings/<int:pk>/pack/", views.pack_download, name="pack_download"),
    path("meetings/<int:pk>/pack/part-2/", views.pack_part2_download, name="pack_part2_download"),
    path("meetings/<int:pk>/pack/state/", views.pack_state, name="pack_state"),
    path(
        "meetings/<int:pk>/pdfs/rebuild/", views.meeting_pdfs_rebuild, name="meeting_pdfs_rebuild"
    ),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_download, name="minutes_download"),
    path(
        "meetings/<int:pk>/minutes-part-2.pdf",
        views.minutes_part2_download,
        name="minutes_part2_download",
    ),
    path("meetings/<int:pk>/attendance/", views.attendance_record, name="attendance_record"),
    path("meetings/<int:pk>/declarations/add/", views.declaration_add, name="declaration_add"),
    path("meetings/<int:pk>/minutes/<int:item>/", views.minutes_edit, name="minutes_edit"),
    path(
        "meetings/<int:pk>/agenda/<int:item>/resolutions/add/",
        views.resolution_add,
        name="resolution_add",
    ),
    path("meetings/<int:pk>/actions/add/", views.action_add, name="action_add"),
    path(
        "meetings/<int:pk>/actions/<int:action>/status/",
        views.action_status,
        name="action_status",
    ),
    path("meetings/<int:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("boards/<slug:slug>/actions/", views.action_log, name="action_log"),
    path(
        "boards/<slug:slug>/attendance/",
        views.attendance_statistics,
        name="attendance_statistics",
    ),
    path("interests/", views.interests_mine, name="interests_mine"),
    path("interests/<int:entry>/end/", views.interest_end, name="interest_end"),
    path("boards/<slug:slug>/interests/", views.interests_review, name="interests_review"),
    path(
        "boards/<slug:slug>/interests/<int:entry>/reviewed/",
        views.interest_review,
        name="interest_review",
    ),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
