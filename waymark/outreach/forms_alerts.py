"""Forms for alerts: the public report, the queue's filters, assigning, outcomes and telling the reporter.

They parse what was typed; `services_alerts` decides what is valid and what is allowed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from waymark.outreach import services_alerts
from waymark.outreach.models import AlertOutcome
from waymark.outreach.services_alerts import LONDON, NO_DISTRICT, STATUS_FILTERS, AlertDetails

# Where a service's error about a field is shown on the report form.
REPORT_FIELD_FOR = {"seen_at": "seen_date"}


class OneOfTwoField(forms.CharField):
    """Shown as needed (no "optional"), but an empty value is allowed: the service checks that
    the place or the map position is given, and says so once."""

    def validate(self, value: Any) -> None:
        return None


class ReportForm(forms.Form):
    """A member of the public's report. Field names match `AlertDetails` where they can."""

    # GOV.UK forms do not use the browser's own checks; the messages come from us.
    use_required_attribute = False

    area = forms.ChoiceField(label="Which area is the person in?", required=False)
    location = OneOfTwoField(
        label="Address or description of the place",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the doorway of 12 High Street, near the bus station. Give this, a map position, "
        "or both.",
    )
    latitude = forms.CharField(
        label="Latitude",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        help_text="For example, 53.480759",
    )
    longitude = forms.CharField(
        label="Longitude",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        help_text="For example, -2.242631",
    )
    seen_date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Give the date you saw them.", "invalid": "Give a real date, like 27/3/2026."},
    )
    seen_time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="24-hour clock, for example 23:30. Roughly is fine.",
        error_messages={"required": "Give the time you saw them.", "invalid": "Give a time like 23:30."},
    )
    description = forms.CharField(
        label="Describe the person",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What they look like, what they are wearing, their sleeping bag or belongings, "
        "and anything else that will help an outreach team find them.",
    )
    reporter_is_person = forms.BooleanField(label="I am the person sleeping rough", required=False)
    reporter_name = forms.CharField(label="Your name", required=False)
    reporter_email = forms.CharField(
        label="Your email address",
        required=False,
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
        help_text="We will use it to tell you, in general terms, what happened.",
    )
    reporter_phone = forms.CharField(
        label="Your phone number",
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
        help_text="An outreach worker may call if they cannot find the place.",
    )
    consent = forms.BooleanField(
        label="I agree that Waymark keeps what I have sent, and that, if I gave contact details, "
        "an outreach team may contact me about this report and tell me what happened.",
        error_messages={"required": "Tick the box to agree, so we can keep your report."},
    )
    # The honeypot: hidden from people (and screen readers) by the page; robots fill it in.
    website = forms.CharField(label="Leave this empty", required=False)

    def __init__(self, *args: Any, areas: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        if len(areas) > 1:
            self.fields["area"].choices = [("", "Choose an area"), *((str(a.public_id), a.name) for a in areas)]
            self.fields["area"].required = True
            self.fields["area"].error_messages["required"] = "Choose the area the person is in."
        else:
            del self.fields["area"]
        now = timezone.localtime(timezone.now(), LONDON)
        self.fields["seen_date"].initial = now.date()
        self.fields["seen_time"].initial = now.strftime("%H:%M")

    @property
    def asks_area(self) -> bool:
        return "area" in self.fields

    def seen_at(self) -> datetime.datetime | None:
        day, moment = self.cleaned_data.get("seen_date"), self.cleaned_data.get("seen_time")
        if day is None or moment is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, moment), LONDON)

    def details(self) -> AlertDetails:
        """What was typed as AlertDetails; after a failed `is_valid()`, what could be read of it."""
        data = self.cleaned_data
        return AlertDetails(
            description=data.get("description", ""),
            seen_at=self.seen_at(),
            latitude=data.get("latitude", ""),
            longitude=data.get("longitude", ""),
            location=data.get("location", ""),
            reporter_is_person=bool(data.get("reporter_is_person")),
            reporter_name=data.get("reporter_name", ""),
            reporter_email=data.get("reporter_email", ""),
            reporter_phone=data.get("reporter_phone", ""),
        )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=list(STATUS_FILTERS.items()))
    district = forms.ChoiceField(label="District", required=False)

    def __init__(self, *args: Any, districts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.districts = {str(d.public_id): d for d in districts}
        self.fields["district"].choices = [
            ("", "All districts"),
            (NO_DISTRICT, "No district yet"),
            *((key, d.name) for key, d in self.districts.items()),
        ]

    def chosen(self) -> tuple[str, Any]:
        """(status, district) to filter by; the defaults when the form is not valid."""
        if not self.is_valid():
            return services_alerts.OPEN, None
        status = self.cleaned_data["status"] or services_alerts.OPEN
        key = self.cleaned_data["district"]
        district = NO_DISTRICT if key == NO_DISTRICT else self.districts.get(key)
        return status, district


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class AssignForm(forms.Form):
    """A team member gives the alert to a worker of their team (or the team); a coordinator to a team."""

    service = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        label="Outreach team",
        empty_label="Choose a team",
        to_field_name="public_id",
        error_messages={"required": "Choose the outreach team to give this alert to."},
    )
    assignee = WorkerChoiceField(
        queryset=None,  # type: ignore[arg-type]
        label="Worker",
        required=False,
        empty_label="The team (no one person yet)",
        to_field_name="public_id",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, services: QuerySet, team: Any, workers: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = workers  # type: ignore[attr-defined]
        self.team = team
        if team is not None:
            # Taking it for one's own team: the team is fixed, the worker is chosen.
            self.fields["service"].widget = forms.HiddenInput()
            self.fields["service"].initial = team.public_id
        else:
            del self.fields["assignee"]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What came of it?",
        choices=AlertOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what came of the alert."},
    )
    contact = forms.ChoiceField(
        label="The street contact",
        required=False,
        widget=forms.RadioSelect,
        help_text="Only for found and contacted: your team's contacts of the last three days.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, contacts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = {str(c.public_id): c for c in contacts}
        self.fields["contact"].choices = [
            ("", "None of these, or not recorded yet"),
            *((key, contact_label(c)) for key, c in self.contacts.items()),
        ]
        self.fields["contact"].initial = ""

    def chosen_contact(self) -> Any:
        return self.contacts.get(self.cleaned_data.get("contact") or "")


def contact_label(contact: Any) -> str:
    """How a contact is named in the outcome form: when, who (reference or description) and where."""
    when = timezone.localtime(contact.seen_at, LONDON)
    who = contact.person.reference if contact.person_id else (contact.description or "Not yet identified")
    where = contact.place or (contact.district.name if contact.district_id else "")
    return f"{when.day} {when:%b %H:%M}: {who}" + (f", {where}" if where else "")


class TellForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)


def add_service_errors(form: forms.Form, errors: dict[str, list[str]], field_for: dict[str, str]) -> None:
    """A service's errors next to the fields they name (else at the top), skipping fields already in error."""
    for name, messages in errors.items():
        target = field_for.get(name, name)
        if target not in form.fields:
            form.add_error(None, messages)
        elif target not in form.errors:
            form.add_error(target, messages)
