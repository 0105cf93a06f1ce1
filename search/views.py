from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from boards.http import AuthenticatedHttpRequest
from core.page_cache import cached_page

from .forms import SearchForm
from .queries import Search

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
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


class SearchPaginator(Paginator):
    """Pages of the ranked rows: the page asked for and the number of matches come back from
    one query (``Search.page_rows``); a page past the end shows the last one."""

    def __init__(self, found: Search, per_page: int):
        super().__init__([], per_page)
        self.found = found

    @cached_property
    def count(self) -> int:
        return self.found.count()

    def get_page(self, number) -> Page:
        try:
            # Beyond any real page (and within what PostgreSQL's OFFSET takes): the last page.
            number = min(max(int(number), 1), MAX_PAGE)
        except (TypeError, ValueError):
            number = 1
        rows, total = self._rows_of(number)
        self.__dict__["count"] = total
        if not rows and total:
            number = self.num_pages
            rows, _total = self._rows_of(number)
        return Page(rows, number, self)

    def _rows_of(self, number: int):
        return self.found.page_rows(offset=(number - 1) * self.per_page, limit=self.per_page)


def _query_without_page(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
