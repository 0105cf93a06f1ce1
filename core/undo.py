"""An "Undo" in the confirmation banner after a removal (GOV.UK's pattern for a reversible
removal: do it at once, say so, and offer to take it back).

The view that removes something keeps what it needs to restore it in the session (its own key)
and calls ``offer``; the next page shows the banner with an Undo button posting to ``url``. The
banner is shown once, like a message; the restore view checks its own permission and whether
the thing may still come back.
"""

from django.http import HttpRequest

OFFER = "undo_offer"


def offer(request: HttpRequest, *, message: str, url: str, what: str) -> None:
    """Show ``message`` on the next page with an Undo button; ``what`` finishes the button's
    accessible name ("Undo removing …")."""
    request.session[OFFER] = {"message": message, "url": url, "what": what}


def take_offer(request: HttpRequest) -> dict[str, str] | None:
    session = getattr(request, "session", None)
    if session is None or OFFER not in session:
        return None
    return session.pop(OFFER)


def keep(request: HttpRequest, key: str, kept: dict) -> None:
    request.session[f"undo:{key}"] = kept


def take(request: HttpRequest, key: str) -> dict | None:
    return request.session.pop(f"undo:{key}", None)
