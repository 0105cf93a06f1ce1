from django.conf import settings
from django.utils.functional import SimpleLazyObject

from boards import permissions


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

    return {"portal_name": settings.PORTAL_NAME, "nav": SimpleLazyObject(navigation)}
