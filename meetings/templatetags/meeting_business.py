"""Meetings' business shown on other apps' pages, through the meetings' one visibility rule."""

from typing import Any

from django import template

from meetings.models import AgendaItem, AgreedRecommendation
from meetings.selectors import OpportunityBusiness, agenda_items_visible_to, opportunity_business

register = template.Library()


@register.simple_tag(takes_context=True)
def business_of(
    context: dict[str, Any], opportunity: Any, recommendations: Any
) -> OpportunityBusiness:
    """``{% business_of opportunity recommendations as business %}``: the agenda items where
    the board took up the opportunity (``discussed``) and where it agreed each recommendation
    (``agreed_at``, by recommendation id), as far as the reader may see them."""
    return opportunity_business(
        context["request"].user,
        opportunity.pk,
        [recommendation.pk for recommendation in recommendations],
    )


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
def agreed_at_items(context: dict[str, Any], opportunity: Any) -> dict[int, AgendaItem]:
    """``{% agreed_at_items opportunity as agreed_at %}``: for each of the opportunity's
    recommendations agreed at an agenda item the reader may see (the meetings' one rule, exempt
    items included), that item, by recommendation id (one query)."""
    person = context["request"].user
    links = AgreedRecommendation.objects.filter(
        recommendation__opportunity=opportunity,
        agenda_item__in=agenda_items_visible_to(person),
    ).select_related("agenda_item__meeting")
    return {link.recommendation_id: link.agenda_item for link in links}


@register.filter
def of(items: dict[int, Any], key: int) -> Any:
    """``{{ agreed_at|of:recommendation.pk }}``: the entry for that key, or None."""
    return items.get(key)


@register.simple_tag
def agreed_item(recommendation: Any) -> AgendaItem | None:
    """``{% agreed_item recommendation as item %}``: the agenda item at which the board agreed
    the recommendation, with its meeting, or None (for the secretariat's pages)."""
    link = (
        AgreedRecommendation.objects.filter(recommendation=recommendation)
        .select_related("agenda_item__meeting")
        .first()
    )
    return link.agenda_item if link else None
