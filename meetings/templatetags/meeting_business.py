"""Meetings' business shown on other apps' pages, through the meetings' one visibility rule."""

from typing import Any

from django import template

from meetings.models import AgendaItem
from meetings.selectors import agenda_items_visible_to, meetings_visible_to

register = template.Library()


@register.simple_tag(takes_context=True)
def discussed_at(context: dict[str, Any], opportunity: Any) -> list[AgendaItem]:
    """``{% discussed_at opportunity as agenda_items %}``: the agenda items, newest meeting
    first, where the board took up this opportunity, as far as the reader may see them."""
    person = context["request"].user
    return list(
        agenda_items_visible_to(person)
        .filter(opportunity=opportunity)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "position")
    )


@register.simple_tag(takes_context=True)
def meetings_open_to_reader(context: dict[str, Any], opportunity: Any) -> frozenset[int]:
    """``{% meetings_open_to_reader opportunity as open_meetings %}``: of the meetings where the
    board agreed this opportunity's recommendations, the ids of those the reader may open (one
    query), so a recommendation links to its meeting only for them."""
    person = context["request"].user
    return frozenset(
        meetings_visible_to(person)
        .filter(items__recommendations__opportunity=opportunity)
        .values_list("pk", flat=True)
    )
