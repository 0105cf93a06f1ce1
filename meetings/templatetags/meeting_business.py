"""Meetings' business shown on other apps' pages, through the meetings' one visibility rule."""

from django import template

from meetings.models import AgendaItem
from meetings.selectors import agenda_items_visible_to

register = template.Library()


@register.simple_tag(takes_context=True)
def discussed_at(context, opportunity) -> list[AgendaItem]:
    """``{% discussed_at opportunity as agenda_items %}``: the agenda items, newest meeting
    first, where the board took up this opportunity, as far as the reader may see them."""
    person = context["request"].user
    return list(
        agenda_items_visible_to(person)
        .filter(opportunity=opportunity)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "position")
    )
