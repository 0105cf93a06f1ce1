"""Pages of a list: ``limit`` (at most ``MAX_LIMIT``) and ``offset``, with links to the next
and previous pages; and the ETag every GET answer carries (``If-None-Match`` gives 304)."""

from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)

from .errors import ApiRefusal

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_OFFSET = 100_000
# As the public pages: a shared cache may keep a public answer five minutes.
PUBLIC_MAX_AGE = 300
Row = TypeVar("Row")


def checked(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiRefusal(400, f"limit must be between 1 and {MAX_LIMIT}.")
    if not 0 <= offset <= MAX_OFFSET:
        raise ApiRefusal(400, f"offset must be between 0 and {MAX_OFFSET}.")
    return limit, offset


def _link(request: HttpRequest, limit: int, offset: int) -> str:
    query = request.GET.copy()
    query["limit"] = str(limit)
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page(
    request: HttpRequest,
    rows: "QuerySet[Any] | Sequence[Row]",
    shown: Callable[[Iterable[Row]], list[dict[str, Any]]],
    *,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """One page of ``rows`` (ordered: a queryset, or a list already read), each shown by
    ``shown`` (given the whole page, so it can read what the rows share in one query). An
    offset past the end of a list that has rows is a 404 saying how long the list is."""
    limit, offset = checked(limit, offset)
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    if offset and offset >= count:
        raise ApiRefusal(
            404,
            f"There is nothing at offset {offset}: the list has {count} "
            f"{'entry' if count == 1 else 'entries'}.",
        )
    on_page = list(rows[offset : offset + limit])
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": _link(request, limit, offset + limit) if offset + limit < count else None,
        "previous": _link(request, limit, max(offset - limit, 0)) if offset else None,
        "results": shown(on_page),
    }


def conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A GET answer gets an ETag from its content; an ``If-None-Match`` naming it gets 304.
    Answers depend on the token, so caches keep them apart by Authorization."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if getattr(response, "streaming", False):
            return response
        patch_vary_headers(response, ["Authorization"])
        if "Authorization" in request.headers:
            patch_cache_control(response, private=True, no_cache=True)
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        if not response.has_header("ETag"):
            set_response_etag(response)
        conditional_response = get_conditional_response(
            request, etag=response["ETag"], response=response
        )
        return conditional_response if conditional_response is not None else response

    return wrapper
