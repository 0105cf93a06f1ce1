from django.utils.cache import patch_cache_control


class SignedInNoStoreMiddleware:
    """Every response to a signed-in person says ``Cache-Control: no-store``: pages with board
    business are never kept by the browser or a proxy, so the back button after signing out
    (or the next person at a shared computer) finds nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True)
        return response


class BrokerAttemptsMiddleware:
    """One failed attempt to reach the Celery broker per request at most: after it, the
    request's further messages and jobs are left (as rows) to the sweep (see core.enqueue)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .enqueue import broker_attempts_for_request

        with broker_attempts_for_request():
            return self.get_response(request)
