"""Dates, times, money and counts written one way, the GOV.UK way."""

import datetime as dt
from decimal import Decimal

import pytest

from core import govuk


@pytest.mark.parametrize(
    ("time", "written"),
    [
        (dt.time(10, 0), "10am"),
        (dt.time(14, 30), "2:30pm"),
        (dt.time(12, 0), "midday"),
        (dt.time(0, 0), "midnight"),
        (dt.time(0, 5), "12:05am"),
        (dt.time(12, 45), "12:45pm"),
        (dt.time(9, 5), "9:05am"),
    ],
)
def test_a_time_is_written_with_am_pm_midday_and_midnight(time, written):
    assert govuk.govuk_time(time) == written


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (dt.datetime(2026, 12, 2, 15, 30, 5), "2 December 2026, 3:30:05pm"),
        (dt.datetime(2026, 12, 2, 9, 0, 0), "2 December 2026, 9:00:00am"),
        (dt.datetime(2026, 12, 2, 0, 7, 59), "2 December 2026, 12:07:59am"),
        (dt.datetime(2026, 12, 2, 12, 0, 1), "2 December 2026, 12:00:01pm"),
        (dt.datetime(2026, 12, 2, 12, 0, 0), "2 December 2026, midday"),
        (dt.datetime(2026, 12, 2, 0, 0, 0), "2 December 2026, midnight"),
    ],
)
def test_a_recorded_moment_is_written_to_the_second(moment, written):
    assert govuk.govuk_timestamp(moment) == written
    assert govuk.govuk_timestamp(None) == ""


def test_a_date_has_no_leading_zero_and_the_full_month():
    assert govuk.govuk_date(dt.date(2026, 12, 5)) == "5 December 2026"


def test_a_meeting_day_has_its_weekday():
    assert govuk.govuk_day(dt.date(2026, 12, 15)) == "Tuesday 15 December 2026"


def test_a_date_and_time_and_a_range_of_times():
    starts = dt.datetime(2026, 12, 15, 10, 0)
    assert govuk.govuk_datetime(starts) == "15 December 2026 at 10am"
    assert govuk.govuk_day_datetime(starts) == "Tuesday 15 December 2026 at 10am"
    assert govuk.govuk_time_range(starts, starts.replace(hour=12)) == "10am to midday"


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (Decimal("12200"), "£12,200"),
        (Decimal("12200.00"), "£12,200"),
        (Decimal("12200.5"), "£12,200.50"),
        (0, "£0"),
        (Decimal("-300"), "-£300"),
        (None, ""),
    ],
)
def test_money_has_the_pound_sign_and_pence_only_when_there_are_some(amount, written):
    assert govuk.money(amount) == written


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (Decimal("87300.50"), "£87,301"),
        (Decimal("87300.49"), "£87,300"),
        ("12200.00", "£12,200"),
        (2.5, "£3"),
        (Decimal("-300.5"), "-£301"),
        ("", ""),
        (None, ""),
    ],
)
def test_totals_are_written_to_the_nearest_pound(amount, written):
    assert govuk.money(amount, nearest_pound=True) == written


def test_amounts_stored_as_text_read_as_the_same_money():
    """A frozen referral pack keeps its amounts as text ("12200.50")."""
    assert govuk.money("12200.50") == "£12,200.50"
    assert govuk.money("0.10") == "£0.10"


def test_a_count_is_singular_for_one():
    assert govuk.count_of(1, "review") == "1 review"
    assert govuk.count_of(0, "review") == "0 reviews"
    assert govuk.count_of(2, "opportunity", "opportunities") == "2 opportunities"
