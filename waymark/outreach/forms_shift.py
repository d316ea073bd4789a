"""The shift's contact form: it parses what was typed; `services.record_contact` decides."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.utils import timezone

from waymark.outreach.models import ActionTaken, ObservedNeed, SeenDoing, SiteType
from waymark.outreach.services import DESCRIPTION_MAX, LONDON, PLACE_MAX
from waymark.outreach.services_shift import RecentPerson


class ShiftContactForm(forms.Form):
    # Any person the worker may open, not only those listed: a page kept on the phone since
    # the start of the shift may list someone who has since dropped off the list.
    person = forms.CharField(label="Who did you meet?", required=False, max_length=36, widget=forms.RadioSelect)
    reference = forms.CharField(
        label="Their Waymark reference",
        required=False,
        max_length=12,
        help_text="If they have a record but are not in the list, for example WM-7K3Q9.",
    )
    description = forms.CharField(
        label="Describe them",
        required=False,
        max_length=DESCRIPTION_MAX,
        help_text="If you do not know who they are yet, for example man, 40s, green sleeping bag.",
    )
    seen_doing = forms.ChoiceField(
        label="What were they doing?",
        choices=SeenDoing.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what they were doing when you met them."},
    )
    actions = forms.MultipleChoiceField(
        label="What did you do?", required=False, choices=ActionTaken.choices, widget=forms.CheckboxSelectMultiple
    )
    latitude = forms.CharField(label="Latitude", required=False, max_length=20)
    longitude = forms.CharField(label="Longitude", required=False, max_length=20)
    place = forms.CharField(
        label="Describe the place",
        required=False,
        max_length=PLACE_MAX,
        help_text="For example, doorway of 12 High Street.",
    )
    needs = forms.MultipleChoiceField(
        label="Needs you saw or were told about",
        required=False,
        choices=ObservedNeed.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    site_type = forms.ChoiceField(
        label="Kind of place", required=False, choices=[("", "Not chosen"), *SiteType.choices]
    )
    district = forms.ChoiceField(
        label="District", required=False, help_text="Leave it for the map pin to decide, if you dropped one."
    )
    workers = forms.MultipleChoiceField(label="Who was with you?", required=False, widget=forms.CheckboxSelectMultiple)
    # Both empty means now: a page left open for an hour must not date a contact an hour early.
    seen_date = forms.DateField(
        label="Date you met them",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Give the date you met them.", "invalid": "Give the date as day, month, year."},
    )
    seen_time = forms.TimeField(
        label="Time you met them",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="24-hour clock, for example 23:15.",
        error_messages={
            "required": "Give the time you met them.",
            "invalid": "Give the time as 24-hour clock, e.g. 23:15.",
        },
    )
    # Set when the page is drawn, so pressing Save twice (or resending after a dropped
    # connection) keeps one contact.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        recent: list[RecentPerson],
        teammates: Any,
        districts: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recent = recent
        self.fields["workers"].choices = [  # type: ignore[attr-defined]
            (str(u.public_id), u.display_name) for u in teammates
        ]
        self.workers_by_id = {str(u.public_id): u for u in teammates}
        self.fields["district"].choices = [  # type: ignore[attr-defined]
            ("", "From the map pin"),
            *((str(d.public_id), d.name) for d in districts),
        ]
        self.districts_by_id = {str(d.public_id): d for d in districts}
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("seen_date"), data.get("seen_time")
        if (day is None) != (time is None) and not self.has_error("seen_date") and not self.has_error("seen_time"):
            self.add_error("seen_date", "Give both the date and the time, or leave both empty for now.")
        return data

    def seen_at(self) -> datetime.datetime:
        """The moment met: the date and time typed, in London time, or now when both are empty."""
        day, time = self.cleaned_data.get("seen_date"), self.cleaned_data.get("seen_time")
        if day is None or time is None:
            return timezone.now()
        return timezone.make_aware(datetime.datetime.combine(day, time), LONDON)
