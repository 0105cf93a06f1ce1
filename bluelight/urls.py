from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Blue Light Collaboration — administration"
admin.site.site_title = "Blue Light Collaboration"

urlpatterns = [
    path("", include("boards.urls")),
    path("", include("opportunities.urls")),
    path("", include("notifications.urls")),
    path("", include("publicsite.urls")),
    path("", include("search.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "boards.views.bad_request"
handler403 = "boards.views.permission_denied"
handler404 = "boards.views.page_not_found"
handler500 = "boards.views.server_error"
