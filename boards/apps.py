from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards, organisations and people"

    def ready(self) -> None:
        # Sign-in and sign-out keep the "your sessions" records (boards/sessions.py).
        from . import person_cache, sessions  # noqa: F401

        # Each signed-in person's cached record is renewed whenever what it was read from changes.
        person_cache.connect()
