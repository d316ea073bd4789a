"""Forms for signing in, the second factor, passwords and API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class SignInForm(AuthenticationForm):
    """Username and password. Django's form passes the request to authenticate(), which axes needs."""

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        # Django sets max_length after the field is built, so it is never validated:
        # an over-long name would reach authenticate() and overflow axes' columns.
        self.fields["username"].validators.append(
            MaxLengthValidator(150, message="A username is at most 150 characters")
        )
        # Autofocus skips the skip link and surprises screen reader users (GOV.UK advice).
        self.fields["username"].widget.attrs.pop("autofocus", None)
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        self.error_messages = {
            "invalid_login": (
                "The username or password is not right. Check them and try again. After "
                f"{settings.AXES_FAILURE_LIMIT} wrong tries in a row, signing in is locked for {minutes} minutes."
            ),
            "inactive": "This account has been closed. Ask your area admin if you need it again.",
        }


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        error_messages={
            "required": "Enter the code from your authenticator app",
            "max_length": "That code is too long",
        },
        widget=forms.TextInput(attrs={"inputmode": "text", "spellcheck": "false", "autocapitalize": "none"}),
    )


class SetupCodeForm(forms.Form):
    """The first code from a newly added authenticator, to prove it is set up right."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        help_text="The 6-digit code the app shows for Waymark.",
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )


class PasswordChangeForm(forms.Form):
    """Change your own password: the current one, then the new one twice."""

    current_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your current password"},
    )
    new_password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput,
        help_text=(
            "At least 12 characters. Not a common password, not all numbers, "
            "and not like your name or username. A few unrelated words work well."
        ),
        error_messages={"required": "Enter a new password"},
    )
    new_password_again = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter the new password again"},
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Your current password is not right")
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", "The two new passwords are not the same")
        return data


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for, and how long it lasts."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you recognise it later. For example, 'Monthly report script'.",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "The name can be at most 100 characters",
        },
    )
    days = forms.IntegerField(
        label="Days until it expires",
        min_value=1,
        max_value=366,
        help_text="Between 1 and 366 days. Make a new token when it expires.",
        error_messages={
            "required": "Enter how many days the token lasts",
            "invalid": "Enter the number of days as a whole number, like 90",
            "min_value": "A token lasts at least 1 day",
            "max_value": "A token lasts at most 366 days",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.WAYMARK_API_TOKEN_DAYS
