from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Blue Light Collaboration — administration"
admin.site.site_title = "Blue Light Collaboration"

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("boards.urls")),
    path("", include("meetings.urls")),
    path("", include("meetings.annotations.urls")),
    path("", include("forwardplan.urls")),
    path("", include("opportunities.urls")),
    path("", include("notifications.urls")),
    path("", include("publicsite.urls")),
    path("", include("search.urls")),
    path("", include("reports.urls")),
    path("api/", include("api.urls", namespace="api")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
