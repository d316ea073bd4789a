"""Signing in and out, the second factor, the session keep-alive and the account page.

Thin views: the rules live in access/services.py (passwords, API tokens,
sessions) and access/mfa.py (authenticator apps and recovery codes), which
audit what they do. Sign-in, failures, lock-outs and sign-out are audited by
access/signals.py, whatever path the sign-in took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from waymark.access import mfa
from waymark.access import services as access_services
from waymark.access.forms_auth import ApiTokenForm, CodeForm, PasswordChangeForm, SetupCodeForm, SignInForm
from waymark.access.models import ApiToken, Membership
from waymark.access.ratelimit import login_attempt_over_limit
from waymark.core.context import client_ip

View = Callable[..., HttpResponse]

# --- helpers ---------------------------------------------------------------------


def safe_next(request: HttpRequest, value: str | None, default: str | None = None) -> str:
    """Where to go next: the address asked for if it is on this site, otherwise the home page."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def second_factor_due(request: HttpRequest) -> bool:
    """Whether this signed-in session still has to pass MFA before doing anything else."""
    user = request.user
    # Just after login() the user is not yet wrapped by OTPMiddleware: not verified.
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return False
    return bool(settings.WAYMARK_REQUIRE_MFA or request.session.get("mfa_pending"))


def mfa_url(next_url: str) -> str:
    return f"{reverse('mfa')}?{urlencode({'next': next_url})}"


def verified_required(view: View) -> View:
    """Signed in, and past the second factor when one is due (these pages are under /accounts/,
    which the MFA middleware leaves open for the sign-in pages themselves)."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if second_factor_due(request):
            return redirect(mfa_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


def _after_second_factor(request: HttpRequest, device: Any) -> None:
    """Mark the session verified, and give it a new key so a key seen before MFA is worthless."""
    otp_login(request, device)
    request.session.pop("mfa_pending", None)
    request.session.cycle_key()
    access_services.remember_session(request.user, request.session.session_key, client_ip(request))  # type: ignore[arg-type]


# --- signing in and out ------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """Username and password, through django-axes (lock-out) and a per-address rate limit."""

    template_name = "access/login.html"
    form_class = SignInForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if login_attempt_over_limit(client_ip(request)):
            # Not validated: authenticating would count towards a lock-out the
            # account's owner did not cause.
            form = self.form_class(request)
            form.initial = {"username": request.POST.get("username", "")[:150]}
            context = self.get_context_data(form=form, rate_limited=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        super().form_valid(form)  # signs in (new session key) and sends user_logged_in
        next_url = self.get_success_url()
        if second_factor_due(self.request):
            return HttpResponseRedirect(mfa_url(next_url))
        return HttpResponseRedirect(next_url)


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only). The idle-timeout dialog posts reason=idle to explain why on the next page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        idle = request.POST.get("reason") == "idle"
        if idle:
            request.waymark_logout_reason = "idle"  # type: ignore[attr-defined]
        response = super().post(request, *args, **kwargs)
        if idle:
            messages.info(request, "You were signed out after a period without activity. Sign in again to continue.")
        else:
            messages.success(request, "You have signed out.")
        return response


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes calls this (AXES_LOCKOUT_CALLABLE) when a username is locked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "access/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=403,
    )


@never_cache
@login_required
def keepalive(request: HttpRequest) -> HttpResponse:
    """The idle-timeout dialog's "Stay signed in": restarts the idle timer now."""
    request.session["last_activity"] = int(time.time())
    return JsonResponse({"ok": True, "idle_seconds": settings.WAYMARK_SESSION_IDLE_MINUTES * 60})


# --- the second factor ------------------------------------------------------------


@never_cache
@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Enter a code from the authenticator app or a recovery code; set one up if there is none."""
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"))
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(next_url)
    if not mfa.has_authenticator(request.user):
        return redirect(f"{reverse('mfa-setup')}?{urlencode({'next': next_url})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, problem = mfa.verify_code(request.user, form.cleaned_data["code"])
        if device is not None:
            _after_second_factor(request, device)
            if isinstance(device, StaticDevice):
                left = mfa.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    f"You used a recovery code. It will not work again. You have {left} left"
                    + (": make new ones from your account page." if left <= 3 else "."),
                )
            return redirect(next_url)
        form.add_error("code", problem)
    return render(request, "access/mfa_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: QR code and secret, then a first code to confirm it."""
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"))
    # Someone who knows only the password must not be able to swap the authenticator.
    if mfa.has_authenticator(request.user) and not request.user.is_verified():  # type: ignore[union-attr]
        return redirect(mfa_url(next_url))
    device = mfa.pending_authenticator(request.user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = mfa.confirm_authenticator(request.user, device, form.cleaned_data["code"])
        if not problem:
            _after_second_factor(request, device)
            request.session["recovery_codes"] = mfa.new_recovery_codes(request.user)
            request.session["recovery_codes_next"] = next_url
            messages.success(request, "Your authenticator app is set up.")
            return redirect("mfa-recovery-codes")
        form.add_error("code", problem)
    return render(
        request,
        "access/mfa_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": mfa.qr_code_svg(device),
            "secret": mfa.secret_for_reading(device),
            "replacing": mfa.has_authenticator(request.user),
        },
    )


@never_cache
@verified_required
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show new recovery codes, once: they are taken out of the session as they are shown."""
    codes = request.session.pop("recovery_codes", None)
    next_url = safe_next(request, request.session.pop("recovery_codes_next", None), reverse("account"))
    if not codes:
        messages.info(request, "Recovery codes are shown only once. If you have lost yours, make new ones.")
        return redirect("account")
    return render(
        request,
        "access/mfa_recovery_codes.html",
        {"codes": [mfa.readable_code(code) for code in codes], "next": next_url},
    )


@never_cache
@verified_required
def mfa_recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """Confirm, then replace the recovery codes (the old ones stop working)."""
    if not mfa.has_authenticator(request.user):
        messages.info(request, "Set up an authenticator app first; recovery codes come with it.")
        return redirect("account")
    if request.method == "POST":
        request.session["recovery_codes"] = mfa.new_recovery_codes(request.user)
        request.session["recovery_codes_next"] = reverse("account")
        return redirect("mfa-recovery-codes")
    return render(request, "access/mfa_recovery_new.html", {"left": mfa.recovery_codes_left(request.user)})


# --- the account page ---------------------------------------------------------------


@verified_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: roles, password, MFA and API tokens."""
    user: Any = request.user
    memberships = (
        Membership.objects.active()
        .filter(user=user)
        .select_related("service", "service__organisation")
        .order_by("service__name", "role")
    )
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(
        request,
        "access/account.html",
        {
            "memberships": memberships,
            "tokens": tokens,
            "has_authenticator": mfa.has_authenticator(user),
            "recovery_codes_left": mfa.recovery_codes_left(user),
        },
    )


@verified_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change your own password; this session stays signed in, every other one ends."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user: Any = request.user
            access_services.set_password(user, user, form.cleaned_data["new_password"])
        except ValidationError as exc:
            form.add_error("new_password", exc.messages)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            access_services.remember_session(request.user, request.session.session_key, client_ip(request))  # type: ignore[arg-type]
            messages.success(
                request,
                "Your password has been changed. You are still signed in here; "
                "anywhere else you were signed in has been signed out.",
            )
            return redirect("account")
    return render(request, "access/account_password.html", {"form": form})


# --- personal API tokens ---------------------------------------------------------------


@verified_required
def token_new(request: HttpRequest) -> HttpResponse:
    """Create a personal API token; its key is shown on the next page, once."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = access_services.create_api_token(
                request.user,
                form.cleaned_data["name"],
                form.cleaned_data["days"],  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Held in the session only until the next page shows it (and removes it).
            request.session["new_api_token"] = {"id": str(token.public_id), "key": key}
            return redirect("account-token-created", public_id=token.public_id)
    return render(request, "access/token_new.html", {"form": form})


@never_cache
@verified_required
def token_created(request: HttpRequest, public_id: str) -> HttpResponse:
    """The new token's key, shown this once."""
    token = get_object_or_404(ApiToken, public_id=public_id, user=request.user)
    held = request.session.get("new_api_token") or {}
    key = None
    if held.get("id") == str(token.public_id):
        key = held["key"]
        del request.session["new_api_token"]
    # Without the key (a second visit) the page says why it cannot be shown again.
    return render(request, "access/token_created.html", {"token": token, "key": key})


@verified_required
def token_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    """Confirm, then revoke one of your own tokens. Anything using it stops working at once."""
    token = get_object_or_404(ApiToken, public_id=public_id, user=request.user)
    if request.method == "POST":
        access_services.revoke_api_token(request.user, token)
        messages.success(request, f"The token “{token.name}” has been revoked.")
        return redirect("account")
    return render(request, "access/token_revoke.html", {"token": token})
