"""Refusals the API answers with a status and a sentence (``{"detail": "..."}``)."""


class ApiRefusal(Exception):
    """An answer other than the one asked for: its HTTP status, a sentence, and headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
