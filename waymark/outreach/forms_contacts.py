"""Forms for street contacts. They parse what was typed; `outreach.services` decides what is valid.

A field the service layer names in a ValidationError is shown next to the form
field that holds it (`FIELD_FOR`), so every message sits where the fix is made.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from waymark.outreach.models import ActionTaken, ObservedNeed, SeenDoing, SiteType
from waymark.outreach.services import DESCRIPTION_MAX, EARLIEST, PLACE_MAX, ContactDetails

REFERENCE = re.compile(r"^WM-[23456789A-HJ-NP-Z]{5}$")
NOT_FOUND = "No record with this reference that you can see. Check it, or choose ‘Not yet identified’."
RECORD, UNKNOWN = "record", "unknown"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _coordinate(label: str, example: str) -> forms.CharField:
    # Kept as text: the service reads the number, and a mistyped value is shown back as typed.
    return forms.CharField(
        label=label,
        required=False,
        max_length=30,
        widget=forms.NumberInput(attrs={"step": "any", "spellcheck": "false"}),
        help_text=f"Decimal degrees, for example {example}.",
    )


class WorkerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class DistrictChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


def find_person(people: QuerySet, text: str) -> Any:
    """The person with this reference among `people`, or a ValidationError that says the same
    whether the record does not exist or is one the user may not see."""
    reference = (text or "").strip().upper()
    if not REFERENCE.match(reference):
        raise ValidationError("Give their reference in the form WM-7K3Q9.")
    person = people.filter(reference=reference).first()
    if person is None:
        raise ValidationError(NOT_FOUND)
    return person


class ContactForm(forms.Form):
    seen_date = forms.DateField(label="Date", widget=_date_input(), help_text="For example, today.")
    seen_time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="24-hour clock, UK time, for example 23:40.",
    )
    workers = WorkerChoiceField(
        queryset=None,  # type: ignore[arg-type]
        to_field_name="public_id",
        required=False,
        label="Workers on the contact",
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of the team who were there. If you choose nobody, it is recorded as you.",
    )
    identified = forms.ChoiceField(
        label="Who did you meet?",
        choices=[(RECORD, "Someone with a record"), (UNKNOWN, "Not yet identified")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they have a record or are not yet identified."},
    )
    reference = forms.CharField(
        label="Their reference, if they have a record",
        required=False,
        max_length=20,
        help_text="It is on their record, for example WM-7K3Q9.",
    )
    description = forms.CharField(
        label="Describe them, if they are not yet identified",
        required=False,
        max_length=DESCRIPTION_MAX,
        help_text="Enough to know them again, for example: man, 40s, green sleeping bag.",
    )
    latitude = _coordinate("Latitude", "53.480759")
    longitude = _coordinate("Longitude", "-2.242631")
    place = forms.CharField(
        label="Describe the place",
        required=False,
        max_length=PLACE_MAX,
        help_text="For example, doorway of 12 High Street. Needed if there is no pin.",
    )
    district = DistrictChoiceField(
        queryset=None,  # type: ignore[arg-type]
        to_field_name="public_id",
        required=False,
        label="District",
        empty_label="Work it out from the pin",
    )
    site_type = forms.ChoiceField(
        label="Kind of place", required=False, choices=[("", "Choose the kind of place"), *SiteType.choices]
    )
    seen_doing = forms.ChoiceField(
        label="What were they doing?",
        choices=SeenDoing.choices,
        widget=forms.RadioSelect,
        help_text="Bedded down, or in a tent or vehicle, counts as seen rough sleeping when an outreach team "
        "records it.",
        error_messages={"required": "Choose what they were doing when you met them."},
    )
    actions = forms.MultipleChoiceField(
        label="What did you do?",
        required=False,
        choices=ActionTaken.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    needs = forms.MultipleChoiceField(
        label="Needs you saw or were told about",
        required=False,
        choices=ObservedNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    # Made when the form is first shown: pressing Save twice, or resending after a
    # lost connection, keeps one contact.
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: QuerySet, workers: QuerySet, districts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.fields["workers"].queryset = workers  # type: ignore[attr-defined]
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        now = timezone.localtime()
        self.fields["seen_date"].initial = now.date()
        self.fields["seen_time"].initial = now.strftime("%H:%M")
        self.fields["idempotency_key"].initial = uuid.uuid4()
        self.person: Any = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("identified") == RECORD:
            if not (data.get("reference") or "").strip():
                self.add_error("reference", "Give their reference, or choose ‘Not yet identified’.")
            else:
                try:
                    self.person = find_person(self.people, data["reference"])
                except ValidationError as exc:
                    self.add_error("reference", exc)
        return data

    def seen_at(self) -> datetime.datetime:
        day, time = self.cleaned_data["seen_date"], self.cleaned_data["seen_time"]
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def details(self) -> ContactDetails:
        """What was typed, for `record_contact`."""
        data = self.cleaned_data
        unknown = data["identified"] == UNKNOWN
        return ContactDetails(
            seen_at=self.seen_at(),
            seen_doing=data["seen_doing"],
            person=None if unknown else self.person,
            description=data["description"] if unknown else "",
            latitude=data["latitude"] or None,
            longitude=data["longitude"] or None,
            place=data["place"],
            district=data["district"],
            site_type=data["site_type"],
            actions=list(data["actions"]),
            needs=list(data["needs"]),
            workers=list(data["workers"]),
            idempotency_key=data["idempotency_key"],
        )

    def field_for(self, name: str) -> str | None:
        """The form field that shows a service error about `name` (None: at the top)."""
        if name == "seen_at":
            return "seen_date"
        if name == "person":
            return "description" if self.cleaned_data.get("identified") == UNKNOWN else "reference"
        return name if name in self.fields and name != "idempotency_key" else None


class LinkForm(forms.Form):
    """Link a contact with someone not yet identified to their record, after a confirmation."""

    reference = forms.CharField(
        label="Their reference", max_length=20, help_text="It is on their record, for example WM-7K3Q9."
    )
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.person: Any = None

    def clean_reference(self) -> str:
        self.person = find_person(self.people, self.cleaned_data["reference"])
        return self.person.reference

    @property
    def is_confirmed(self) -> bool:
        return self.cleaned_data.get("confirmed") == "yes"

    def field_for(self, name: str) -> str | None:
        return "reference" if name == "person" else None


class DayForm(forms.Form):
    """The day of a team's list (UK time)."""

    day = forms.DateField(label="Day", required=False, widget=_date_input())

    def clean_day(self) -> datetime.date | None:
        day = self.cleaned_data.get("day")
        if day is not None and not EARLIEST <= day <= timezone.localdate():
            raise ValidationError(f"Choose a day from {EARLIEST.year} to today.")
        return day
