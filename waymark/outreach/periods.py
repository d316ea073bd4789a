"""Periods of whole days: a month, a quarter, a year or any run of dates.

The figures, the hotspot map and their APIs read periods with the one `parse_period`,
so they accept the same forms (2025-03, 2025-Q1, 2025, 2025-01-01..2025-02-10, or a
first and last day given apart) and say the same thing about a period they cannot use.
Days are Europe/London days, as contacts' `seen_on`.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from waymark.outreach.services import EARLIEST, LONDON

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
QUARTER = re.compile(r"^(\d{4})[- ]?Q([1-4])$", re.ASCII | re.IGNORECASE)
YEAR = re.compile(r"^(\d{4})$", re.ASCII)
RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$", re.ASCII)
PERIOD_EXAMPLES = "2025-03 (a month), 2025-Q1 (a quarter), 2025 (a year) or 2025-01-01..2025-02-10 (dates)"
PERIOD_HELP = f"Give the period as {PERIOD_EXAMPLES}."
DATE_HELP = "Give the date as year-month-day, for example 2025-01-31."


class PeriodKind:
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True)
class Period:
    """A span of whole days in Europe/London, first and last day included."""

    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def from_dates(self) -> bool:
        """Given as two dates (so the label already says them), not as a month, quarter or year."""
        return self.kind == PeriodKind.RANGE

    @property
    def value(self) -> str:
        """The period as the `period` parameter writes it: 2025-03, 2025-Q1, 2025 or a..b."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """The period in words: 'March 2025', 'Q1 2025 (January to March)', '2025', '1 January 2025 to 3 May 2025'."""
        if self.kind == PeriodKind.MONTH:
            return f"{calendar.month_name[self.start.month]} {self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            first, last = calendar.month_name[self.start.month], calendar.month_name[self.end.month]
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year} ({first} to {last})"
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        if self.start == self.end:
            return day_in_words(self.start)
        return f"{day_in_words(self.start)} to {day_in_words(self.end)}"

    def previous(self) -> Period:
        """The period of the same length just before: the month, quarter or year before, or as many days."""
        if self.kind == PeriodKind.MONTH:
            end = self.start - datetime.timedelta(days=1)
            return Period(self.kind, end.replace(day=1), end)
        if self.kind == PeriodKind.QUARTER:
            end = self.start - datetime.timedelta(days=1)
            return Period(self.kind, end.replace(day=1, month=end.month - 2), end)
        if self.kind == PeriodKind.YEAR:
            return Period(
                self.kind, self.start.replace(year=self.start.year - 1), self.end.replace(year=self.end.year - 1)
            )
        return Period(
            self.kind, self.start - datetime.timedelta(days=self.days), self.start - datetime.timedelta(days=1)
        )


def day_in_words(day: datetime.date) -> str:
    """A day as people write it: '1 January 2025'."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def month_period(year: int, month: int) -> Period:
    """A calendar month."""
    return Period(PeriodKind.MONTH, datetime.date(year, month, 1), datetime.date(year, month, _month_days(year, month)))


def quarter_period(year: int, quarter: int) -> Period:
    """A calendar quarter: Q1 is January to March."""
    first = 3 * (quarter - 1) + 1
    return Period(
        PeriodKind.QUARTER, datetime.date(year, first, 1), datetime.date(year, first + 2, _month_days(year, first + 2))
    )


def year_period(year: int) -> Period:
    """A calendar year."""
    return Period(PeriodKind.YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def range_period(start: datetime.date, end: datetime.date) -> Period:
    """Any run of whole days, both ends included."""
    return Period(PeriodKind.RANGE, start, end)


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def london_today() -> datetime.date:
    """Today in Europe/London."""
    return timezone.now().astimezone(LONDON).date()


def quarter_of(day: datetime.date) -> Period:
    """The calendar quarter holding `day`."""
    return quarter_period(day.year, (day.month - 1) // 3 + 1)


def last_whole_quarter(today: datetime.date | None = None) -> Period:
    """The calendar quarter before the one holding today."""
    return quarter_of(today or london_today()).previous()


def check_period(period: Period, today: datetime.date | None = None, *, longest_years: int | None = None) -> Period:
    """The period if it can be reported on, or ValidationError saying what to change.

    A period may run past today (the figures so far); it may not start in the
    future, before outreach records could exist, end before it starts, or (when
    `longest_years` is given) run longer than that many years of 366 days.
    """
    today = today or london_today()
    if period.end < period.start:
        raise ValidationError("The end date must be the same as or after the start date.", code="order")
    if period.start < EARLIEST:
        raise ValidationError(f"Choose a period from {EARLIEST.year} onwards.", code="too_early")
    if period.start > today:
        raise ValidationError(
            "That period has not started yet. Choose one that starts today or earlier.", code="future"
        )
    if longest_years is not None and period.days > longest_years * 366:
        raise ValidationError(f"Choose a period of {longest_years} years or less.", code="too_long")
    return period


def parse_period(
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    default: Period | None = None,
    longest_years: int | None = None,
    today: datetime.date | None = None,
) -> Period:
    """The period the user typed: `start` and `end` dates when either is given, else `period`
    as 2025-03, 2025-Q1, 2025 or 2025-01-01..2025-02-10, else `default`.

    The period is checked as `check_period` does. Raises ValidationError keyed by the
    parameter to fix (`period`, `start` or `end`), saying what to type; nothing typed
    and no default is an error too.
    """
    start, end, period = (start or "").strip(), (end or "").strip(), (period or "").strip()
    if start or end:
        chosen, name = _dates(start, end), "start"
    elif period:
        chosen, name = _short_form(period), "period"
    elif default is not None:
        return default
    else:
        raise ValidationError({"period": ValidationError(PERIOD_HELP, code="required")})
    try:
        return check_period(chosen, today, longest_years=longest_years)
    except ValidationError as exc:
        if name == "start" and exc.code in ("order", "too_long"):
            # Given as two days, a span that is wrong is fixed at its last day.
            name = "end"
        raise ValidationError({name: exc}) from None


def _short_form(text: str) -> Period:
    """2025-03, 2025-Q1, 2025 or 2025-01-01..2025-02-10; ValidationError on `period` if not."""
    try:
        if match := MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise _invalid("period", f"There is no month {month}: use 01 to 12, for example 2025-03.")
            return month_period(year, month)
        if match := QUARTER.match(text):
            return quarter_period(int(match[1]), int(match[2]))
        if match := YEAR.match(text):
            return year_period(int(match[1]))
        if match := RANGE.match(text):
            return range_period(datetime.date.fromisoformat(match[1]), datetime.date.fromisoformat(match[2]))
    except ValueError:
        raise _invalid("period", f"That is not a real date. {PERIOD_HELP}") from None
    raise _invalid("period", PERIOD_HELP)


def _dates(start: str, end: str) -> Period:
    """A first and a last day given apart; ValidationError on `start` and `end` for what is missing or wrong."""
    errors: dict[str, ValidationError] = {}
    first = _day(start, "start", "Give the first day as well as the last.", errors)
    last = _day(end, "end", "Give the last day as well as the first.", errors)
    if first is None or last is None:
        raise ValidationError(errors)
    return range_period(first, last)


def _day(text: str, name: str, missing: str, errors: dict[str, ValidationError]) -> datetime.date | None:
    if not text:
        errors[name] = ValidationError(missing, code="required")
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        errors[name] = ValidationError(DATE_HELP, code="invalid")
        return None


def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError({name: ValidationError(message, code="invalid")})
