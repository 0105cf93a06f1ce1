from django.urls import path

from . import views

urlpatterns = [
    path("meetings/<int:pk>/papers/<int:paper>/read/", views.paper_read, name="paper_read"),
    path("meetings/<int:pk>/papers/<int:paper>/notes/", views.paper_notes, name="paper_notes"),
    path(
        "meetings/<int:pk>/papers/<int:paper>/notes/<int:note>/",
        views.note_edit,
        name="note_edit",
    ),
    path(
        "meetings/<int:pk>/papers/<int:paper>/notes/<int:note>/delete/",
        views.note_delete,
        name="note_delete",
    ),
    path("meetings/<int:pk>/my-notes/copies/", views.notes_packs, name="notes_packs"),
    path(
        "meetings/<int:pk>/my-notes/copies/<int:pack>/download/",
        views.notes_pack_download,
        name="notes_pack_download",
    ),
]
