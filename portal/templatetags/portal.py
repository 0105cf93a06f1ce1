from django import template

from boards import permissions
from core.money import pounds as as_pounds

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action: str, obj=None) -> bool:
    """``{% may "invite_people" board as can_invite %}`` asks permissions.py, like the views do."""
    return permissions.may(context["request"].user, action, obj)


@register.filter
def pounds(value) -> str:
    """``{{ amount|pounds }}``: "£87,300", to the nearest pound."""
    return as_pounds(value)
