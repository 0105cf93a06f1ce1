"""A meeting's start and end are typed as day, month and year boxes and a time box ("10am",
"2:30pm", "midday"), GOV.UK's way, not in the browser's date-time picker."""

import datetime as dt

import pytest
from django import forms
from django.utils import timezone

from core.dates import DateTimePartsField, PlausibleDatesMixin, parse_time
from core.widgets import DateTimeParts
from portal.templatetags.govuk import error_anchor


class Starts(PlausibleDatesMixin, forms.Form):
    starts_at = DateTimePartsField(label="Starts", time_name="start")
    ends_at = DateTimePartsField(label="Ends", time_name="end", required=False)


def boxes(day="4", month="3", year="2031", time="10am", name="starts_at"):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year, f"{name}_time": time}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10am", dt.time(10)),
        ("10 AM", dt.time(10)),
        ("2:30pm", dt.time(14, 30)),
        ("2.30 p.m.", dt.time(14, 30)),
        ("14:30", dt.time(14, 30)),
        ("09:05", dt.time(9, 5)),
        ("midday", dt.time(12)),
        ("Noon", dt.time(12)),
        ("12pm", dt.time(12)),
        ("midnight", dt.time(0)),
        ("12am", dt.time(0)),
    ],
)
def test_times_people_write_are_read(typed, expected):
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["", "10", "25:00", "13pm", "0am", "9:75am", "half ten", "1:5pm"])
def test_what_is_not_a_time_is_not_read(typed):
    assert parse_time(typed) is None


def test_the_boxes_make_the_date_and_time_in_uk_time():
    form = Starts(data={**boxes(day="4", month="7", year="2031", time="2:30pm")})
    assert form.is_valid(), form.errors
    starts = form.cleaned_data["starts_at"]
    assert timezone.is_aware(starts)
    assert timezone.localtime(starts).replace(tzinfo=None) == dt.datetime(2031, 7, 4, 14, 30)
    assert starts.utcoffset() == dt.timedelta(hours=1)  # British Summer Time


def test_the_field_is_four_labelled_boxes_and_no_picker():
    when = timezone.make_aware(dt.datetime(2026, 12, 15, 14, 30))
    html = str(Starts(initial={"starts_at": when})["starts_at"])
    assert "datetime-local" not in html and 'type="date"' not in html
    assert " min=" not in html and " max=" not in html
    for index, (label, value) in enumerate(
        (("Day", "15"), ("Month", "12"), ("Year", "2026"), ("Time", "2:30pm"))
    ):
        assert f'for="id_starts_at_{index}">{label}</label>' in html
        assert f'id="id_starts_at_{index}"' in html
        assert f'value="{value}"' in html


def test_a_time_that_is_not_one_is_a_clear_error_on_the_time_box_only():
    form = Starts(data=boxes(time="ten-ish"))
    assert not form.is_valid()
    assert list(form["starts_at"].errors) == ["Enter a start time, like 10am or 2:30pm"]
    rendered = str(form["starts_at"]).split("<input")[1:]
    assert ["is-invalid" in box for box in rendered] == [False, False, False, True]
    assert 'value="ten-ish"' in rendered[3]
    assert error_anchor(form["starts_at"]) == "id_starts_at_3"


def test_a_missing_time_is_asked_for():
    form = Starts(data={**boxes(), **boxes(time="", name="ends_at")})
    assert not form.is_valid()
    assert list(form["ends_at"].errors) == ["Enter an end time, like 10am or 2:30pm"]


def test_a_missing_or_impossible_date_part_is_named_and_marked():
    form = Starts(data=boxes(month=""))
    assert list(form["starts_at"].errors) == ["Starts must include a month"]
    rendered = str(form["starts_at"]).split("<input")[1:]
    assert ["is-invalid" in box for box in rendered] == [False, True, False, False]
    assert error_anchor(form["starts_at"]) == "id_starts_at_1"
    form = Starts(data=boxes(day="31", month="2"))
    assert list(form["starts_at"].errors) == ["Starts must be a real date"]
    form = Starts(data=boxes(year="1"))
    assert list(form["starts_at"].errors) == ["Starts must be a real date"]


def test_a_time_without_a_date_asks_for_the_date():
    form = Starts(data=boxes(day="", month="", year=""))
    assert list(form["starts_at"].errors) == ["Enter a date for “Starts”"]
    rendered = str(form["starts_at"]).split("<input")[1:]
    assert ["is-invalid" in box for box in rendered] == [True, True, True, False]


def test_nothing_typed_is_the_required_error_in_words():
    form = Starts(data=boxes(day="", month="", year="", time=""))
    assert list(form["starts_at"].errors) == ["Enter a date for “Starts”"]
    assert form.is_valid() is False
    assert Starts(data=boxes()).is_valid()  # ends_at is optional and was not sent


def test_years_outside_the_plausible_range_are_refused():
    form = Starts(data=boxes(year="2101"))
    assert not form.is_valid()
    assert "Enter a date between 2000 and 2100" in form["starts_at"].errors[0]


def test_an_iso_date_time_posted_under_the_fields_name_is_read_as_it_is():
    form = Starts(data={"starts_at": "2031-03-04T10:00"})
    assert form.is_valid()
    assert timezone.localtime(form.cleaned_data["starts_at"]).hour == 10


def test_the_widget_sends_its_boxes_as_a_list():
    widget = DateTimeParts()
    assert widget.value_from_datadict(boxes(), {}, "starts_at") == ["4", "3", "2031", "10am"]
    assert widget.value_omitted_from_data({}, {}, "starts_at")
