"""The request a signed-in page receives.

``LoginRequiredMiddleware`` turns away anonymous visitors from every view not marked
``login_not_required``, so those views annotate their request with this class: its ``user`` is a
person, never ``AnonymousUser``. It is never instantiated; Django's own request arrives.
"""

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
