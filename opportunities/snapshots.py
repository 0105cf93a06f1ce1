"""The referral pack: the facts an executive decides on, frozen as data when a recommendation is
sent, and the differences between two packs (the pack as sent and the opportunity now; version 1
and version 2).

A pack is plain JSON: strings, lists and ``None``; money as a string of pounds and pence, dates
in ISO form. ``pack_rows`` turns a pack into labelled rows to show, ``pack_differences`` lists
what differs between two packs, field by field, with a word-by-word difference of long text.
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .models import Opportunity, Recommendation, Theme
from .selectors import current_estimates

PACK_SCHEMA = 1
Pack = dict[str, Any]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def referral_pack(recommendation: Recommendation) -> Pack:
    """The recommendation's pack as things stand now (a handful of queries)."""
    opportunity: Opportunity = recommendation.opportunity
    estimates = sorted(current_estimates(opportunity).values(), key=lambda e: e.organisation.name)
    total = sum((estimate.cashable for estimate in estimates), Decimal("0"))
    return {
        "schema": PACK_SCHEMA,
        "taken_at": timezone.now().isoformat(),
        "reference": opportunity.reference,
        "title": opportunity.title,
        "summary": opportunity.summary,
        "theme": Theme(opportunity.theme).label,
        "lead_body": opportunity.lead_organisation.name,
        "participating": sorted(
            opportunity.participating_organisations.values_list("name", flat=True)
        ),
        "estimated_cost": _money(opportunity.estimated_cost),
        "benefits": [
            {
                "body": estimate.organisation.name,
                "cashable": _money(estimate.cashable),
                "non_cashable": estimate.non_cashable,
            }
            for estimate in estimates
        ],
        "benefits_total": _money(total) if estimates else None,
        "non_cashable_benefits": opportunity.non_cashable_benefits,
        "risks": opportunity.risks,
        "wording": recommendation.wording,
        "agreed_on": recommendation.agreed_on.isoformat(),
        "decision_due_on": recommendation.decision_due_on.isoformat(),
        "bodies": sorted(recommendation.referrals.values_list("organisation__name", flat=True)),
        "papers": [
            {
                "id": paper.pk,
                "title": paper.title,
                "name": paper.original_name,
                "marking": paper.handling.text,
            }
            for paper in recommendation.papers.all()
        ],
    }


# --- showing a pack -------------------------------------------------------------------------


def pounds(value: str | None) -> str:
    """ "£87,300" (pence only when there are some); "Not estimated" for none."""
    if value in (None, ""):
        return "Not estimated"
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


def _day(value: str | None) -> str:
    return f"{date.fromisoformat(value):%-d %B %Y}" if value else "—"


def _names(value: list[str] | None) -> str:
    return ", ".join(value or []) or "None"


def _papers(value: list[dict[str, Any]] | None) -> str:
    return "; ".join(paper["title"] for paper in value or []) or "None"


def _text(value: str | None) -> str:
    return value or "—"


@dataclass(frozen=True)
class PackField:
    key: str
    label: str
    show: Callable[[Any], str] = _text
    # Long text gets a word-by-word difference as well as its two values.
    long: bool = False


FIELDS = (
    PackField("title", "Title"),
    PackField("summary", "Summary", long=True),
    PackField("theme", "Theme"),
    PackField("lead_body", "Lead body"),
    PackField("participating", "Participating bodies", _names),
    PackField("estimated_cost", "Estimated cost", pounds),
    PackField("benefits_total", "Estimated cashable benefit, all bodies", pounds),
    PackField("non_cashable_benefits", "Non-cashable benefits", long=True),
    PackField("risks", "Risks", long=True),
    PackField("wording", "The recommendation's wording", long=True),
    PackField("bodies", "Referred to", _names),
    PackField("decision_due_on", "Decisions due by", _day),
    PackField("papers", "Papers", _papers),
)


@dataclass
class Row:
    label: str
    value: str
    long: bool = False


def _benefit_values(pack: Pack) -> dict[str, str]:
    """Each body's estimate, shown, by the body's label."""
    return {
        f"Estimated cashable benefit to {line['body']}": pounds(line["cashable"])
        for line in pack.get("benefits") or []
    }


def pack_rows(pack: Pack) -> list[Row]:
    """The pack as labelled rows, in reading order (each body's estimate after the cost)."""
    rows = []
    for item in FIELDS:
        rows.append(Row(item.label, item.show(pack.get(item.key)), item.long))
        if item.key == "estimated_cost":
            rows += [Row(label, value) for label, value in _benefit_values(pack).items()]
    return rows


# --- the differences between two packs --------------------------------------------------------


@dataclass
class Segment:
    """A run of words in a difference: kept, removed or added."""

    kind: str  # "same", "removed" or "added"
    text: str


@dataclass
class Change:
    label: str
    before: str
    after: str
    segments: list[Segment] = field(default_factory=list)


TOKENS = re.compile(r"\s+|[^\s]+")


def word_difference(before: str, after: str) -> list[Segment]:
    """``before`` turned into ``after`` as runs of kept, removed and added words (difflib)."""
    old, new = TOKENS.findall(before or ""), TOKENS.findall(after or "")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(old[i1:i2])))
            continue
        if op in ("replace", "delete"):
            segments.append(Segment("removed", "".join(old[i1:i2])))
        if op in ("replace", "insert"):
            segments.append(Segment("added", "".join(new[j1:j2])))
    return segments


def pack_differences(before: Pack, after: Pack) -> list[Change]:
    """Every field whose shown value differs between two packs, in reading order; each body's
    estimate is a field of its own (a body with an estimate in one pack only shows "Not
    estimated" in the other)."""
    changes = []
    for item in FIELDS:
        old, new = item.show(before.get(item.key)), item.show(after.get(item.key))
        if old != new:
            segments = (
                word_difference(before.get(item.key) or "", after.get(item.key) or "")
                if item.long
                else []
            )
            changes.append(Change(item.label, old, new, segments))
        if item.key == "estimated_cost":
            changes += _benefit_changes(before, after)
    return changes


def _benefit_changes(before: Pack, after: Pack) -> list[Change]:
    old, new = _benefit_values(before), _benefit_values(after)
    return [
        Change(label, old.get(label, "Not estimated"), new.get(label, "Not estimated"))
        for label in sorted({*old, *new})
        if old.get(label, "Not estimated") != new.get(label, "Not estimated")
    ]


@dataclass
class PackView:
    """What a page shows of a recommendation's pack: the pack as sent (or, for one sent before
    packs were kept, None), what has changed in the opportunity since, and what changed from
    the previous version's pack."""

    recommendation: Recommendation
    pack: Pack | None
    rows: list[Row]
    changed_since: list[Change]
    previous_version: int | None = None
    changed_from_previous: list[Change] = field(default_factory=list)

    @property
    def previous_label(self) -> str:
        return f"Version {self.previous_version}"


def pack_view(recommendation: Recommendation) -> PackView:
    """The recommendation's pack with its differences (the live pack is worked out afresh)."""
    pack = recommendation.pack
    live = referral_pack(recommendation)
    view = PackView(
        recommendation=recommendation,
        pack=pack,
        rows=pack_rows(pack or live),
        changed_since=_live_changes(pack, live),
    )
    previous = (
        Recommendation.objects.filter(
            opportunity_id=recommendation.opportunity_id,
            version__lt=recommendation.version,
            pack__isnull=False,
        )
        .order_by("-version")
        .only("version", "pack")
        .first()
    )
    if previous is not None and pack is not None:
        view.previous_version = previous.version
        view.changed_from_previous = pack_differences(previous.pack or {}, pack)
    return view


# What the sender chose for this version (its wording, bodies, due date and papers) cannot change
# after sending; only the opportunity's own facts can.
RECOMMENDATION_KEYS = ("wording", "bodies", "decision_due_on", "papers")


def _live_changes(pack: Pack | None, live: Pack) -> list[Change]:
    if pack is None:
        return []
    kept = {key: pack.get(key) for key in RECOMMENDATION_KEYS}
    return pack_differences(pack, {**live, **kept})
