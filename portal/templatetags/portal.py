from django import template

from boards import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action: str, obj=None) -> bool:
    """``{% may "invite_people" board as can_invite %}`` asks permissions.py, like the views do."""
    return permissions.may(context["request"].user, action, obj)
