import json

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from boards import permissions, sessions
from core import undo
from notifications.unread import unread_count


def portal(request) -> dict:
    """The portal's name and, for the navigation, what the signed-in person may reach: read
    from the person's cached record (boards.person_cache) and cached unread count
    (notifications.unread), so a page's layout costs no query of its own."""
    user = getattr(request, "user", None)

    def navigation() -> dict:
        if user is None or not user.is_authenticated:
            return {}
        boards = permissions.boards_of(user)
        return {
            "unread_notifications": unread_count(user),
            "boards": boards,
            "secretariat_boards": [b for b in boards if permissions.is_secretariat(user, b)],
            "is_executive": permissions.is_executive(user),
            "may_search_audit": permissions.can_search_audit(user),
            "may_verify_documents": permissions.can_verify_documents(user),
        }

    return {
        "portal_name": settings.PORTAL_NAME,
        "nav": SimpleLazyObject(navigation),
        **session_timing(request, user),
        "page_section": page_section(request),
        "undo_offer": undo.take_offer(request),
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


# The section of the portal each app's pages belong to: the middle part of every page title
# (between the page and the portal name), so that no two kinds of page share a title.
SECTIONS = {
    "boards": "Board",
    "django": "Your account",
    "meetings": "Meetings",
    "forwardplan": "Forward plan",
    "opportunities": "Collaboration register",
    "notifications": "Notifications",
    "publicsite": "Public information",
    "search": "",
    "reports": "Reports",
    "portal": "",
}


def page_section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    module = getattr(match.func, "__module__", "") or ""
    if hasattr(match.func, "view_class"):
        module = match.func.view_class.__module__
    return SECTIONS.get(module.split(".")[0], "")
