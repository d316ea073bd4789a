"""The audit log's filter form."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.utils import timezone

from waymark.audit.models import AuditKind
from waymark.audit.services import AuditFilters

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %m %Y", "%Y-%m-%d"]
# The oldest date worth asking about: nothing in Waymark predates it.
EARLIEST = date(2000, 1, 1)
REFERENCE = re.compile(r"^WM-[0-9A-Z]{5}$", re.IGNORECASE)


class DayRangeForm(forms.Form):
    """'From' and 'to' days for a filter form sent by GET: real, in order, not before
    2000 and not in the future. Subclasses reword the help text as they need."""

    date_from = forms.DateField(
        label="From",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example 27/3/2026",
        error_messages={"invalid": "Enter the ‘from’ date as a real date, for example 27/3/2026"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example 31/3/2026. The whole day is included",
        error_messages={"invalid": "Enter the ‘to’ date as a real date, for example 31/3/2026"},
    )

    def _clean_day(self, name: str, which: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day is None:
            return None
        if day < EARLIEST:
            raise forms.ValidationError(f"The ‘{which}’ date must be on or after 1 January 2000", code="too_early")
        if day > timezone.localdate():
            raise forms.ValidationError(f"The ‘{which}’ date must be today or in the past", code="future")
        return day

    def clean_date_from(self) -> date | None:
        return self._clean_day("date_from", "from")

    def clean_date_to(self) -> date | None:
        return self._clean_day("date_to", "to")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date")
        return cleaned


class AuditFilterForm(DayRangeForm):
    """Narrow the audit log. Sent by GET, so a filtered list can be bookmarked and exported."""

    field_order = ["user", "person", "service", "kind", "date_from", "date_to"]

    user = forms.CharField(
        label="Username",
        required=False,
        max_length=150,
        help_text="The exact username, for example outreach.worker",
    )
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=64,
        help_text="The person's reference, for example WM-7K3Q9, or their record id",
    )
    service = forms.CharField(
        label="Service",
        required=False,
        max_length=200,
        help_text="All or part of the service's name",
    )
    kind = forms.ChoiceField(
        label="Kind of event",
        required=False,
        choices=[("", "Any kind"), *AuditKind.choices],
    )

    def clean_user(self) -> str:
        return self.cleaned_data["user"].strip()

    def clean_service(self) -> str:
        return self.cleaned_data["service"].strip()

    def clean_person(self) -> str:
        value = self.cleaned_data["person"].strip()
        if not value or REFERENCE.match(value):
            return value.upper()
        try:
            return str(UUID(value))
        except ValueError:
            raise forms.ValidationError(
                "Enter a person’s reference like WM-7K3Q9, or their record id", code="invalid"
            ) from None

    def filters(self) -> AuditFilters:
        """The validated filters; call only after is_valid()."""
        data = self.cleaned_data
        return AuditFilters(
            username=data.get("user", ""),
            person=data.get("person", ""),
            service=data.get("service", ""),
            kind=data.get("kind", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
