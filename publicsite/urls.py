from django.urls import path

from . import views

urlpatterns = [
    path("public/<slug:slug>/", views.public_home, name="public_home"),
    path("public/<slug:slug>/meetings/", views.public_meeting_list, name="public_meeting_list"),
    path("public/<slug:slug>/meetings/<int:pk>/", views.public_meeting, name="public_meeting"),
    path("public/<slug:slug>/collaborations/", views.public_register, name="public_register"),
    path("public/<slug:slug>/forward-plan/", views.public_forward_plan, name="public_forward_plan"),
    path("public/<slug:slug>/not-pursued/", views.public_not_pursued, name="public_not_pursued"),
    path("boards/<slug:slug>/public-pages/", views.public_pages_edit, name="public_pages_edit"),
]
