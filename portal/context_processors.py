import json

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from boards import permissions, sessions


def portal(request) -> dict:
    """The portal's name and, for the navigation, what the signed-in person may reach."""
    user = getattr(request, "user", None)

    def navigation() -> dict:
        if user is None or not user.is_authenticated:
            return {}
        boards = permissions.boards_of(user)
        from notifications.models import Notification

        return {
            "unread_notifications": Notification.objects.filter(
                recipient=user, read_at__isnull=True
            ).count(),
            "boards": boards,
            "secretariat_boards": [b for b in boards if permissions.is_secretariat(user, b)],
            "is_executive": permissions.is_executive(user),
            "may_search_audit": permissions.can_search_audit(user),
        }

    return {
        "portal_name": settings.PORTAL_NAME,
        "nav": SimpleLazyObject(navigation),
        **session_timing(request, user),
    }


def session_timing(request, user) -> dict:
    """What portal/static/js/session.js needs: when to warn that the session is ending, and
    the text of a form submitted after the last session ended, to put back."""
    context: dict = {"session_hours": settings.SESSION_ABSOLUTE_LIFETIME // 3600}
    if user is not None and user.is_authenticated and hasattr(request, "session"):
        context["session_seconds_left"] = sessions.seconds_left(request.session)
        context["session_warning_seconds"] = settings.SESSION_WARNING_SECONDS
    kept = getattr(request, "kept_form", None)
    if kept:
        context["kept_form_json"] = json.dumps(kept)
    return context
