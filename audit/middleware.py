from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .services import request_in_context, safe_path, security_record


class RefusalAuditMiddleware:
    """Records every refused request (403): who, which path (secrets blanked), from where.

    It sits outside the views, so a refusal raised anywhere (a permission check, the CSRF
    check, a lock-out) is recorded, whichever page turned the person away.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            security_record(
                request=request,
                verb="request.refused",
                summary=f"Refused {request.method} {safe_path(request.path)}"[:500],
            )
        return response


class RequestContextMiddleware:
    """Makes the request known to security events recorded where it is not to hand, such as an
    upload refused by the virus check inside a form (``audit.services.context_security_record``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_in_context(request):
            return self.get_response(request)
