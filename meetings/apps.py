from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings, papers and minutes"

    def ready(self) -> None:
        from core.deletion import guard_deletion
        from core.files import delete_files_with_rows

        from . import (
            emails,
            permissions,  # noqa: F401  (registers the meetings' permission rules)
        )
        from .models import (
            Action,
            AgendaItem,
            DeclarationOfInterest,
            ExemptItemAdmission,
            Meeting,
            MeetingInvitation,
            Paper,
            PaperVersion,
            RegisteredInterest,
            Resolution,
            Vote,
        )

        guard_deletion(
            Action,
            AgendaItem,
            DeclarationOfInterest,
            ExemptItemAdmission,
            Meeting,
            MeetingInvitation,
            Paper,
            PaperVersion,
            RegisteredInterest,
            Resolution,
            Vote,
        )
        delete_files_with_rows(Meeting, PaperVersion)

        emails.register()

        from .marking_kinds import register_kinds

        register_kinds()
