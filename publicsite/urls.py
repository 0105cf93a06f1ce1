from django.urls import path

from . import feeds, views

urlpatterns = [
    path("public/<slug:slug>/", views.public_home, name="public_home"),
    path("public/<slug:slug>/meetings/", views.public_meeting_list, name="public_meeting_list"),
    path("public/<slug:slug>/meetings/<int:pk>/", views.public_meeting, name="public_meeting"),
    path(
        "public/<slug:slug>/meetings/<int:pk>/agenda-pack.pdf",
        views.public_pack_download,
        name="public_pack",
    ),
    path(
        "public/<slug:slug>/meetings/<int:pk>/minutes.pdf",
        views.public_minutes_download,
        name="public_minutes_pdf",
    ),
    path(
        "public/<slug:slug>/meetings/<int:pk>/papers/<int:paper>/",
        views.public_paper_download,
        name="public_paper",
    ),
    path("public/<slug:slug>/collaborations/", views.public_register, name="public_register"),
    path(
        "public/<slug:slug>/collaborations/<int:pk>/",
        views.public_collaboration,
        name="public_collaboration",
    ),
    path("public/<slug:slug>/decisions/", views.public_decision_list, name="public_decisions"),
    path("public/<slug:slug>/decisions/<int:pk>/", views.public_decision, name="public_decision"),
    path("public/<slug:slug>/forward-plan/", views.public_forward_plan, name="public_forward_plan"),
    path("public/<slug:slug>/not-pursued/", views.public_not_pursued, name="public_not_pursued"),
    path("public/<slug:slug>/feed.atom", feeds.public_feed, name="public_feed"),
    path("boards/<slug:slug>/public-pages/", views.public_pages_edit, name="public_pages_edit"),
]
