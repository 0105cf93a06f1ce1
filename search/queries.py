"""One search over the register and the boards' meetings.

On PostgreSQL each kind of record is matched by full-text search (English stemming, the
``websearch`` query syntax people type into search boxes) against its stored document, a
column that a trigger keeps in step with the text (titles weigh more than bodies; see the
``search_documents`` migrations of boards and opportunities) and that a GIN index serves; all
kinds are ranked together. Elsewhere (SQLite, for ``make run``) the columns stay empty and a
case-insensitive substring match stands in, titles first.

Who may see what is part of each kind's query (``search.permissions``: the opportunities'
rule and the meetings' one rule, an invitation or admission looked up row by row through its
index), so a search is one query for its page of results and one per kind shown. Ranking costs
a little for every row ranked, so only the first matches of each kind (as the index finds them)
are ranked: ``MOST_RANKED`` of them, and one more that only tells there are more. A word that
matches more than that (a common word in a large register) shows and counts the best
``MOST_RANKED`` of each kind and says so, asking for more words. Only the page shown is
fetched in full: the ranked list is of (id, kind, rank) rows, and each kind's rows of the page
are then read in one query, with their highlighted snippets.
"""

import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, CharField, Expression, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from boards.permissions import Person
from meetings.models import HELD_STATES
from opportunities.models import Recommendation
from opportunities.permissions import opportunities_visible_to

from .permissions import agenda_items_visible_to, links_of, papers_visible_to

CONFIG = "english"
REFERENCE = re.compile(r"^\s*BLC-?0*(\d{1,9})\s*$", re.IGNORECASE)
SNIPPET_WORDS = 30
PLAIN_SNIPPET_CHARS = 200
# The matches of each kind that are ranked and shown: beyond them a search is too broad to rank
# in full (one more is ranked, to tell so, and neither shown nor counted).
MOST_RANKED = 200


@dataclass(frozen=True)
class Source:
    """A kind of record: who may see which rows, which fields are its title and body, and
    which column holds their full-text document."""

    kind: str
    label: str
    rows: QuerySet
    title: str | None
    body: str | None
    document: str = "search_document"


@dataclass
class PageRows:
    """A page of ranked (id, kind, rank) rows, how many matches are shown in all (at most
    ``MOST_RANKED`` of each kind), and whether a kind had more matches than that (the rest
    neither shown nor counted)."""

    rows: list[tuple[int, str, float]]
    total: int
    more: bool


@dataclass
class Hit:
    kind: str
    label: str
    title: SafeString
    snippet: SafeString
    url: str
    board: str
    context: str = ""


def sources_for(person: Person) -> list[Source]:
    # Exempt business (a confidential item, its minutes and papers) only where the person may
    # see the meeting's confidential business or is admitted to the item.
    opportunities = opportunities_visible_to(person)
    links = links_of(person)  # what the person holds, read once: the rest is left out
    items = agenda_items_visible_to(person, links)
    return [
        Source("opportunity", "Opportunity", opportunities, "title", "summary"),
        Source(
            "recommendation",
            "Recommendation",
            Recommendation.objects.filter(opportunity__in=opportunities.values("pk")),
            None,
            "wording",
        ),
        *meeting_sources(
            items=items,
            minutes=items.filter(meeting__status__in=HELD_STATES),
            papers=papers_visible_to(person, links).filter(current_version__isnull=False),
        ),
    ]


def meeting_sources(*, items: QuerySet, minutes: QuerySet, papers: QuerySet) -> list[Source]:
    """The kinds of record that belong to a meeting, searched among the rows given."""
    return [
        Source("agenda_item", "Agenda item", items, "title", "description"),
        Source(
            "minutes",
            "Minutes",
            minutes.exclude(minutes=""),
            None,
            "minutes",
            document="minutes_document",
        ),
        Source("paper", "Paper", papers, "title", None),
    ]


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def reference_number(text: str) -> int | None:
    found = REFERENCE.match(text)
    return int(found.group(1)) if found else None


@dataclass
class Search:
    """A person's search: ``rows`` (ranked, to paginate) and ``hits(page_rows)`` to show."""

    person: Person
    text: str
    sources: list[Source] = field(default_factory=list)

    def __post_init__(self):
        self.words = self.text.split()[:20]
        self.reference = reference_number(self.text)
        self.query = SearchQuery(self.text, search_type="websearch", config=CONFIG)
        if not self.sources:
            self.sources = sources_for(self.person)
        self.by_kind = {source.kind: source for source in self.sources}
        # Markers for ts_headline, unguessable so that no stored text can contain them.
        self.start, self.stop = f"hl{secrets.token_hex(8)}s", f"hl{secrets.token_hex(8)}e"

    # --- the ranked rows ----------------------------------------------------------------------

    @property
    def rows(self) -> QuerySet:
        """(id, kind, rank) of every match ranked, best first: ``MOST_RANKED`` of a kind and one
        more, which ``page_rows`` leaves out (it only tells that a kind has more)."""
        parts = [self._ranked(source) for source in self.sources]
        return parts[0].union(*parts[1:], all=True).order_by("-rank", "kind", "-id")

    @property
    def matches(self) -> QuerySet:
        """(id, kind) of every match ranked, unranked: what the pages are counted by."""
        parts = [self._candidates(source) for source in self.sources]
        return parts[0].union(*parts[1:], all=True)

    def count(self) -> int:
        """How many matches are shown: at most ``MOST_RANKED`` of each kind."""
        try:
            sql, params = self.matches.query.sql_with_params()
        except EmptyResultSet:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(CASE WHEN of_kind > %s THEN %s ELSE of_kind END), 0) "  # noqa: S608
                f"FROM (SELECT COUNT(*) AS of_kind FROM ({sql}) AS found GROUP BY found.kind) "
                "AS kinds",
                [MOST_RANKED, MOST_RANKED, *params],
            )
            return int(cursor.fetchone()[0])

    def page_rows(self, *, offset: int, limit: int) -> "PageRows":
        """A page of ``rows`` (at most ``MOST_RANKED`` of each kind: the best ranked), the number
        of them in all and whether any kind had more matches, in one query (windows over the
        same matches). Past the last page there are no rows to carry them, so the matches are
        counted on their own."""
        try:
            sql, params = self.rows.query.sql_with_params()
        except EmptyResultSet:  # the person may see nothing at all (e.g. has left every board)
            return PageRows([], 0, more=False)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT found.id, found.kind, found.rank, COUNT(*) OVER (), "  # noqa: S608
                "MAX(found.of_kind) OVER () FROM (SELECT ranked.*, COUNT(*) OVER "
                "(PARTITION BY ranked.kind) AS of_kind, ROW_NUMBER() OVER (PARTITION BY "
                "ranked.kind ORDER BY ranked.rank DESC, ranked.id DESC) AS place "
                f"FROM ({sql}) AS ranked) AS found WHERE found.place <= %s "
                "ORDER BY found.rank DESC, found.kind, found.id DESC LIMIT %s OFFSET %s",
                [*params, MOST_RANKED, limit, offset],
            )
            fetched = cursor.fetchall()
        if not fetched:
            return PageRows([], self.count() if offset else 0, more=False)
        _pk, _kind, _rank, total, most_of_a_kind = fetched[0]
        return PageRows(
            [(pk, kind, rank) for pk, kind, rank, _total, _most in fetched],
            total,
            more=most_of_a_kind > MOST_RANKED,
        )

    def _matching(self, source: Source) -> QuerySet:
        if on_postgresql():
            match = Q(**{source.document: self.query})
        else:
            match = self._contains_every_word(source)
        if self._by_reference(source):
            match |= Q(pk=self.reference)
        return source.rows.filter(match)

    def _candidates(self, source: Source) -> QuerySet:
        """The first matches of a kind, unranked, as the index finds them: ``MOST_RANKED`` of
        them, and one more to tell that there are more (elsewhere than PostgreSQL, all of them,
        as ``_ranked`` ranks all of them)."""
        candidates = (
            self._matching(source)
            .annotate(kind=Value(source.kind, output_field=CharField()))
            .values("pk", "kind")
            .order_by()
        )
        if connection.features.supports_slicing_ordering_in_compound:
            return candidates[: MOST_RANKED + 1]
        # SQLite's unions take no limits: every match is counted there, as every one is ranked.
        return candidates

    def _ranked(self, source: Source) -> QuerySet:
        """(id, kind, rank) of the kind's first matches (``_candidates``): PostgreSQL ranks the
        rows as it takes them, and stops at the last one taken. Elsewhere (SQLite, whose unions
        take no limits, with a handful of rows) every match is ranked."""
        rank: Expression
        if on_postgresql():
            rank = SearchRank(F(source.document), self.query)
        else:
            rank = self._plain_rank(source)
        if self._by_reference(source):
            rank = rank + Case(When(pk=self.reference, then=Value(10.0)), default=Value(0.0))
        ranked = (
            self._matching(source)
            .annotate(kind=Value(source.kind, output_field=CharField()))
            .annotate(rank=Cast(rank, FloatField()))
            .values_list("id", "kind", "rank")
            .order_by()
        )
        if connection.features.supports_slicing_ordering_in_compound:
            return ranked[: MOST_RANKED + 1]
        return ranked

    def _by_reference(self, source: Source) -> bool:
        return source.kind == "opportunity" and self.reference is not None

    def _contains_every_word(self, source: Source) -> Q:
        match = Q()
        for word in self.words:
            either = Q()
            for name in (source.title, source.body):
                if name:
                    either |= Q(**{f"{name}__icontains": word})
            match &= either
        return match

    def _plain_rank(self, source: Source):
        """A whole-phrase title match first, then any other title match, then body matches."""
        if not source.title:
            return Value(1.0)
        every_word_in_title = Q()
        for word in self.words:
            every_word_in_title &= Q(**{f"{source.title}__icontains": word})
        return Case(
            When(**{f"{source.title}__icontains": self.text}, then=Value(3.0)),
            When(every_word_in_title, then=Value(2.0)),
            default=Value(1.0),
        )

    # --- the page's results -------------------------------------------------------------------

    def hits(self, rows: Iterable[tuple[int, str, float]]) -> list[Hit]:
        """The results to show for rows taken from ``rows`` (or ``page_rows``)."""
        rows = list(rows)
        wanted: dict[str, list[int]] = defaultdict(list)
        for pk, kind, _rank in rows:
            wanted[kind].append(pk)
        found: dict[tuple[str, int], Hit] = {}
        for kind, ids in wanted.items():
            source = self.by_kind[kind]
            for record in self._with_snippets(source, ids):
                found[kind, record.pk] = HIT_BUILDERS[kind](self, source, record)
        return [found[kind, pk] for pk, kind, _rank in rows if (kind, pk) in found]

    def _with_snippets(self, source: Source, ids: list[int]) -> QuerySet:
        # The ids come from ``rows``, which only ever holds what the person may see: the
        # records are read by id, without the permission filters a second time.
        rows = (
            source.rows.model._default_manager.filter(pk__in=ids)
            .select_related(*RELATED[source.kind])
            .defer(*_documents(source.rows.model))
        )
        if not on_postgresql():
            return rows
        marks = {"config": CONFIG, "start_sel": self.start, "stop_sel": self.stop}
        if source.title:
            rows = rows.annotate(
                title_marked=SearchHeadline(source.title, self.query, highlight_all=True, **marks)
            )
        if source.body:
            rows = rows.annotate(
                body_marked=SearchHeadline(
                    source.body,
                    self.query,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                    **marks,
                )
            )
        return rows

    def marked_title(self, source: Source, record) -> SafeString:
        if on_postgresql():
            return self._from_headline(record.title_marked)
        if source.title is None:
            raise ValueError(f"A {source.kind} has no title to mark.")
        return plain_marked(getattr(record, source.title), self.words)

    def snippet(self, source: Source, record) -> SafeString:
        if not source.body or not getattr(record, source.body):
            return SafeString("")
        if on_postgresql():
            return self._from_headline(record.body_marked)
        return plain_marked(getattr(record, source.body), self.words, excerpt=True)

    def _from_headline(self, headline: str) -> SafeString:
        """ts_headline copies the source text as it is: escape all of it, then turn the two
        random markers (letters and digits, which escaping leaves alone) into <mark> tags."""
        marked = escape(headline).replace(self.start, "<mark>").replace(self.stop, "</mark>")
        return mark_safe(marked)  # noqa: S308 - escaped above; only our own tags added


def _documents(model) -> list[str]:
    """The stored full-text columns of a model: the page never shows them."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, SearchVectorField)]


def plain_marked(text: str, words: list[str], *, excerpt: bool = False) -> SafeString:
    """The text (or an excerpt around the first match), escaped, with the words marked."""
    if not words:
        return escape(text)
    pattern = re.compile("(" + "|".join(re.escape(word) for word in words) + ")", re.IGNORECASE)
    if excerpt and len(text) > PLAIN_SNIPPET_CHARS:
        first = pattern.search(text)
        start = max(0, (first.start() if first else 0) - PLAIN_SNIPPET_CHARS // 3)
        end = start + PLAIN_SNIPPET_CHARS
        text = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    pieces = pattern.split(text)
    return mark_safe(  # noqa: S308 - every piece is escaped by escape() or format_html()
        "".join(
            format_html("<mark>{}</mark>", piece) if index % 2 else escape(piece)
            for index, piece in enumerate(pieces)
        )
    )


# --- what each kind shows -----------------------------------------------------------------------

RELATED = {
    "opportunity": ("board",),
    "recommendation": ("opportunity__board",),
    "agenda_item": ("meeting__board",),
    "minutes": ("meeting__board",),
    "paper": ("meeting__board", "agenda_item"),
}


def _opportunity_hit(search: Search, source: Source, opportunity) -> Hit:
    return Hit(
        kind=source.kind,
        label=source.label,
        title=format_html("{} {}", opportunity.reference, search.marked_title(source, opportunity)),
        snippet=search.snippet(source, opportunity),
        url=opportunity.get_absolute_url(),
        board=opportunity.board.name,
        context=opportunity.status_label,
    )


def _recommendation_hit(search: Search, source: Source, recommendation) -> Hit:
    opportunity = recommendation.opportunity
    return Hit(
        kind=source.kind,
        label=source.label,
        title=format_html(
            "{} {} — recommendation v{}",
            opportunity.reference,
            opportunity.title,
            recommendation.version,
        ),
        snippet=search.snippet(source, recommendation),
        url=opportunity.get_absolute_url(),
        board=opportunity.board.name,
        context=f"Agreed {recommendation.agreed_on:%-d %B %Y}",
    )


def _agenda_item_hit(search: Search, source: Source, item) -> Hit:
    return Hit(
        kind=source.kind,
        label=source.label,
        title=search.marked_title(source, item),
        snippet=search.snippet(source, item),
        url=f"{item.meeting.get_absolute_url()}#item-{item.pk}",
        board=item.meeting.board.name,
        context=str(item.meeting),
    )


def _minutes_hit(search: Search, source: Source, item) -> Hit:
    return Hit(
        kind=source.kind,
        label=source.label,
        title=format_html("Minutes of “{}”", item.title),
        snippet=search.snippet(source, item),
        url=f"{item.meeting.get_absolute_url()}#item-{item.pk}",
        board=item.meeting.board.name,
        context=str(item.meeting),
    )


def _paper_hit(search: Search, source: Source, paper) -> Hit:
    return Hit(
        kind=source.kind,
        label=source.label,
        title=search.marked_title(source, paper),
        snippet=SafeString(""),
        url=paper.get_absolute_url(),
        board=paper.meeting.board.name,
        context=str(paper.meeting),
    )


HIT_BUILDERS: dict[str, Callable[[Search, Source, object], Hit]] = {
    "opportunity": _opportunity_hit,
    "recommendation": _recommendation_hit,
    "agenda_item": _agenda_item_hit,
    "minutes": _minutes_hit,
    "paper": _paper_hit,
}
