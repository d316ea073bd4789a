"""Signing in through the real form: audit, lock-out and unlock, rate limit, sign-out, deactivation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from waymark.access import services
from waymark.access.models import UserSession
from waymark.access.ratelimit import parse_rate
from waymark.audit.models import AuditEvent, AuditKind

LOGIN = "/accounts/login/"


def post_login(client: Client, username: str, password: str = PASSWORD, next_url: str = "", **extra):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data, **extra)


@pytest.fixture
def no_mfa(settings):
    settings.WAYMARK_REQUIRE_MFA = False


def test_the_login_page_renders_with_its_fields(db, client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'autocomplete="current-password"' in response.content


def test_it_signs_in_and_audits_it(cast, no_mfa):
    client = Client()
    response = post_login(client, "olive.outreach")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(kind=AuditKind.LOGIN)
    assert event.user_id == cast.outreach_worker.pk
    assert event.ip_address == "127.0.0.1"


def test_it_cycles_the_session_key_and_remembers_the_session(cast, no_mfa):
    from django.contrib.sessions.backends.db import SessionStore

    before = SessionStore()
    before["seen"] = True
    before.create()
    client = Client()
    client.cookies["sessionid"] = before.session_key
    post_login(client, "olive.outreach")
    key = client.cookies["sessionid"].value
    assert key != before.session_key, "a session key known before sign-in must not stay valid"
    assert not SessionStore().exists(before.session_key)
    assert UserSession.objects.filter(user=cast.outreach_worker, session_key=key).exists()


def test_a_wrong_password_is_refused_and_audited_without_the_password(cast):
    client = Client()
    response = post_login(client, "olive.outreach", "not-the-password-at-all")
    assert response.status_code == 200
    assert b"The username or password is not right" in response.content
    assert b'value="olive.outreach"' in response.content, "what the user typed stays on the form"
    assert b"not-the-password-at-all" not in response.content
    event = AuditEvent.objects.get(kind=AuditKind.LOGIN_FAILED)
    assert event.username == "olive.outreach"
    assert event.ip_address == "127.0.0.1"
    assert "not-the-password-at-all" not in str(event.detail) + event.action
    assert not AuditEvent.objects.filter(kind=AuditKind.LOGIN).exists()


def test_it_keeps_next_only_when_it_is_on_this_site(cast, no_mfa):
    response = post_login(Client(), "olive.outreach", next_url="/people/")
    assert response["Location"] == "/people/"
    response = post_login(Client(), "olive.outreach", next_url="https://evil.example.com/")
    assert response["Location"] == reverse("home")


def test_empty_and_oversized_input_gives_messages_not_errors(db, client):
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 200
    assert b"Enter your username" in response.content
    assert b"Enter your password" in response.content
    response = client.post(LOGIN, {"username": "<script>x</script>" * 700, "password": "x"})
    assert response.status_code == 200
    assert b"<script>x</script>" not in response.content
    assert b"A username is at most 150 characters" in response.content
    assert not AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).exists(), "never reached authenticate()"


def test_five_failures_lock_the_username_even_with_the_right_password(cast, no_mfa):
    client = Client()
    for _ in range(4):
        assert post_login(client, "olive.outreach", "wrong-password-here").status_code == 200
    fifth = post_login(client, "olive.outreach", "wrong-password-here")
    assert fifth.status_code == 403
    assert b"Signing in is locked for now" in fifth.content
    assert b"wait 15 minutes" in fifth.content
    assert b"area admin" in fifth.content
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKED_OUT, username="olive.outreach").exists()

    sixth = post_login(client, "olive.outreach", PASSWORD)
    assert sixth.status_code == 403
    assert b"Signing in is locked for now" in sixth.content
    assert client.get(reverse("home")).status_code == 302, "still not signed in"
    assert services.is_locked_out(cast.outreach_worker)


def test_a_lock_out_is_per_username_not_per_address(cast, no_mfa):
    client = Client()
    for _ in range(5):
        post_login(client, "olive.outreach", "wrong-password-here")
    # A colleague in the same office (same address) still signs in.
    assert post_login(Client(), "harry.hostel").status_code == 302


def test_an_area_admin_unlock_lets_them_in_again(cast, no_mfa):
    client = Client()
    for _ in range(5):
        post_login(client, "olive.outreach", "wrong-password-here")
    assert post_login(client, "olive.outreach").status_code == 403

    services.unlock_user(cast.area_admin, cast.outreach_worker)
    assert not services.is_locked_out(cast.outreach_worker)
    assert AuditEvent.objects.filter(kind=AuditKind.ADMIN, action__startswith="Unlocked").exists()

    response = post_login(client, "olive.outreach")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_only_an_area_admin_can_unlock(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.unlock_user(cast.manager, cast.hostel_worker)


def test_too_many_attempts_from_one_address_get_429(cast, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"},
    }
    client = Client()
    for name in ("a.one", "b.two", "c.three"):
        assert post_login(client, name, "wrong-password-here").status_code == 200
    response = post_login(client, "d.four", "wrong-password-here")
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert b'value="d.four"' in response.content
    # Not counted towards a lock-out: the over-limit attempt was never tried.
    assert not AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED, username="d.four").exists()
    # Another address is not affected.
    assert post_login(Client(REMOTE_ADDR="10.1.2.3"), "olive.outreach", REMOTE_ADDR="10.1.2.3").status_code == 302


def test_parse_rate():
    assert parse_rate("30/min") == (30, 60)
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate("100/hour") == (100, 3600)
    with pytest.raises(ValueError):
        parse_rate("lots")


def test_sign_out_is_audited_and_post_only(cast, no_mfa):
    client = Client()
    post_login(client, "olive.outreach")
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert client.get(reverse("home")).status_code == 302
    event = AuditEvent.objects.get(kind=AuditKind.LOGOUT)
    assert event.user_id == cast.outreach_worker.pk


def test_deactivating_a_user_ends_their_live_session_at_once(cast, no_mfa):
    client = Client()
    post_login(client, "olive.outreach")
    assert client.get(reverse("home")).status_code == 200
    key = client.cookies["sessionid"].value

    services.deactivate_user(cast.area_admin, cast.outreach_worker, reason="Left the organisation")

    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    # And the password no longer works.
    assert post_login(Client(), "olive.outreach").status_code == 200


def test_the_demo_login_page_says_mfa_is_off(db, client, settings):
    settings.WAYMARK_DEMO = True
    settings.WAYMARK_REQUIRE_MFA = False
    response = client.get(LOGIN)
    assert b"This is a demonstration. Multi-factor authentication is off" in response.content
