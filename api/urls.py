"""The open API at /api/: its endpoints (``endpoints.api``), and its documentation page
(/api/docs) and schema (/api/openapi.json) for signed-in people."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from . import views
from .endpoints import api
from .paging import conditional


def _open_to_tokens(pattern: URLPattern | URLResolver) -> URLPattern | URLResolver:
    """The API's addresses are exempt from the portal's sign-in redirect (a token, not a
    session, signs an API request in; the docs keep their own login_required), and each GET
    answer gets its ETag."""
    if isinstance(pattern, URLResolver):
        for inner in pattern.url_patterns:
            _open_to_tokens(inner)
        return pattern
    view = pattern.callback

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return conditional(view)(request, *args, **kwargs)

    wrapper.login_required = False  # type: ignore[attr-defined]
    pattern.callback = wrapper
    return pattern


app_name = "ninja"
urlpatterns = [
    path("", views.api_home, name="home"),
    path("docs", login_required(views.api_docs), name="docs"),
    *(_open_to_tokens(pattern) for pattern in api.urls[0]),
]
