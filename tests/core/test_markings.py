"""Handling markings: the choices, the strictest of a combination and the text stamped and
shown."""

import pytest
from django.core.exceptions import ValidationError

from core.markings import (
    OFFICIAL,
    Descriptor,
    Level,
    Marking,
    MarkingFormMixin,
    clean_marking,
    parse,
    strictest,
)

SENSITIVE = Marking.of(Level.OFFICIAL_SENSITIVE)
COMMERCIAL = Marking.of(Level.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL)
PERSONAL = Marking.of(Level.OFFICIAL_SENSITIVE, Descriptor.PERSONAL)


def test_the_text_is_the_classification_then_its_descriptors():
    assert OFFICIAL.text == "OFFICIAL"
    assert SENSITIVE.text == "OFFICIAL-SENSITIVE"
    assert COMMERCIAL.text == "OFFICIAL-SENSITIVE COMMERCIAL"
    assert strictest([PERSONAL, COMMERCIAL]).text == "OFFICIAL-SENSITIVE COMMERCIAL PERSONAL"


def test_the_gsc_descriptors_are_offered():
    assert {d.label for d in Descriptor} == {"COMMERCIAL", "LOCSEN", "PERSONAL"}


def test_a_combination_of_nothing_or_only_official_is_official():
    assert strictest([]) == OFFICIAL
    assert strictest([OFFICIAL, OFFICIAL]) == OFFICIAL


def test_one_sensitive_part_makes_the_combination_sensitive_with_its_descriptor():
    combined = strictest([OFFICIAL, COMMERCIAL, OFFICIAL])
    assert combined.is_sensitive
    assert combined == COMMERCIAL
    assert strictest([SENSITIVE, OFFICIAL]) == SENSITIVE


def test_a_descriptor_on_official_is_dropped_by_the_value_and_refused_by_forms():
    assert Marking.of(Level.OFFICIAL, Descriptor.PERSONAL) == OFFICIAL
    with pytest.raises(ValidationError):
        clean_marking(Level.OFFICIAL, Descriptor.PERSONAL)


def test_unknown_values_are_refused():
    with pytest.raises(ValueError):
        Marking.of("secret")
    with pytest.raises(ValueError):
        Marking.of(Level.OFFICIAL_SENSITIVE, "eyes-only")


def test_the_stored_text_of_a_combination_reads_back_and_unknown_text_reads_as_sensitive():
    for marking in (OFFICIAL, SENSITIVE, COMMERCIAL, strictest([PERSONAL, COMMERCIAL])):
        assert parse(marking.text) == marking
    assert parse("garbled").is_sensitive


class Upload(MarkingFormMixin):
    pass


def test_the_form_defaults_to_the_initial_marking_and_refuses_a_lone_descriptor():
    form = Upload(data={}, initial={"marking": Level.OFFICIAL_SENSITIVE})
    assert form.is_valid()
    assert form.chosen_marking() == SENSITIVE
    form = Upload(data={"marking": Level.OFFICIAL, "marking_descriptors": [Descriptor.PERSONAL]})
    assert not form.is_valid()
    assert "only with OFFICIAL-SENSITIVE" in str(form.errors["marking_descriptors"])
    form = Upload(data={"marking": "top_secret"})
    assert not form.is_valid()
    assert "marking" in form.errors


def test_several_descriptors_are_written_in_their_fixed_order():
    marking = Marking.of(
        Level.OFFICIAL_SENSITIVE, [Descriptor.PERSONAL, Descriptor.COMMERCIAL, Descriptor.LOCSEN]
    )
    assert marking.text == "OFFICIAL-SENSITIVE COMMERCIAL LOCSEN PERSONAL"
    assert Marking.of(Level.OFFICIAL_SENSITIVE, "personal,commercial") == Marking.of(
        Level.OFFICIAL_SENSITIVE, {Descriptor.COMMERCIAL, Descriptor.PERSONAL}
    )
    assert parse(marking.text) == marking


def test_the_strictest_combines_every_sensitive_parts_descriptors():
    both = strictest([COMMERCIAL, PERSONAL, OFFICIAL])
    assert both.text == "OFFICIAL-SENSITIVE COMMERCIAL PERSONAL"


def test_the_form_takes_several_descriptors_as_checkboxes():
    form = Upload(
        data={
            "marking": Level.OFFICIAL_SENSITIVE,
            "marking_descriptors": [Descriptor.PERSONAL, Descriptor.COMMERCIAL],
        }
    )
    assert form.is_valid(), form.errors
    assert form.chosen_marking().text == "OFFICIAL-SENSITIVE COMMERCIAL PERSONAL"
    html = str(form)
    assert html.count('type="checkbox"') == 3
    assert "<fieldset" in html and "<legend" in html


def test_an_unknown_descriptor_is_refused_by_the_form():
    form = Upload(data={"marking": Level.OFFICIAL_SENSITIVE, "marking_descriptors": ["secret"]})
    assert not form.is_valid()
    assert "marking_descriptors" in form.errors


@pytest.mark.django_db
def test_a_set_of_descriptors_is_stored_and_read_back(board, alice):
    from meetings.models import AgendaItem
    from tests.factories import AgendaItemFactory, MeetingFactory

    item = AgendaItemFactory(
        meeting=MeetingFactory(board=board, created_by=alice),
        marking=Level.OFFICIAL_SENSITIVE,
        marking_descriptors=[Descriptor.PERSONAL, Descriptor.COMMERCIAL],
    )
    stored = AgendaItem.objects.values_list("marking_descriptors", flat=True).get(pk=item.pk)
    assert stored == {Descriptor.COMMERCIAL, Descriptor.PERSONAL}
    assert AgendaItem.objects.get(pk=item.pk).handling.text == (
        "OFFICIAL-SENSITIVE COMMERCIAL PERSONAL"
    )


@pytest.mark.django_db
def test_the_database_refuses_descriptors_without_official_sensitive(board, alice):
    from django.db import IntegrityError, transaction

    from meetings.models import AgendaItem
    from tests.factories import AgendaItemFactory, MeetingFactory

    item = AgendaItemFactory(meeting=MeetingFactory(board=board, created_by=alice))
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.filter(pk=item.pk).update(marking_descriptors=[Descriptor.PERSONAL])


@pytest.mark.django_db
def test_a_bodys_default_is_checked_with_its_constraint(police):
    police.default_marking = Level.OFFICIAL
    police.default_marking_descriptors = [Descriptor.PERSONAL]
    with pytest.raises(ValidationError):
        police.full_clean()
    police.default_marking = Level.OFFICIAL_SENSITIVE
    police.full_clean()
    police.save()
    police.refresh_from_db()
    assert police.default_handling.text == "OFFICIAL-SENSITIVE PERSONAL"
