"""The meeting page's "My notes" panel (the meetings app does not know about notes; its page
loads this)."""

from typing import Any

from django import template

from meetings.models import Meeting

from ..models import PaperNote

register = template.Library()


@register.inclusion_tag("annotations/_my_notes.html", takes_context=True)
def my_notes(context: template.Context, meeting: Meeting) -> dict[str, Any]:
    """The reader's own notes on the meeting's papers they may still read (two queries)."""
    person = context["request"].user
    notes = (
        PaperNote.objects.visible_to(person)
        .filter(author_id=person.pk, paper__meeting=meeting)
        .select_related("paper", "version")
        .order_by("paper__created_at", "paper_id", "page", "pk")
    )
    return {"notes": list(notes), "meeting": meeting}
