"""The rough-sleeping figures page and its CSV and XLSX exports: a thin layer over outreach.figures.

The form is sent by GET, so a set of figures can be bookmarked and shared, and
the exports take the same parameters. `?period=2025-Q1&district=<id>` (the
API's form) works as well as the form's own fields.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.access.models import District
from waymark.outreach import figures as service
from waymark.outreach import periods
from waymark.outreach.figures import Figures
from waymark.outreach.periods import Period, PeriodKind

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %m %Y", "%Y-%m-%d"]
FIELD_NAMES = ("kind", "month", "month_year", "quarter", "quarter_year", "year", "date_from", "date_to", "district")
# The fields each kind of period reads; the others may hold anything and are not checked.
KIND_FIELDS = {
    PeriodKind.MONTH: ("month", "month_year"),
    PeriodKind.QUARTER: ("quarter", "quarter_year"),
    PeriodKind.YEAR: ("year",),
    PeriodKind.RANGE: ("date_from", "date_to"),
}
QUARTERS = [
    ("1", "Q1: January to March"),
    ("2", "Q2: April to June"),
    ("3", "Q3: July to September"),
    ("4", "Q4: October to December"),
]


class _Needed:
    """A field the chosen kind of period needs: labelled without "(optional)", but only
    checked for a value by the form, which knows which kind was chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["required"] = True
        super().__init__(*args, **kwargs)

    def validate(self, value: Any) -> None:
        if value in (None, ""):
            return
        super().validate(value)  # type: ignore[misc]


class YearField(_Needed, forms.IntegerField):
    pass


class DayField(_Needed, forms.DateField):
    pass


class NeededChoiceField(_Needed, forms.ChoiceField):
    pass


def _year(label: str) -> forms.IntegerField:
    return YearField(
        label=label,
        help_text="For example 2025",
        error_messages={"invalid": "Enter the year as 4 digits, for example 2025"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4", "maxlength": "4"}),
    )


def _date(label: str, example: str) -> forms.DateField:
    return DayField(
        label=label,
        input_formats=DATE_FORMATS,
        help_text=f"For example {example}",
        error_messages={"invalid": f"Enter the ‘{label.lower()}’ date as a real date, for example {example}"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )


class FiguresForm(forms.Form):
    """Which period and place to show figures for."""

    use_required_attribute = False

    kind = NeededChoiceField(
        label="Period",
        choices=[
            (PeriodKind.MONTH, "A month"),
            (PeriodKind.QUARTER, "A quarter"),
            (PeriodKind.YEAR, "A year"),
            (PeriodKind.RANGE, "Dates of your choice"),
        ],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a month, a quarter, a year or dates"},
    )
    month = NeededChoiceField(
        label="Month",
        choices=[(str(m), calendar.month_name[m]) for m in range(1, 13)],
        error_messages={"invalid_choice": "Choose the month from the list"},
    )
    month_year = _year("Year")
    quarter = NeededChoiceField(
        label="Quarter", choices=QUARTERS, error_messages={"invalid_choice": "Choose the quarter from the list"}
    )
    quarter_year = _year("Year")
    year = _year("Year")
    date_from = _date("From", "1/1/2025")
    date_to = _date("To", "10/2/2025")
    district = NeededChoiceField(
        label="Place",
        help_text="The whole area, or one district",
        error_messages={"invalid_choice": "Choose a district in your area, or the whole area"},
    )

    def __init__(self, *args: Any, districts: list[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.districts = districts
        district: Any = self.fields["district"]
        district.choices = [("", "The whole area")] + [(str(d.public_id), d.name) for d in districts]
        self.chosen_period: Period | None = None
        self.chosen_district: District | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        # Without JavaScript every kind's fields are on the page: what is typed in the
        # ones not chosen is kept on the form but never an error.
        for other, names in KIND_FIELDS.items():
            if other != kind:
                for name in names:
                    self.errors.pop(name, None)
        if not kind:
            if "kind" not in self.errors:
                self.add_error("kind", "Choose a month, a quarter, a year or dates")
            return cleaned
        try:
            period = self._period(kind, cleaned)
        except ValidationError as exc:
            self.add_error(self._field_for(kind), exc)
            return cleaned
        if period is not None:
            try:
                self.chosen_period = periods.check_period(period)
            except ValidationError as exc:
                self.add_error(self._field_for(kind, exc.code), exc)
        self.chosen_district = service.find_district(self.districts, cleaned.get("district"))
        return cleaned

    def _period(self, kind: str, cleaned: dict[str, Any]) -> Period | None:
        """The period the fields describe; None when a field is missing (its error is added)."""
        if kind == PeriodKind.MONTH:
            month, year = cleaned.get("month"), self._require_year(cleaned, "month_year")
            if not month:
                self.add_error("month", "Choose the month")
            return periods.month_period(year, int(month)) if month and year else None
        if kind == PeriodKind.QUARTER:
            quarter, year = cleaned.get("quarter"), self._require_year(cleaned, "quarter_year")
            if not quarter:
                self.add_error("quarter", "Choose the quarter")
            return periods.quarter_period(year, int(quarter)) if quarter and year else None
        if kind == PeriodKind.YEAR:
            year = self._require_year(cleaned, "year")
            return periods.year_period(year) if year else None
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        for name, value, which in (("date_from", start, "first"), ("date_to", end, "last")):
            if value is None and name not in self.errors:
                self.add_error(name, f"Enter the {which} day of the period")
        return periods.range_period(start, end) if start and end else None

    def _require_year(self, cleaned: dict[str, Any], name: str) -> int | None:
        year = cleaned.get(name)
        if year is None:
            if name not in self.errors:
                self.add_error(name, "Enter the year, for example 2025")
            return None
        if not 1000 <= year <= 9999:
            self.add_error(name, "Enter the year as 4 digits, for example 2025")
            return None
        return year

    @staticmethod
    def _field_for(kind: str, code: str | None = None) -> str:
        if kind == PeriodKind.RANGE:
            return "date_to" if code == "order" else "date_from"
        return {PeriodKind.MONTH: "month_year", PeriodKind.QUARTER: "quarter_year"}.get(kind, "year")


def period_fields(period: Period) -> dict[str, str]:
    """The form's fields for a period, so a short form like ?period=2025-Q1 fills the form in."""
    if period.kind == PeriodKind.MONTH:
        return {"kind": period.kind, "month": str(period.start.month), "month_year": str(period.start.year)}
    if period.kind == PeriodKind.QUARTER:
        return {
            "kind": period.kind,
            "quarter": str((period.start.month - 1) // 3 + 1),
            "quarter_year": str(period.start.year),
        }
    if period.kind == PeriodKind.YEAR:
        return {"kind": period.kind, "year": str(period.start.year)}
    return {"kind": period.kind, "date_from": _dmy(period.start), "date_to": _dmy(period.end)}


def starting_fields(period: Period) -> dict[str, str]:
    """Every field filled in around the default period, so switching kind starts somewhere sensible."""
    return {
        "month": str(period.end.month),
        "month_year": str(period.end.year),
        "quarter": str((period.end.month - 1) // 3 + 1),
        "quarter_year": str(period.end.year),
        "year": str(period.end.year),
        "date_from": _dmy(period.start),
        "date_to": _dmy(period.end),
        **period_fields(period),
    }


def _dmy(day: datetime.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def bind_form(query: QueryDict, districts: list[District]) -> tuple[FiguresForm, str]:
    """The form, bound to what was sent (or unbound, showing the default period), and any
    message about a `period` parameter that could not be read."""
    data = {name: query[name][:100] for name in FIELD_NAMES if name in query}
    problem = ""
    if "period" in query and "kind" not in query:
        try:
            data.update(period_fields(periods.parse_period(str(query["period"])[:100])))
        except ValidationError as exc:
            problem = " ".join(exc.messages)
    if not data and not problem:
        return FiguresForm(initial=starting_fields(periods.last_whole_quarter()), districts=districts), ""
    return FiguresForm(data, districts=districts), problem


def _chosen(request: HttpRequest) -> tuple[FiguresForm, Period | None, District | None, str]:
    """What the request asks for: (form, period, district, problem); period None when the form has errors."""
    form, problem = bind_form(request.GET, service.districts_for(request.user))
    if problem:
        return form, None, None, problem
    if not form.is_bound:
        return form, periods.last_whole_quarter(), None, ""
    if not form.is_valid():
        return form, None, None, ""
    return form, form.chosen_period, form.chosen_district, ""


def _query(period: Period, district: District | None) -> str:
    params = {"period": period.value}
    if district is not None:
        params["district"] = str(district.public_id)
    return urlencode(params)


def _page(
    request: HttpRequest, form: FiguresForm, *, figures: Figures | None = None, problem: str = "", status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "problem": problem,
        "figures": figures,
        "threshold": service.THRESHOLD,
        "definitions": service.definitions(figures.rule if figures else service.living_rule()),
    }
    if figures is not None:
        context.update(
            query=_query(figures.period, figures.district),
            so_far=figures.period.end >= periods.london_today(),
            charts={b.key: b.chart for b in figures.breakdowns},
        )
    return render(request, "outreach/figures.html", context, status=status)


@require_GET
@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    """The figures for a period and place: headline measures, breakdowns with charts, definitions."""
    service.check_access(request.user)
    form, period, district, problem = _chosen(request)
    if period is None:
        return _page(request, form, problem=problem, status=400)
    return _page(request, form, figures=service.rough_sleeping_figures(request.user, period, district, form.districts))


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    service.check_access(request.user)
    form, period, district, problem = _chosen(request)
    if period is None:
        return _page(request, form, problem=problem, status=400)
    figures = service.rough_sleeping_figures(request.user, period, district, form.districts)
    filename, content_type, content = service.export_figures(request.user, figures, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def figures_csv(request: HttpRequest) -> HttpResponse:
    """The figures as CSV (suppressed as on the page); the download is audited."""
    return _export(request, "csv")


@require_GET
@login_required
def figures_xlsx(request: HttpRequest) -> HttpResponse:
    """The figures as an Excel workbook (suppressed as on the page); the download is audited."""
    return _export(request, "xlsx")
