from django.urls import path

from . import views

urlpatterns = [
    path("boards/<slug:slug>/dashboard/", views.dashboard, name="board_dashboard"),
    path("boards/<slug:slug>/reports/", views.report_list, name="report_list"),
    path("boards/<slug:slug>/reports/new/", views.report_request, name="report_request"),
    path("boards/<slug:slug>/reports/<int:pk>/", views.report_run, name="report_run"),
    path("boards/<slug:slug>/reports/<int:pk>/status/", views.report_status, name="report_status"),
    path(
        "boards/<slug:slug>/reports/<int:pk>/download/",
        views.report_download,
        name="report_download",
    ),
    path("boards/<slug:slug>/reports/<int:pk>/retry/", views.report_retry, name="report_retry"),
]
