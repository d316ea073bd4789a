"""Forms for registering a person and editing their details.

The forms only read what was typed; `people.services` validates and saves.
A date of birth is typed as day, month and year (any of the first two may be
left out), or as an estimated age.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from waymark.people.models import BirthDatePrecision, ImmigrationStatus, Person

NRPF_CHOICES = [("", "Not known"), ("yes", "Yes, no recourse to public funds"), ("no", "No, they can claim")]


def _text(label: str, *, max_length: int = 200, help_text: str = "", textarea: bool = False) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 3}) if textarea else forms.TextInput()
    return forms.CharField(label=label, max_length=max_length, required=False, help_text=help_text, widget=widget)


class _Number(forms.TextInput):
    """A whole number, typed with the number keypad (GOV.UK: not type=number)."""

    def __init__(self, width: int) -> None:
        super().__init__(attrs={"inputmode": "numeric"})


class PersonDetailsForm(forms.Form):
    """A person's details, as on the register and edit pages."""

    first_name = _text("First name")
    last_name = _text("Last name")
    known_as = _text("Known as", help_text="What they like to be called, or a street name.")
    description = _text(
        "Description",
        max_length=1000,
        textarea=True,
        help_text="If they have not given a name: for example 'man, 40s, green sleeping bag, by the station'.",
    )
    dob_day = forms.CharField(label="Day", required=False, max_length=2, widget=_Number(2))
    dob_month = forms.CharField(label="Month", required=False, max_length=2, widget=_Number(2))
    dob_year = forms.CharField(label="Year", required=False, max_length=4, widget=_Number(4))
    estimated_age = forms.CharField(
        label="Or their estimated age",
        required=False,
        max_length=3,
        widget=_Number(3),
        help_text="If they do not know or will not say their date of birth.",
    )
    gender = _text("Gender", max_length=100, help_text="As they describe it.")
    pronouns = _text("Pronouns", max_length=50, help_text="For example she/her, he/him, they/them.")
    nationality = _text("Nationality", max_length=100)
    immigration_status = forms.ChoiceField(
        label="Immigration status", choices=ImmigrationStatus.choices, required=False
    )
    no_recourse_to_public_funds = forms.ChoiceField(
        label="No recourse to public funds", choices=NRPF_CHOICES, required=False, widget=forms.RadioSelect
    )
    languages = _text("Languages", help_text="The languages they speak, the one they prefer first.")
    interpreter_needed = forms.BooleanField(label="They need an interpreter", required=False)
    phone = _text("Phone", max_length=40)
    email = forms.EmailField(label="Email", required=False, max_length=254)
    safe_contact = _text(
        "A safe way to reach them",
        max_length=2000,
        textarea=True,
        help_text="And anything to avoid, such as not leaving voicemails.",
    )
    last_settled_address = _text("Last settled address", max_length=2000, textarea=True)
    local_connection = forms.ModelChoiceField(
        label="Local connection", queryset=None, required=False, empty_label="Not known"
    )

    def __init__(self, *args: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["local_connection"].queryset = districts  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        """The form's starting values from a person's record."""
        initial: dict[str, Any] = {
            name: getattr(person, name)
            for name in (
                "first_name", "last_name", "known_as", "description", "gender", "pronouns", "nationality",
                "immigration_status", "languages", "interpreter_needed", "phone", "email", "safe_contact",
                "last_settled_address",
            )
        }  # fmt: skip
        initial["local_connection"] = person.local_connection_id
        nrpf = person.no_recourse_to_public_funds
        initial["no_recourse_to_public_funds"] = "" if nrpf is None else "yes" if nrpf else "no"
        d, precision = person.date_of_birth, person.birth_date_precision
        if d and precision in (BirthDatePrecision.EXACT, BirthDatePrecision.MONTH, BirthDatePrecision.YEAR):
            initial["dob_year"] = str(d.year)
            if precision != BirthDatePrecision.YEAR:
                initial["dob_month"] = str(d.month)
            if precision == BirthDatePrecision.EXACT:
                initial["dob_day"] = str(d.day)
        elif precision == BirthDatePrecision.ESTIMATED and person.estimated_age is not None:
            initial["estimated_age"] = str(person.estimated_age)
        return initial

    def _number(self, name: str) -> int | None:
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return None
        if not value.isdigit():
            self.add_error(name, "Use numbers only.")
            return None
        return int(value)

    def birth(self) -> dict[str, Any]:
        """The date-of-birth fields of the person, read from what was typed (partial dates allowed)."""
        day, month, year = self._number("dob_day"), self._number("dob_month"), self._number("dob_year")
        age = self._number("estimated_age")
        unknown = {
            "date_of_birth": None,
            "birth_date_precision": BirthDatePrecision.UNKNOWN,
            "estimated_age": None,
            "age_estimated_on": None,
        }
        if any(v is not None for v in (day, month, year)):
            if age is not None:
                self.add_error("estimated_age", "Give a date of birth or an estimated age, not both.")
            if year is None:
                self.add_error("dob_year", "The date of birth must include a year.")
                return unknown
            if day is not None and month is None:
                self.add_error("dob_month", "The date of birth must include a month if it has a day.")
                return unknown
            if year < 1000:
                self.add_error("dob_year", "Give the year in four digits, for example 1980.")
                return unknown
            try:
                value = datetime.date(year, month or 1, day or 1)
            except ValueError:
                self.add_error("dob_day" if day else "dob_month", "The date of birth must be a real date.")
                return unknown
            precision = (
                BirthDatePrecision.EXACT if day else BirthDatePrecision.MONTH if month else BirthDatePrecision.YEAR
            )
            return {**unknown, "date_of_birth": value, "birth_date_precision": precision}
        if age is not None:
            return {
                **unknown,
                "birth_date_precision": BirthDatePrecision.ESTIMATED,
                "estimated_age": age,
                "age_estimated_on": timezone.localdate(),
            }
        return unknown

    def person_data(self) -> dict[str, Any]:
        """The details for `people.services`, once `is_valid()`."""
        data = {
            name: self.cleaned_data.get(name, "")
            for name in (
                "first_name", "last_name", "known_as", "description", "gender", "pronouns", "nationality",
                "immigration_status", "languages", "phone", "email", "safe_contact", "last_settled_address",
            )
        }  # fmt: skip
        data["interpreter_needed"] = bool(self.cleaned_data.get("interpreter_needed"))
        data["local_connection"] = self.cleaned_data.get("local_connection")
        nrpf = self.cleaned_data.get("no_recourse_to_public_funds")
        data["no_recourse_to_public_funds"] = None if not nrpf else nrpf == "yes"
        data.update(self.birth())
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError next to the fields it names."""
        where = {"date_of_birth": "dob_year", "birth_date_precision": "dob_year", "age_estimated_on": "estimated_age"}
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            target = where.get(name, name)
            self.add_error(target if target in self.fields else None, messages)


class RegisterForm(PersonDetailsForm):
    """Registering a person: their details, and the answer to the duplicate check."""

    start_episode = forms.BooleanField(label="Start working with them now", required=False, initial=True)
    confirm_none = forms.BooleanField(label="None of these is the person I am registering", required=False)

    def seen(self) -> frozenset[str]:
        """Public ids of the possible matches the worker was shown (sent back with the form)."""
        values = self.data.getlist("seen") if hasattr(self.data, "getlist") else []
        return frozenset(value for value in values[:20] if len(value) <= 40)


class OtherNameForm(forms.Form):
    """Another name they have used; a row left empty is ignored."""

    first_name = _text("First name")
    last_name = _text("Last name")
    note = _text("Note", help_text="For example 'maiden name' or 'street name'.")


OtherNameFormSet = forms.formset_factory(OtherNameForm, extra=2, max_num=20, absolute_max=20)


class EditForm(PersonDetailsForm):
    """Editing a person's details, with the version the user started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
