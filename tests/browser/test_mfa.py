"""Multi-factor authentication in the browser: set up an authenticator, then sign in with it."""

from __future__ import annotations

import time

import pytest
from django.urls import NoReverseMatch, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the user's phone would show; a step ahead when the current code was just used."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def test_set_up_an_authenticator_then_sign_in_with_a_code(cast, page, settings):
    try:
        reverse("mfa-setup")
    except NoReverseMatch:
        pytest.fail("/accounts/mfa/setup/ (mfa-setup) is missing: MFA set-up is part of issue 3")
    settings.WAYMARK_REQUIRE_MFA = True
    user = cast.hostel_worker
    problems: list[str] = []

    sign_in(page, user)
    page.goto("/people/")
    assert "/accounts/mfa/setup/" in page.url, f"a user with no authenticator was not sent to set one up: {page.url}"
    problems += [f"set-up page: {line}" for line in axe_violations(page)]
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    page.get_by_label("Code from your authenticator app").fill("000000" if code_for(device) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    assert page.locator(".govuk-error-summary").is_visible(), "a wrong code must be refused with an error summary"
    problems += [f"set-up page with an error: {line}" for line in axe_violations(page)]
    page.wait_for_timeout(1_500)  # django-otp refuses any code for a second after a wrong one

    page.get_by_label("Code from your authenticator app").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    assert "/accounts/recovery-codes/" in page.url, page.url
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    problems += [f"recovery codes page: {line}" for line in axe_violations(page)]
    page.get_by_role("link", name="continue").click()
    assert "/accounts/" not in page.url or page.url.rstrip("/").endswith("/accounts"), page.url
    assert "Signed in as" in page.inner_text("body")

    # Signing in again asks for a code, which the authenticator now gives.
    page.context.clear_cookies()
    sign_in(page, user)
    assert "/accounts/mfa/" in page.url, f"signing in did not ask for a code: {page.url}"
    problems += [f"code page: {line}" for line in axe_violations(page)]
    page.get_by_label("Code").fill(code_for(device, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    assert "/accounts/mfa/" not in page.url, page.inner_text("main")[:500]
    page.goto("/people/")
    assert page.url.endswith("/people/")
    assert not problems, "Serious or critical accessibility violations:\n  " + "\n  ".join(problems)
