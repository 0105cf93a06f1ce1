"""Dates are typed as day, month and year (GOV.UK's date input), not in the browser's picker."""

import datetime as dt

from django import forms

from core.widgets import DateParts


class Due(forms.Form):
    due_on = forms.DateField(label="Decisions due by", widget=DateParts())


def test_the_date_is_three_labelled_boxes_and_no_picker():
    html = str(Due(initial={"due_on": dt.date(2026, 12, 5)})["due_on"])
    assert 'type="date"' not in html
    for index, (label, value) in enumerate((("Day", "5"), ("Month", "12"), ("Year", "2026"))):
        assert (
            f'<label class="form-label small mb-0" for="id_due_on_{index}">{label}</label>' in html
        )
        assert f'id="id_due_on_{index}"' in html
        assert f'value="{value}"' in html
    assert 'inputmode="numeric"' in html


def test_the_three_parts_make_the_date():
    form = Due(data={"due_on_day": "5", "due_on_month": "12", "due_on_year": "2026"})
    assert form.is_valid()
    assert form.cleaned_data["due_on"] == dt.date(2026, 12, 5)


def test_an_impossible_date_is_refused_and_shown_as_typed():
    form = Due(data={"due_on_day": "31", "due_on_month": "2", "due_on_year": "2026"})
    assert not form.is_valid()
    assert list(form["due_on"].errors) == ["Decisions due by must be a real date"]
    html = str(form["due_on"])
    assert 'value="31"' in html and 'value="2"' in html and 'value="2026"' in html


def test_no_parts_is_the_required_error_in_words():
    form = Due(data={"due_on_day": "", "due_on_month": "", "due_on_year": ""})
    assert list(form["due_on"].errors) == ["Enter a date for “Decisions due by”"]


def test_an_iso_date_posted_under_the_fields_name_is_read_as_it_is():
    form = Due(data={"due_on": "2026-12-05"})
    assert form.is_valid()
    assert form.cleaned_data["due_on"] == dt.date(2026, 12, 5)


def test_a_missing_part_is_named_and_only_its_box_is_marked():
    form = Due(data={"due_on_day": "5", "due_on_month": "", "due_on_year": "2026"})
    assert not form.is_valid()
    assert list(form["due_on"].errors) == ["Decisions due by must include a month"]
    html = str(form["due_on"])
    boxes = html.split("<input")[1:]
    assert ["is-invalid" in box for box in boxes] == [False, True, False]
    assert ['aria-invalid="true"' in box for box in boxes] == [False, True, False]


def test_two_missing_parts_are_both_named():
    form = Due(data={"due_on_day": "", "due_on_month": "", "due_on_year": "2026"})
    assert list(form["due_on"].errors) == ["Decisions due by must include a day and month"]


def test_a_part_that_cannot_be_is_marked_alone():
    form = Due(data={"due_on_day": "5", "due_on_month": "13", "due_on_year": "2026"})
    assert list(form["due_on"].errors) == ["Decisions due by must be a real date"]
    boxes = str(form["due_on"]).split("<input")[1:]
    assert ["is-invalid" in box for box in boxes] == [False, True, False]


def test_an_impossible_date_marks_every_box():
    form = Due(data={"due_on_day": "31", "due_on_month": "2", "due_on_year": "2026"})
    assert list(form["due_on"].errors) == ["Decisions due by must be a real date"]
    boxes = str(form["due_on"]).split("<input")[1:]
    assert all("is-invalid" in box for box in boxes)


def test_a_valid_date_marks_no_box():
    form = Due(data={"due_on_day": "5", "due_on_month": "12", "due_on_year": "2026"})
    assert form.is_valid()
    assert "is-invalid" not in str(form["due_on"])


def test_the_error_summary_links_to_the_first_wrong_box():
    from portal.templatetags.govuk import error_anchor

    form = Due(data={"due_on_day": "5", "due_on_month": "", "due_on_year": ""})
    assert error_anchor(form["due_on"]) == "id_due_on_1"
