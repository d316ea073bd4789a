"""Forms for the record-protection pages: break-glass, restriction changes, who-looked filters."""

from __future__ import annotations

from typing import Any

from django import forms

from waymark.access.constants import Restriction
from waymark.access.models import BreakGlassReason, BreakGlassScope, Service
from waymark.access.services_record import EXPLANATION_MAX, REASON_MAX, GlassFilters
from waymark.audit.forms import DayRangeForm

# What each restriction means, shown next to its choice and on the confirmation page.
RESTRICTION_EFFECTS = {
    Restriction.NONE: "Services that share information can see the record in full.",
    Restriction.PROTECTED: (
        "Only services working with them see who they are. Others see only that a record exists and whom to contact."
    ),
    Restriction.HIDDEN: (
        "Only services working with them, and area admins, know the record exists. "
        "It does not appear for anyone else, not even in the duplicate check."
    ),
}


class BreakGlassForm(forms.Form):
    """Ask to read what the access model withholds: what, why, and a confirmation."""

    scope = forms.ChoiceField(
        label="What do you need to see?",
        choices=BreakGlassScope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you need to see.", "invalid_choice": "Choose what you need to see."},
    )
    reason = forms.ChoiceField(
        label="Why do you need to see it?",
        choices=BreakGlassReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason.", "invalid_choice": "Choose one of the reasons listed."},
    )
    explanation = forms.CharField(
        label="Explain what has happened and why you cannot wait",
        help_text="Say what you know and what you need the information for. "
        "The services working with this person and area admins will read this.",
        max_length=EXPLANATION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Explain why you need to see this now.",
            "max_length": f"Keep the explanation to {EXPLANATION_MAX} characters or fewer.",
        },
    )
    confirm = forms.BooleanField(
        label="I understand that this read is recorded, and shown to the services working with this person "
        "and to area admins",
        error_messages={"required": "Confirm that you understand this read is recorded and shown to others."},
    )

    def clean_explanation(self) -> str:
        return self.cleaned_data["explanation"].strip()


class RestrictionForm(forms.Form):
    """Choose the new restriction; the confirmation page comes next."""

    restriction = forms.ChoiceField(
        label="Restriction",
        choices=Restriction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a restriction.", "invalid_choice": "Choose a restriction."},
    )
    reason = forms.CharField(
        label="Reason for the change",
        help_text="Recorded in the audit log. Other services are never told why.",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Give the reason in at most {REASON_MAX} characters."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, reason_required: bool = False, current: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        self.reason_required = reason_required
        if reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = (
                "Give the reason for the change: area admins must say why."
            )
            self.fields[
                "reason"
            ].help_text = (
                "As an area admin you must say why. Recorded in the audit log; other services are never told why."
            )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()

    def clean_restriction(self) -> str:
        value = self.cleaned_data["restriction"]
        if value == self.current:
            raise forms.ValidationError(
                f"The record is already {Restriction(value).label.lower()}. Choose a different restriction.",
                code="unchanged",
            )
        return value


class WhoLookedFilterForm(DayRangeForm):
    """Narrow the who-looked lists by date and by the service that read the record. Sent by GET."""

    service = forms.ModelChoiceField(
        label="Service that looked",
        queryset=Service.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="Any service",
        error_messages={"invalid_choice": "Choose a service from the list."},
    )

    def __init__(self, *args: Any, services: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"].queryset = services  # type: ignore[attr-defined]

    def filters(self) -> GlassFilters:
        """The validated filters; call only after is_valid()."""
        data = self.cleaned_data
        return GlassFilters(date_from=data.get("date_from"), date_to=data.get("date_to"), service=data.get("service"))
