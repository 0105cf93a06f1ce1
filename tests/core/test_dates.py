"""Every date a person types is bounded to plausible years, with a message that says what to do."""

import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from django.urls import reverse

from core.dates import PlausibleDatesMixin
from meetings.models import Action, Meeting
from opportunities.models import Recommendation
from tests.meetings.helpers import time_boxes

pytestmark = pytest.mark.django_db

MESSAGE = "Enter a date between 2000 and 2100"


def portal_forms():
    """Every form class the portal's apps define in their forms modules."""
    found = set()
    for config in apps.get_app_configs():
        # The portal's own apps only: a virtualenv inside the checkout holds other apps too.
        if not config.path.startswith(str(__import__("django").conf.settings.BASE_DIR)):
            continue
        if "site-packages" in config.path:
            continue
        for module_name in ("forms", "review_forms"):
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for _, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                    found.add(value)
    return found


def test_every_form_with_a_date_field_bounds_its_years():
    with_dates = [
        form
        for form in portal_forms()
        if any(
            isinstance(field, forms.DateField | forms.DateTimeField)
            for field in form.base_fields.values()
        )
    ]
    assert len(with_dates) >= 6
    assert [f.__name__ for f in with_dates if not issubclass(f, PlausibleDatesMixin)] == []


@pytest.mark.parametrize("starts", ["1000-01-01T10:00", "9999-12-31T10:00", "1999-12-31T10:00"])
def test_a_meeting_date_outside_plausible_years_is_a_form_error(client_of, alice, board, starts):
    response = client_of(alice).post(
        reverse("meeting_create", kwargs={"slug": board.slug}),
        {
            "title": "Far away",
            **time_boxes("starts_at", starts),
            **time_boxes("ends_at", "2101-01-01T12:00"),
            "venue": "Hall",
        },
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not Meeting.objects.filter(title="Far away").exists()


def test_a_plausible_meeting_date_is_accepted(client_of, alice, board):
    response = client_of(alice).post(
        reverse("meeting_create", kwargs={"slug": board.slug}),
        {
            "title": "Soon",
            **time_boxes("starts_at", "2027-01-01T10:00"),
            **time_boxes("ends_at", "2027-01-01T12:00"),
            "venue": "Shire Hall",
        },
    )
    assert response.status_code == 302
    assert Meeting.objects.filter(title="Soon").exists()


def test_a_recommendation_dated_in_year_9999_is_a_form_error(client_of, alice, assessed, fire):
    response = client_of(alice).post(
        reverse("recommendation_new", kwargs={"pk": assessed.pk}),
        {
            "wording": "Share the station.",
            "agreed_on": "9999-01-01",
            "decision_due_on": "0001-02-01",
            "organisations": [fire.pk],
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    # The error summary links each date to its field (the day box of a day/month/year date).
    assert 'href="#id_agreed_on' in body and 'href="#id_decision_due_on' in body
    assert MESSAGE in body
    assert not Recommendation.objects.exists()


def test_an_action_due_in_year_1_is_a_form_error(client_of, alice, held, bob):
    response = client_of(alice).post(
        reverse("action_add", kwargs={"pk": held.pk}),
        {"description": "Draft the lease", "owner": bob.pk, "due_on": "0001-01-01"},
    )
    assert MESSAGE in response.content.decode()
    assert not Action.objects.exists()


def test_a_review_held_in_year_1_is_a_form_error(client_of, alice, in_delivery):
    from tests.opportunities.test_review_record import review_data

    response = client_of(alice).post(
        reverse("review_new", kwargs={"pk": in_delivery.pk}),
        review_data(held_on="0001-01-01"),
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not in_delivery.reviews.exists()


def test_the_meeting_times_are_typed_boxes_not_a_picker(client_of, alice, board):
    page = client_of(alice).get(reverse("meeting_create", kwargs={"slug": board.slug}))
    html = page.content.decode()
    assert "datetime-local" not in html
    for name in ("starts_at", "ends_at"):
        for part in ("day", "month", "year", "time"):
            assert f'name="{name}_{part}"' in html


def test_a_field_the_form_bounds_more_tightly_keeps_its_own_message(client_of, alice, in_delivery):
    from tests.opportunities.test_review_record import review_data

    response = client_of(alice).post(
        reverse("review_new", kwargs={"pk": in_delivery.pk}),
        review_data(next_review_on="9999-01-01"),
    )
    body = response.content.decode()
    assert "Give a date within" in body
    assert MESSAGE not in body
