from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards, organisations and people"

    def ready(self) -> None:
        # Sign-in and sign-out keep the "your sessions" records (boards/sessions.py).
        from . import sessions  # noqa: F401
