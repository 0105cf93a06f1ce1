"""Every form's errors say what to do, and link to where to do it (core/forms.py, form_errors)."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from meetings.models import Meeting

DASH = "\N{EN DASH}"


class Sample(forms.Form):
    title = forms.CharField(label="Title")
    decision = forms.ChoiceField(
        label="Decision", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect
    )
    bodies = forms.MultipleChoiceField(
        label="Bodies", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    held_on = forms.DateField(label="Date held")
    paper = forms.FileField(label="Paper")
    note = forms.CharField(label="Note", error_messages={"required": "Write a note for the file."})


def test_required_errors_are_written_from_the_fields_label():
    form = Sample(data={})
    assert list(form["title"].errors) == ["Enter the title"]
    assert list(form["decision"].errors) == ["Choose the decision"]
    assert list(form["bodies"].errors) == ["Choose at least one of “Bodies”"]
    assert list(form["held_on"].errors) == ["Enter a date for “Date held”"]
    assert list(form["paper"].errors) == ["Choose a file for the paper"]
    # A form's own message is kept.
    assert list(form["note"].errors) == ["Write a note for the file."]


def test_the_error_summary_links_a_group_to_its_first_input():
    html = render_to_string("components/form_errors.html", {"form": Sample(data={})})
    assert 'href="#id_title"' in html
    assert 'href="#id_decision_0"' in html
    assert 'href="#id_bodies_0"' in html
    assert 'href="#"' not in html


@pytest.mark.django_db
def test_a_meeting_without_venue_or_link_is_refused_in_words_not_the_constraints_name(board):
    meeting = Meeting(board=board, title="Spring meeting", venue="", online_link="")
    with pytest.raises(ValidationError) as refused:
        meeting.validate_constraints()
    assert refused.value.messages == [
        "Enter a venue or an online link (or both): people need to know where to go."
    ]


@pytest.mark.django_db
def test_a_page_whose_form_has_errors_says_so_first_in_its_title(client_of, alice, meeting):
    url = reverse("agenda_item_add", kwargs={"pk": meeting.pk})
    client = client_of(alice)
    assert f"<title>Agenda item {DASH} Meetings {DASH} Blue Light Collaboration</title>" in (
        client.get(url).content.decode()
    )
    assert f"<title>Error: Agenda item {DASH} Meetings {DASH} Blue Light Collaboration</title>" in (
        client.post(url, {}).content.decode()
    )
