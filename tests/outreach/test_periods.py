"""Periods for the figures and the hotspot map: the short forms, dates given apart, the
previous period, and what is said about a period that cannot be used."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from waymark.outreach.periods import PERIOD_HELP, Period, last_whole_quarter, parse_period, quarter_of

D = datetime.date
TODAY = D(2026, 6, 15)


# --- the short forms ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2025-03", D(2025, 3, 1), D(2025, 3, 31), "month"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("2025-02", D(2025, 2, 1), D(2025, 2, 28), "month"),
        ("2025-2", D(2025, 2, 1), D(2025, 2, 28), "month"),
        ("2025-Q1", D(2025, 1, 1), D(2025, 3, 31), "quarter"),
        ("2025-q4", D(2025, 10, 1), D(2025, 12, 31), "quarter"),
        ("2025 Q2", D(2025, 4, 1), D(2025, 6, 30), "quarter"),
        ("2025q3", D(2025, 7, 1), D(2025, 9, 30), "quarter"),
        ("2025", D(2025, 1, 1), D(2025, 12, 31), "year"),
        ("2024", D(2024, 1, 1), D(2024, 12, 31), "year"),
        ("2025-01-01..2025-02-10", D(2025, 1, 1), D(2025, 2, 10), "range"),
        (" 2025-01-01 .. 2025-01-01 ", D(2025, 1, 1), D(2025, 1, 1), "range"),
    ],
)
def test_periods_are_read_from_their_short_forms(text, start, end, kind):
    period = parse_period(text, today=TODAY)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert parse_period(period.value, today=TODAY) == period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025-03", D(2025, 2, 1), D(2025, 2, 28)),
        ("2024-03", D(2024, 2, 1), D(2024, 2, 29)),  # a leap February
        ("2025-01", D(2024, 12, 1), D(2024, 12, 31)),
        ("2025-Q1", D(2024, 10, 1), D(2024, 12, 31)),
        ("2024-Q2", D(2024, 1, 1), D(2024, 3, 31)),
        ("2025", D(2024, 1, 1), D(2024, 12, 31)),
        ("2025-01-01..2025-02-10", D(2024, 11, 21), D(2024, 12, 31)),
        # 20 days over 29 February: the 20 days before.
        ("2024-02-20..2024-03-10", D(2024, 1, 31), D(2024, 2, 19)),
    ],
)
def test_the_previous_period_is_the_same_length_just_before(text, start, end):
    period = parse_period(text, today=TODAY)
    previous = period.previous()
    assert (previous.start, previous.end) == (start, end)
    if period.kind == "range":
        assert previous.days == period.days


def test_leap_years_have_their_extra_day():
    assert parse_period("2024-Q1", today=TODAY).days == 91
    assert parse_period("2025-Q1", today=TODAY).days == 90
    assert parse_period("2024", today=TODAY).days == 366
    assert parse_period("2024-02-20..2024-03-10", today=TODAY).days == 20


def test_periods_read_in_words():
    assert parse_period("2025-03", today=TODAY).label == "March 2025"
    assert parse_period("2025-Q1", today=TODAY).label == "Q1 2025 (January to March)"
    assert parse_period("2025", today=TODAY).label == "2025"
    assert parse_period("2025-01-01..2025-01-01", today=TODAY).label == "1 January 2025"
    assert parse_period("2025-01-01..2025-02-10", today=TODAY).label == "1 January 2025 to 10 February 2025"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Give the period as"),
        ("March 2025", "Give the period as"),
        ("2025-13", "There is no month 13"),
        ("2025-Q5", "Give the period as"),
        ("2025-02-30..2025-03-01", "not a real date"),
        ("2025-03-01..2025-02-01", "end date must be the same as or after"),
        ("1985", "from 1990 onwards"),
        ("2026-07", "has not started yet"),
        ("2027", "has not started yet"),
    ],
)
def test_a_period_that_cannot_be_reported_says_what_to_fix(text, says):
    with pytest.raises(ValidationError) as error:
        parse_period(text, today=TODAY)
    assert says in " ".join(error.value.messages)


def test_a_period_may_run_past_today():
    assert parse_period("2026-06", today=TODAY).end == D(2026, 6, 30)


def test_the_last_whole_quarter_is_the_one_before_today():
    assert last_whole_quarter(D(2026, 6, 15)).value == "2026-Q1"
    assert last_whole_quarter(D(2026, 1, 1)).value == "2025-Q4"


def test_this_quarter_holds_the_day():
    assert quarter_of(D(2025, 11, 15)) == Period("quarter", D(2025, 10, 1), D(2025, 12, 31))
    assert quarter_of(D(2025, 3, 31)).value == "2025-Q1"


def test_nothing_typed_is_the_default_or_an_error():
    default = quarter_of(D(2025, 11, 15))
    assert parse_period("", default=default, today=TODAY) is default
    assert parse_period(" ", start="", end="", default=default, today=TODAY) is default
    with pytest.raises(ValidationError) as error:
        parse_period(None, today=TODAY)
    assert error.value.message_dict == {"period": [PERIOD_HELP]}


# --- a first and a last day, given apart ---------------------------------------------------


def test_dates_win_over_a_period():
    period = parse_period("2024", start="2024-12-30", end="2025-01-02", today=TODAY)
    assert (period.start, period.end, period.days, period.kind) == (D(2024, 12, 30), D(2025, 1, 2), 4, "range")
    assert period.from_dates and not parse_period("2024", today=TODAY).from_dates
    assert period.label == "30 December 2024 to 2 January 2025"


@pytest.mark.parametrize(
    ("start", "end", "field", "says"),
    [
        ("2025-01-01", "", "end", "Give the last day as well as the first"),
        ("", "2025-01-01", "start", "Give the first day as well as the last"),
        ("yesterday", "2025-01-01", "start", "year-month-day"),
        ("2025-01-01", "2025-02-30", "end", "year-month-day"),
        ("2025-03-01", "2025-01-01", "end", "end date must be the same as or after"),
        ("1985-01-01", "1986-01-01", "start", "from 1990 onwards"),
        ("2026-07-01", "2026-08-01", "start", "has not started yet"),
        ("2015-01-01", "2025-01-01", "end", "5 years or less"),
    ],
)
def test_dates_that_cannot_be_used_say_which_to_fix(start, end, field, says):
    with pytest.raises(ValidationError) as error:
        parse_period(start=start, end=end, longest_years=5, today=TODAY)
    assert list(error.value.message_dict) == [field]
    assert says in error.value.message_dict[field][0]


def test_the_cap_allows_exactly_its_length():
    assert parse_period(start="2020-01-01", end="2024-12-31", longest_years=5, today=TODAY).days == 1827
    assert parse_period("2015-01-01..2025-01-01", today=TODAY).days == 3654
    with pytest.raises(ValidationError) as error:
        parse_period("2015-01-01..2025-01-01", longest_years=5, today=TODAY)
    assert "5 years or less" in error.value.message_dict["period"][0]
