"""Forms for episodes and case notes. They parse what was typed; the services decide."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from waymark.casework.models import EndReason, NoteKind
from waymark.casework.services import BODY_MAX

REFERENCE = re.compile(r"^WM-[23456789A-HJ-NP-Z]{5}$")


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class StartEpisodeForm(forms.Form):
    service = ServiceChoiceField(queryset=None, empty_label=None, label="Service")  # type: ignore[arg-type]
    started_on = forms.DateField(label="Start date", widget=date_input(), help_text="For example, today.")
    key_worker = UserChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        label="Key worker",
        empty_label="No key worker yet",
        help_text="A worker or manager of the service.",
    )
    reason = forms.CharField(
        max_length=200,
        required=False,
        label="Why the service is starting work",
        help_text="For example, found sleeping rough.",
    )

    def __init__(self, *args: Any, services: QuerySet, key_workers: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["key_worker"].queryset = key_workers  # type: ignore[attr-defined]
        self.fields["started_on"].initial = timezone.localdate()


class KeyWorkerForm(forms.Form):
    key_worker = UserChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        label="Key worker",
        empty_label="No key worker",
        help_text="A worker or manager of the service.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, key_workers: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_worker"].queryset = key_workers  # type: ignore[attr-defined]


class EndEpisodeForm(forms.Form):
    ended_on = forms.DateField(label="End date", widget=date_input())
    reason = forms.ChoiceField(
        label="Why it ended", choices=[("", "Choose a reason"), *EndReason.choices], widget=forms.Select
    )
    detail = forms.CharField(
        label="More detail",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if you chose Other.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


def _references(text: str) -> list[str]:
    return [part.upper() for part in re.split(r"[\s,;]+", text.strip()) if part]


class NoteForm(forms.Form):
    contact_date = forms.DateField(label="Date of the contact", widget=date_input())
    contact_time = forms.TimeField(
        label="Time of the contact",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="24-hour clock, for example 14:30.",
    )
    kind = forms.ChoiceField(label="Type of contact", choices=[("", "Choose the type"), *NoteKind.choices])
    body = forms.CharField(
        label="What happened", max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}), strip=False
    )
    private_to_service = forms.BooleanField(
        label="Private to my service",
        required=False,
        help_text="Only your service will be able to read it; others see only that a note exists.",
    )
    mentions = forms.CharField(
        label="Other people this note mentions",
        required=False,
        max_length=500,
        help_text="Their references only, separated by commas, for example WM-7K3Q9. Never write their details here.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["contact_date"].initial = now.date()
        self.fields["contact_time"].initial = now.strftime("%H:%M")

    def clean_mentions(self) -> list[str]:
        references = _references(self.cleaned_data.get("mentions", ""))
        bad = [ref for ref in references if not REFERENCE.match(ref)]
        if bad:
            raise forms.ValidationError(f"{', '.join(bad[:3])} is not a reference. References look like WM-7K3Q9.")
        return references

    def contact_at(self) -> datetime.datetime:
        day, time = self.cleaned_data["contact_date"], self.cleaned_data["contact_time"]
        return timezone.make_aware(datetime.datetime.combine(day, time))


class NoteFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Type", required=False, choices=[("", "All types"), *NoteKind.choices])
    service = forms.ChoiceField(label="Service", required=False)

    def __init__(self, *args: Any, services: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.public_id): s for s in services}
        self.fields["service"].choices = [("", "All services"), *((k, s.name) for k, s in self.services.items())]


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Activity", required=False)
    service = forms.ChoiceField(label="Service", required=False)

    def __init__(self, *args: Any, kinds: dict[str, str], services: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.public_id): s for s in services}
        self.fields["kind"].choices = [("", "All activity"), *kinds.items()]
        self.fields["service"].choices = [("", "All services"), *((k, s.name) for k, s in self.services.items())]
