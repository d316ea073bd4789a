"""Multi-factor authentication: set-up with a real TOTP code, verification, recovery codes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import signed_in
from tests.factories import PASSWORD
from waymark.access import mfa
from waymark.audit.models import AuditEvent, AuditKind

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def mfa_required(settings):
    settings.WAYMARK_REQUIRE_MFA = True


def api_list_url() -> str:
    """The people endpoint once it exists (a later issue), else one that exists now."""
    from django.urls import Resolver404, resolve

    try:
        resolve("/api/v1/people/")
    except Resolver404:
        return "/api/v1/organisations/"
    return "/api/v1/people/"


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    """The code the user's phone would show now (drift: that many 30-second steps ahead)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return str(value).zfill(device.digits)


def code_at_step(device: TOTPDevice, t: int) -> str:
    """The code for one 30-second step, whatever the time now (a slow test may cross a step)."""
    from django_otp.oath import TOTP

    token = TOTP(device.bin_key, device.step, device.t0, device.digits)
    token.time = device.t0 + t * device.step
    return str(token.token()).zfill(device.digits)


def password_login(username: str, next_url: str = "") -> tuple[Client, object]:
    client = Client()
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client, client.post(LOGIN, data)


def set_up_authenticator(username: str) -> tuple[Client, TOTPDevice, list[str]]:
    """Sign in, add the authenticator, and return the recovery codes shown."""
    client, _ = password_login(username)
    client.get(reverse("mfa-setup"))
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    response = client.post(reverse("mfa-setup"), {"code": code_for(device), "next": "/"})
    assert response.status_code == 302, response.content
    page = client.get(response["Location"])
    codes = re.findall(r"<code>([a-z2-7]{4} [a-z2-7]{4})</code>", page.content.decode())
    device.refresh_from_db()
    return client, device, codes


def test_required_mfa_sends_a_new_user_to_set_up_an_authenticator(cast):
    client, response = password_login("olive.outreach", next_url="/people/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/?next=%2Fpeople%2F"
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/setup/?next=%2Fpeople%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"<svg" in page.content and b"wm-qr-code" in page.content
    device = TOTPDevice.objects.get(user=cast.outreach_worker, confirmed=False)
    assert mfa.secret_for_reading(device).encode() in page.content


def test_until_mfa_is_passed_every_page_redirects_to_it(cast):
    client, _ = password_login("olive.outreach")
    for url in ("/", "/people/", "/accounts/", "/accounts/tokens/new/", "/accounts/password/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/mfa/?next="), url
    # A password alone must not be enough to make an API token or use the API.
    response = client.post("/accounts/tokens/new/", {"name": "sneaky", "days": 30})
    assert response.status_code == 302
    assert not cast.outreach_worker.api_tokens.exists()
    assert client.get(api_list_url()).status_code in (401, 403)


def test_setting_up_with_a_real_code_verifies_the_session_and_shows_recovery_codes_once(cast):
    client, _ = password_login("olive.outreach")
    client.get(reverse("mfa-setup"))
    key_before = client.cookies["sessionid"].value
    device = TOTPDevice.objects.get(user=cast.outreach_worker, confirmed=False)

    wrong = client.post(reverse("mfa-setup"), {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert b"The code is not right" in wrong.content
    device.throttle_reset()  # the wrong try above throttles the device for a second

    response = client.post(reverse("mfa-setup"), {"code": code_for(device), "next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa-recovery-codes")
    assert client.cookies["sessionid"].value != key_before, "the session key changes after MFA"
    device.refresh_from_db()
    assert device.confirmed

    page = client.get(reverse("mfa-recovery-codes"))
    assert page.status_code == 200
    codes = re.findall(r"<code>([a-z2-7]{4} [a-z2-7]{4})</code>", page.content.decode())
    assert len(codes) == 10
    assert b"only time these codes are shown" in page.content
    assert b'href="/people/"' in page.content
    again = client.get(reverse("mfa-recovery-codes"))
    assert again.status_code == 302, "codes are shown once"

    assert client.get("/people/").status_code == 200
    actions = list(AuditEvent.objects.filter(kind=AuditKind.MFA).values_list("action", flat=True))
    assert "Set up multi-factor authentication" in actions
    assert "Multi-factor set-up failed: wrong code" in actions
    assert "Created new recovery codes" in actions


def test_a_user_with_an_authenticator_enters_a_code_at_sign_in(cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _, device, _ = set_up_authenticator("olive.outreach")

    client, response = password_login("olive.outreach", next_url="/people/")
    assert response["Location"] == "/accounts/mfa/?next=%2Fpeople%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Enter your security code" in page.content

    wrong = client.post(response["Location"], {"code": "12345"})
    assert wrong.status_code == 200
    assert b"recovery code is not right" in wrong.content
    assert AuditEvent.objects.filter(kind=AuditKind.MFA, action="Multi-factor authentication failed").exists()

    # The set-up used step `last_t`; its code replayed is refused, the next step's is accepted.
    assert client.post(response["Location"], {"code": code_at_step(device, device.last_t)}).status_code == 200
    ok = client.post(response["Location"], {"code": code_at_step(device, device.last_t + 1), "next": "/people/"})
    assert ok.status_code == 302
    assert ok["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    assert AuditEvent.objects.filter(kind=AuditKind.MFA, action="Passed multi-factor authentication").exists()


def test_a_user_cannot_replace_the_authenticator_with_only_a_password(cast):
    set_up_authenticator("olive.outreach")
    client, _ = password_login("olive.outreach")
    response = client.get(reverse("mfa-setup"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/?next=")
    assert TOTPDevice.objects.filter(user=cast.outreach_worker).count() == 1


def test_a_recovery_code_works_once(cast):
    _, _, codes = set_up_authenticator("olive.outreach")
    assert len(codes) == 10

    client, response = password_login("olive.outreach")
    ok = client.post(response["Location"], {"code": codes[0].upper()})  # typed in capitals, with the space
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(kind=AuditKind.MFA, action="Used a recovery code")
    assert event.detail["recovery_codes_left"] == 9
    assert mfa.recovery_codes_left(cast.outreach_worker) == 9

    client, response = password_login("olive.outreach")
    again = client.post(response["Location"], {"code": codes[0]})
    assert again.status_code == 200
    assert b"already been used" in again.content
    assert client.get("/").status_code == 302


def test_next_after_mfa_stays_on_this_site(cast):
    client, _ = password_login("olive.outreach")
    client.get(reverse("mfa-setup"))
    device = TOTPDevice.objects.get(user=cast.outreach_worker, confirmed=False)
    client.post(reverse("mfa-setup") + "?next=https://evil.example.com/", {"code": code_for(device)})
    page = client.get(reverse("mfa-recovery-codes"))
    assert b"evil.example.com" not in page.content
    assert b'href="/"' in page.content


def test_when_mfa_is_not_required_a_user_without_an_authenticator_goes_straight_in(cast, settings):
    settings.WAYMARK_REQUIRE_MFA = False
    client, response = password_login("olive.outreach")
    assert response["Location"] == "/"
    assert client.get("/people/").status_code == 200


def test_when_mfa_is_not_required_a_user_can_set_it_up_and_is_then_asked_for_it(cast, settings):
    settings.WAYMARK_REQUIRE_MFA = False
    client, _ = password_login("olive.outreach")
    account = client.get("/accounts/")
    assert b"Set up an authenticator app" in account.content
    assert b"not required here" in account.content
    set_up_authenticator("olive.outreach")

    client, response = password_login("olive.outreach")
    assert response["Location"].startswith("/accounts/mfa/?next=")
    assert client.get("/people/")["Location"].startswith("/accounts/mfa/?next=")


def test_the_account_page_makes_new_recovery_codes_and_the_old_ones_stop_working(cast):
    client = signed_in(cast.hostel_worker)
    old = mfa.new_recovery_codes(cast.hostel_worker)
    confirm = client.get(reverse("mfa-recovery-codes-new"))
    assert confirm.status_code == 200
    assert b"old recovery codes will stop working" in confirm.content
    response = client.post(reverse("mfa-recovery-codes-new"))
    assert response["Location"] == reverse("mfa-recovery-codes")
    page = client.get(response["Location"])
    new = [c.replace(" ", "") for c in re.findall(r"<code>([a-z2-7]{4} [a-z2-7]{4})</code>", page.content.decode())]
    assert len(new) == 10
    stored = set(StaticToken.objects.filter(device__user=cast.hostel_worker).values_list("token", flat=True))
    assert stored == set(new)
    assert not stored & set(old)


def test_recovery_codes_need_an_authenticator_first(cast, settings):
    settings.WAYMARK_REQUIRE_MFA = False
    client, _ = password_login("olive.outreach")
    response = client.post(reverse("mfa-recovery-codes-new"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    assert not StaticToken.objects.filter(device__user=cast.outreach_worker).exists()


def test_anonymous_is_sent_to_sign_in_from_the_mfa_pages(db, client):
    for url in ("/accounts/mfa/", "/accounts/mfa/setup/", "/accounts/recovery-codes/", "/accounts/recovery-codes/new/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url


def test_repeated_wrong_codes_are_throttled(cast):
    _, device, _ = set_up_authenticator("olive.outreach")
    client, response = password_login("olive.outreach")
    client.post(response["Location"], {"code": "000001"})
    throttled = client.post(response["Location"], {"code": code_for(device, drift=1)})
    assert throttled.status_code == 200
    assert b"several wrong codes in a row" in throttled.content
