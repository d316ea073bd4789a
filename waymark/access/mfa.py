"""Multi-factor authentication: TOTP authenticator apps and one-time recovery codes.

Built on django-otp. Views call these functions; each one audits what it did.
A recovery code is a StaticToken: django-otp deletes it when it is used, so it
works once.
"""

from __future__ import annotations

import re
from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.audit.models import AuditKind
from waymark.audit.services import record

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
ISSUER = "Waymark"

# A TOTP code is all digits; recovery codes are letters and digits (base32).
_TOTP_RE = re.compile(r"^\d{6}$")


def normalise_code(code: str) -> str:
    """What people type: spaces and dashes (as codes are shown grouped) removed, lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def has_authenticator(user: Any) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user: Any) -> bool:
    """A user must pass MFA when it is required for everyone, or when they set it up themselves."""
    return bool(settings.WAYMARK_REQUIRE_MFA) or has_authenticator(user)


def pending_authenticator(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator being set up, created on first call.

    Reused on every visit so the QR code someone has already scanned stays valid.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    label = f"{ISSUER}:{device.user.get_username()}"
    params = urlencode(
        {
            "secret": secret_of(device),
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        }
    )
    return f"otpauth://totp/{quote(label)}?{params}"


def secret_of(device: TOTPDevice) -> str:
    """The secret in base32, as authenticator apps expect it typed in."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def secret_for_reading(device: TOTPDevice) -> str:
    """The secret in groups of four, easier to type in by hand."""
    secret = secret_of(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The QR code as inline SVG (no image request, nothing for CSP to allow)."""
    qr = segno.make(provisioning_uri(device), error="m")
    svg = qr.svg_inline(
        scale=5,
        border=4,
        dark="#0b0c0c",
        light="#ffffff",
        svgclass="wm-qr-code",
        lineclass=None,
        title="QR code for your authenticator app",
    )
    # segno's output is built from our own values (no user text reaches the
    # markup: the username is only inside the encoded QR pattern).
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


@transaction.atomic
def confirm_authenticator(user: Any, device: TOTPDevice, code: str) -> str:
    """Confirm a new authenticator with a code from it. Replaces any older authenticator.

    Returns "" when it is confirmed, otherwise what to tell the user. Audited either way.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        record(AuditKind.MFA, "Multi-factor set-up failed: too many wrong codes", user=user)
        return "There have been several wrong codes in a row. Wait a minute, then try again."
    if device.verify_token(normalise_code(code)):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        record(AuditKind.MFA, "Set up multi-factor authentication", user=user, obj=device)
        return ""
    record(AuditKind.MFA, "Multi-factor set-up failed: wrong code", user=user)
    return (
        "The code is not right. Check the app shows Waymark, then enter the code it shows now "
        "(codes change every 30 seconds)."
    )


def verify_code(user: Any, code: str) -> tuple[Device | None, str]:
    """Check a code from the user's authenticator, or one of their recovery codes.

    Returns (the device that accepted it, "") or (None, why not). A recovery
    code is deleted once used. Every outcome is audited.
    """
    code = normalise_code(code)
    if not code:
        return None, "Enter the 6-digit code from your authenticator app, or a recovery code."
    # Sending a recovery code to the TOTP device (or the reverse) would count as
    # a failure there and throttle the next honest try, so route by shape.
    model: type[Device] = TOTPDevice if _TOTP_RE.match(code) else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.select_for_update().filter(user=user, confirmed=True))
        throttled = False
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    record(
                        AuditKind.MFA,
                        "Used a recovery code",
                        user=user,
                        obj=device,
                        detail={"recovery_codes_left": left},
                    )
                else:
                    record(AuditKind.MFA, "Passed multi-factor authentication", user=user, obj=device)
                return device, ""
    record(
        AuditKind.MFA,
        "Multi-factor authentication failed",
        user=user,
        detail={"kind": "authenticator" if model is TOTPDevice else "recovery code", "throttled": throttled},
    )
    if throttled:
        return None, "There have been several wrong codes in a row. Wait a minute, then try again."
    if model is TOTPDevice:
        return None, "The code is not right. Codes change every 30 seconds: enter the one your app shows now."
    return None, "The recovery code is not right, or it has already been used. Each recovery code works once."


@transaction.atomic
def new_recovery_codes(user: Any) -> list[str]:
    """Replace the user's recovery codes with 10 new ones. The old ones stop working.

    The codes are returned so they can be shown once.
    """
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    record(AuditKind.MFA, "Created new recovery codes", user=user, obj=device, detail={"count": len(codes)})
    return codes


def recovery_codes_left(user: Any) -> int:
    """How many unused recovery codes the user has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def readable_code(code: str) -> str:
    """A recovery code shown in two groups of four: 'abcd efgh'."""
    return f"{code[:4]} {code[4:]}" if len(code) == 8 else code
