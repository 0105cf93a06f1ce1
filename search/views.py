from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from boards.http import AuthenticatedHttpRequest
from core.page_cache import cached_page

from . import queries
from .forms import SearchForm
from .queries import PageRows, Search

PAGE_SIZE = 20
MAX_PAGE = 1_000_000


@require_GET
@cached_page
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Results only ever come from what the person may see (see ``search.permissions``)."""
    form = SearchForm(request.GET if "q" in request.GET else None)
    page = None
    if form.is_valid():
        found = Search(person=request.user, text=form.cleaned_data["q"])
        page = SearchPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = found.hits(page.object_list)
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "most_ranked": queries.MOST_RANKED,
        },
    )


class SearchPaginator(Paginator):
    """Pages of the ranked rows: the page asked for, the number of matches ranked and whether
    there were more come back from one query (``Search.page_rows``); a page past the end shows
    the last one."""

    def __init__(self, found: Search, per_page: int):
        super().__init__([], per_page)
        self.found = found
        # A kind had more matches than are ranked: the page says so and asks for more words.
        self.more = False

    @cached_property
    def count(self) -> int:
        return self.found.count()

    def get_page(self, number) -> Page:
        try:
            # Beyond any real page (and within what PostgreSQL's OFFSET takes): the last page.
            number = min(max(int(number), 1), MAX_PAGE)
        except (TypeError, ValueError):
            number = 1
        found = self._rows_of(number)
        self.__dict__["count"] = found.total
        if not found.rows and found.total:
            number = self.num_pages
            found = self._rows_of(number)
        self.more = found.more
        return Page(found.rows, number, self)

    def _rows_of(self, number: int) -> PageRows:
        return self.found.page_rows(offset=(number - 1) * self.per_page, limit=self.per_page)


def _query_without_page(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
