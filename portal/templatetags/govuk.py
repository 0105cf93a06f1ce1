"""The GOV.UK content-style filters, built into every template (settings.TEMPLATES "builtins")."""

from django import forms, template
from django.forms import BoundField
from django.utils.html import conditional_escape, format_html, format_html_join

from core import govuk
from core.widgets import DateParts, DateTimeParts

register = template.Library()

register.filter("govuk_date", govuk.govuk_date, expects_localtime=True)
register.filter("govuk_day", govuk.govuk_day, expects_localtime=True)
register.filter("govuk_time", govuk.govuk_time, expects_localtime=True)
register.filter("govuk_datetime", govuk.govuk_datetime, expects_localtime=True)
register.filter("govuk_day_datetime", govuk.govuk_day_datetime, expects_localtime=True)
register.filter("govuk_timestamp", govuk.govuk_timestamp, expects_localtime=True)
register.filter("money", govuk.money)


@register.filter
def pounds(value) -> str:
    """``{{ amount|pounds }}``: "£87,300", to the nearest pound (figures that add up amounts)."""
    return govuk.money(value, nearest_pound=True)


@register.filter(expects_localtime=True)
def govuk_time_range(start, end):
    return govuk.govuk_time_range(start, end)


@register.filter
def count_of(number, words: str) -> str:
    """``{{ n|count_of:"review,reviews" }}`` gives "1 review", "3 reviews"."""
    singular, _, plural = words.partition(",")
    return govuk.count_of(int(number or 0), singular, plural or None)


@register.simple_tag(takes_context=True)
def body_short_name(context, organisation):
    """A body's short name, written out in full the first time the page names it ("Warwickshire
    Fire and Rescue Service (WFRS)"), then as the short name alone; in an <abbr> each time."""
    if organisation is None:
        return ""
    abbreviated = short_name(organisation)
    if abbreviated == organisation.short_name:
        return abbreviated  # nothing to spell out
    written = getattr(context, "abbreviations_written", None)
    if written is None:
        written = context.abbreviations_written = set()
    if organisation.short_name in written:
        return abbreviated
    written.add(organisation.short_name)
    return format_html("{} ({})", organisation.name, abbreviated)


@register.simple_tag(takes_context=True)
def abbreviate_bodies(context, text):
    """Text as it was recorded (an audit summary, a list of bodies) with each body's short name in
    an <abbr> that spells out its full name. The bodies are read once per page."""
    import re

    from boards.models import Organisation

    names = context.render_context.get("body_full_names")
    if names is None:
        names = {
            short: full
            for short, full in Organisation.objects.values_list("short_name", "name")
            if short and full and short != full
        }
        context.render_context["body_full_names"] = names
    text = str(text or "")
    if not names:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(short) for short in names) + r")\b")
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(conditional_escape(text[last : match.start()]))
        pieces.append(format_html('<abbr title="{}">{}</abbr>', names[match[1]], match[1]))
        last = match.end()
    pieces.append(conditional_escape(text[last:]))
    return format_html_join("", "{}", ((piece,) for piece in pieces))


@register.filter
def short_name(organisation):
    """A body's short name ("WFRS") in an <abbr> that spells out its full name, from the data."""
    if organisation is None:
        return ""
    if not organisation.name or organisation.name == organisation.short_name:
        return organisation.short_name
    return format_html('<abbr title="{}">{}</abbr>', organisation.name, organisation.short_name)


@register.filter
def title_dashes(title: str) -> str:
    """A page title's pieces are parted by an en dash, as GOV.UK's are."""
    return " ".join(str(title).split()).replace(" \u2014 ", " \u2013 ")


@register.filter
def error_anchor(field: BoundField) -> str:
    """The id an error summary links to: a group's first input, since the group has no id."""
    widget = field.field.widget
    if isinstance(widget, DateParts):
        wrong = DateParts.wrong_parts(field.value())
        first = DateParts.PARTS.index(wrong[0]) if wrong else 0
        return f"{field.auto_id}_{first}"  # the first box that is wrong
    if isinstance(widget, DateTimeParts):
        wrong = DateTimeParts.wrong_parts(field.value())
        first = DateTimeParts.PARTS.index(wrong[0]) if wrong else 0
        return f"{field.auto_id}_{first}"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.MultiWidget)):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id
