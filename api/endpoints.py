"""The open API's endpoints (django-ninja): public and signed-in routers, the schema at
/api/openapi.json for signed-in people, and every refusal as a sentence.

The docs page is the portal's own, rendered on the server from the schema (``views.api_docs``).
django-ninja's Swagger UI can be served from ninja's static files without a CDN and runs under
the strict CSP, but it fails WCAG 2.2 AA (contrast, nested interactive controls, target sizes,
no page language), so the portal does not serve it; tools that want it read the schema.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from . import public, signed_in
from .errors import ApiRefusal

DESCRIPTION = """The Blue Light Collaboration portal's API.

**Public endpoints** (`/api/public/...`) need no sign-in and answer only while the board's
public pages are on, exactly what those pages show.

**Every other endpoint** needs a personal API token, made on the portal's *API tokens* page
(under *Your sessions*), sent as `Authorization: Bearer <token>`. It answers exactly what its
person may see in the portal, and records a decision only where they may record it.

Lists are pages: `limit` (at most 100) and `offset`; each answer links to the next page.
Every GET answer has an `ETag`: send it back in `If-None-Match` to get `304 Not Modified`.
Each token may make a number of requests a minute (429 with `Retry-After` beyond it).
Refusals are `{"detail": "a sentence saying why"}`.
"""

api = NinjaAPI(
    title="Blue Light Collaboration portal API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    docs_decorator=login_required,
)
api.add_router("/public", public.router)
api.add_router("", signed_in.router)


def _refusal(request: HttpRequest, status: int, message: str, headers=None) -> HttpResponse:
    response = api.create_response(request, {"detail": message}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ApiRefusal)
def _api_refusal(request: HttpRequest, error: ApiRefusal) -> HttpResponse:
    return _refusal(request, error.status, error.message, error.headers)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _refusal(request, 404, str(error) or "There is nothing at this address.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return _refusal(request, 403, str(error) or "You may not do this.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    from .auth import MISSING

    return _refusal(request, 401, MISSING, {"WWW-Authenticate": "Bearer"})


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    problems = []
    for problem in error.errors:
        where = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "the request"
        problems.append(f"{where}: {problem.get('msg', 'not valid')}")
    return _refusal(request, 400, "The request is not valid — " + "; ".join(problems) + ".")
