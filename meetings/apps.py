from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings, papers and minutes"

    def ready(self) -> None:
        from . import (
            emails,
            permissions,  # noqa: F401  (registers the meetings' permission rules)
        )

        emails.register()
