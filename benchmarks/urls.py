"""The portal's URLs plus the bare signed-in view the benchmark measures every page against.

``/bench/bare/`` returns a fixed response, but only after every middleware of the portal has run:
security headers, CSP, the session (read from the database), CSRF, authentication (the user
read), the refusal audit, sign-in required, the session limits (touching the session), the
second factor (django-otp reading the session's device), no-store, messages and frame options.
What it costs is what a page costs before it does anything of its own.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bluelight.urls import handler400, handler403, handler404, handler500  # noqa: F401
from bluelight.urls import urlpatterns as portal_urlpatterns

BARE_BODY = b"<!doctype html><title>Bare</title><p>Signed in.</p>\n"


def bare(request: HttpRequest) -> HttpResponse:
    """A fixed page for a signed-in person (anonymous people are sent to sign in by the
    middleware, like on every portal page)."""
    return HttpResponse(BARE_BODY)


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *portal_urlpatterns]
