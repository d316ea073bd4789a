"""Forms for the administration pages.

Plain forms rather than ModelForms: a ModelForm writes the typed values onto
the instance while validating, and the services need the unchanged instance to
audit what changed. Field limits are taken from the models so they cannot drift.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet

from waymark.access import services
from waymark.access.constants import AREA_ROLES, SERVICE_ROLES, Role, ServiceKind
from waymark.access.models import District, Organisation, Service, SharingAgreement, User

SEARCH_MAX = 200


def model_field(model: type[Model], name: str, **kwargs: Any) -> forms.Field:
    """The form field a model field would make, with its length limit and help text."""
    field = cast(Any, model._meta.get_field(name)).formfield(**kwargs)
    assert field is not None
    return field


def date_field(model: type[Model], name: str, **kwargs: Any) -> forms.Field:
    return model_field(model, name, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def set_queryset(form: forms.Form, name: str, queryset: QuerySet) -> None:
    """Limit a choice field to what the user may see (the class attribute offers nothing)."""
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


def choice_label(value: str) -> str:
    return dict(Role.choices).get(value, value)


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name if obj.is_active else f"{obj.name} (inactive)"


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class UniqueNameMixin:
    """Says plainly, next to the field, that a name is taken, instead of a generic error."""

    unique_message = "That name is already in use. Choose another."

    def check_unique_name(self, name: str, existing: QuerySet, instance: Model | None) -> str:
        if instance is not None:
            existing = existing.exclude(pk=instance.pk)
        if existing.filter(name__iexact=name).exists():
            raise forms.ValidationError(self.unique_message, code="unique")
        return name


# What to say when a required field is left empty, by field name (GOV.UK: say what to do).
REQUIRED = {
    "organisation": "Choose an organisation.",
    "name": "Enter a name.",
    "kind": "Choose what kind of service this is.",
    "version": "Enter the version of the agreement that was signed.",
    "signed_on": "Enter the date the agreement was signed.",
    "username": "Enter a username.",
    "password": "Enter a password.",
    "password_again": "Type the password again.",
    "reason": "Say why the account is being deactivated.",
    "role": "Choose a role.",
}


class FriendlyForm(forms.Form):
    """Gives required fields a message that says what to do."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in REQUIRED:
                field.error_messages["required"] = REQUIRED[name]


# --- search and filter forms for lists ------------------------------------------------


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=SEARCH_MAX, strip=True)

    def value(self, name: str, default: Any = None) -> Any:
        """A filter's value when it is valid; an invalid filter is ignored, never an error page."""
        self.is_valid()
        return self.cleaned_data.get(name) or default


class ServiceFilterForm(SearchForm):
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *ServiceKind.choices])
    organisation = OrganisationChoiceField(
        label="Organisation",
        required=False,
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        empty_label="Any organisation",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organisation", services.organisations_visible_to(user))


class UserFilterForm(SearchForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active and inactive"), ("active", "Active"), ("inactive", "Inactive")],
    )


class AgreementFilterForm(SearchForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any"), ("current", "In force"), ("expired", "Expired"), ("future", "Not yet in force")],
    )


# --- organisations, districts, services, agreements -------------------------------------


class AreaObjectForm(FriendlyForm):
    """A form to add (no `instance`) or change an object of the user's area."""

    def __init__(self, *args: Any, user: Any, instance: Model | None = None, **kwargs: Any) -> None:
        self.user, self.instance = user, instance
        super().__init__(*args, **kwargs)


class OrganisationForm(UniqueNameMixin, AreaObjectForm):
    name = model_field(Organisation, "name")
    is_active = model_field(
        Organisation,
        "is_active",
        label="Active",
        help_text="An inactive organisation's services cannot be used and its members see nothing.",
    )

    unique_message = "An organisation with this name already exists in your area."

    def clean_name(self) -> str:
        return self.check_unique_name(
            self.cleaned_data["name"], services.organisations_visible_to(self.user), self.instance
        )


class DistrictForm(UniqueNameMixin, AreaObjectForm):
    name = model_field(District, "name")
    code = model_field(District, "code", label="ONS code")

    unique_message = "A district with this name already exists in your area."

    def clean_name(self) -> str:
        return self.check_unique_name(
            self.cleaned_data["name"], services.districts_visible_to(self.user), self.instance
        )


class ServiceForm(UniqueNameMixin, AreaObjectForm):
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(), to_field_name="public_id", empty_label="Choose an organisation"
    )
    district = forms.ModelChoiceField(
        queryset=District.objects.none(), to_field_name="public_id", required=False, empty_label="No district"
    )
    name = model_field(Service, "name")
    kind = forms.ChoiceField(choices=[("", "Choose a kind"), *ServiceKind.choices])
    restricted = model_field(Service, "restricted", label="Restricted (for example a refuge)")
    hidden_work = model_field(Service, "hidden_work", label="Hide this service's work")
    contact_phone = model_field(Service, "contact_phone", label="Contact phone number")
    contact_email = model_field(Service, "contact_email", label="Contact email address")
    caseload_limit = model_field(
        Service,
        "caseload_limit",
        label="Caseload limit per worker",
        min_value=0,
        max_value=10_000,
        # GOV.UK advise a text input over type=number, which mangles some values.
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    is_active = model_field(Service, "is_active", label="Active")

    unique_message = "This organisation already has a service with this name."

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        set_queryset(self, "organisation", services.organisations_visible_to(user))
        set_queryset(self, "district", services.districts_visible_to(user))
        self.fields["contact_phone"].widget.input_type = "tel"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation, name = data.get("organisation"), data.get("name")
        if organisation is not None and name:
            try:
                self.check_unique_name(name, Service.objects.filter(organisation=organisation), self.instance)
            except forms.ValidationError as exc:
                self.add_error("name", exc)
        return data


class AgreementForm(AreaObjectForm):
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(), to_field_name="public_id", empty_label="Choose an organisation"
    )
    version = model_field(SharingAgreement, "version")
    signed_on = date_field(SharingAgreement, "signed_on", label="Date signed")
    expires_on = date_field(
        SharingAgreement, "expires_on", label="Expiry date", help_text="Leave empty if it does not expire."
    )
    signed_by = model_field(SharingAgreement, "signed_by", label="Signed by", help_text="Name and job title.")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        set_queryset(self, "organisation", services.organisations_visible_to(user))


# --- users ------------------------------------------------------------------------------


class PasswordFieldsMixin(FriendlyForm):
    """A new password typed twice. The services apply the password validators."""

    password_required = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("password", "password_again"):
            self.fields[name].required = self.password_required
            # Stops the browser offering the admin's own saved password.
            self.fields[name].widget.attrs["autocomplete"] = "new-password"

    password = forms.CharField(
        label="New password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="At least 12 characters. Avoid common passwords and anything like the user's name.",
    )
    password_again = forms.CharField(
        label="Type the password again", max_length=128, strip=False, widget=forms.PasswordInput(render_value=False)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, again = data.get("password"), data.get("password_again")
        if first and first != again:
            self.add_error("password_again", "The passwords do not match.")
        elif first and not again:
            self.add_error("password_again", "Type the password again.")
        return data


class UserForm(FriendlyForm):
    username = model_field(User, "username")
    first_name = model_field(User, "first_name", label="First name")
    last_name = model_field(User, "last_name", label="Last name")
    email = model_field(User, "email", label="Email address")
    job_title = model_field(User, "job_title", label="Job title")
    phone = model_field(User, "phone", label="Phone number")
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(), to_field_name="public_id", required=False, empty_label="None"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organisation", services.organisations_visible_to(user))
        self.fields["phone"].widget.input_type = "tel"
        self.fields["username"].help_text = "Letters, digits and @ . + - _ only; 150 characters or fewer."


class NewUserForm(PasswordFieldsMixin, UserForm):
    password_required = False
    field_order = [*UserForm.base_fields, "password", "password_again"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = "Initial password"
        self.fields["password"].help_text = (
            "Optional. Without one the user cannot sign in until a password is set. "
            "At least 12 characters; avoid common passwords and anything like their name."
        )


class SetPasswordForm(PasswordFieldsMixin):
    pass


class DeactivateForm(FriendlyForm):
    reason = forms.CharField(
        label="Why is this account being deactivated?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, left the organisation on 31 March. Kept in the audit log.",
    )


# --- memberships --------------------------------------------------------------------------


class MembershipForm(FriendlyForm):
    """An area admin gives a user any role: in a service, or area-wide."""

    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])
    service = ServiceChoiceField(
        queryset=Service.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="None (area-wide role)",
        help_text="Needed for a worker, viewer or service manager. Leave empty for an area-wide role.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "service", services.services_visible_to(user).filter(is_active=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, service = data.get("role"), data.get("service")
        if role in SERVICE_ROLES and service is None and "service" not in self.errors:
            self.add_error("service", f"Choose the service this {choice_label(role).lower()} works in.")
        if role in AREA_ROLES and service is not None:
            self.add_error("service", f"{choice_label(role)} is an area-wide role: leave the service empty.")
        return data


MANAGER_ROLES = [(r.value, r.label) for r in (Role.CONTRIBUTOR, Role.VIEWER, Role.MANAGER)]


class ServiceMemberForm(FriendlyForm):
    """A service manager adds an existing user of the area to their service."""

    username = model_field(User, "username", help_text="Their exact username. Search above if you are not sure.")
    role = forms.ChoiceField(choices=[("", "Choose a role"), *MANAGER_ROLES])

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        self.candidates = candidates
        super().__init__(*args, **kwargs)

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        found = self.candidates.filter(username__iexact=username).first()
        if found is None:
            raise forms.ValidationError("No active user in your area has this username.")
        return found
