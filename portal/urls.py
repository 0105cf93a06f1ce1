from django.urls import path

from audit.marking_changes import marking_change_view

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", views.audit_search, name="audit_search"),
    path("verify/", views.document_verify, name="document_verify"),
    path("accessibility/", views.accessibility_statement, name="accessibility_statement"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("cookies/", views.cookies, name="cookies"),
    path("contact/", views.contact, name="contact"),
    path("markings/<slug:kind>/<int:pk>/", marking_change_view, name="marking_change"),
]
