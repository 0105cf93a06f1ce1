"""Pages of a long list that count its rows only as far as they need to.

A log of a board's messages runs to hundreds of thousands of rows; counting them all on every
page costs more than showing the page. ``CountedAheadPaginator`` counts only as far as a few pages
past the one asked for: the page shows "Page 3 of 7" when the list ends within reach, and
"Page 3" with a link to the next page when it goes on further (GOV.UK's pagination for a list
whose length is not shown).
"""

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

# Pages counted past the one asked for: enough for "Page 2 of 5" on most lists.
PAGES_AHEAD = 10
# Beyond this page (and PostgreSQL's OFFSET cost with it) the last page reachable is shown.
MAX_PAGE = 2000


class CountedAheadPaginator(Paginator):
    """A paginator whose count stops a few pages past the page asked for (``pages_ahead``).

    ``count`` is then the rows counted, and ``counted_all`` says whether that is every row;
    when it is not, the number of pages is unknown and the templates say "Page n" alone.
    """

    def __init__(
        self, object_list: QuerySet[Any], per_page: int, pages_ahead: int = PAGES_AHEAD
    ) -> None:
        super().__init__(object_list, per_page)
        self.rows = object_list
        self.pages_ahead = pages_ahead
        self.count_limit = (1 + pages_ahead) * per_page + 1
        self.counted_all = True

    def get_page(self, number: Any) -> Page:
        try:
            wanted = min(max(int(number), 1), MAX_PAGE)
        except (TypeError, ValueError):
            wanted = 1
        self.count_limit = (wanted + self.pages_ahead) * self.per_page + 1
        if wanted == 1:
            # The first page and one row more: a list that ends on it needs no counting.
            rows = list(self.rows[: self.per_page + 1])
            if len(rows) <= self.per_page:
                self.__dict__["count"] = len(rows)
            else:
                self.count  # noqa: B018 -- counted now, so that counted_all is known
            return Page(rows[: self.per_page], 1, self)
        return super().get_page(wanted)

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a LIMITed subquery: PostgreSQL stops reading at the limit.
        counted = self.rows.order_by()[: self.count_limit].count()
        if counted >= self.count_limit:
            self.counted_all = False
            return self.count_limit - 1
        return counted
