from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "meetings.annotations"
    label = "annotations"
    verbose_name = "Notes on papers"

    def ready(self) -> None:
        from core.files import delete_files_with_rows

        from . import permissions  # noqa: F401  (registers the notes' permission rules)
        from .models import NotesPack

        delete_files_with_rows(NotesPack)
