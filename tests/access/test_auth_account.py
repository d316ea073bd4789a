"""The account page: roles, changing your password, and personal API tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import PASSWORD
from waymark.access.models import ApiToken
from waymark.access.services import create_api_token
from waymark.audit.models import AuditEvent, AuditKind

NEW_PASSWORD = "lantern orchard velvet 42"


def api_list_url() -> str:
    """The people endpoint once it exists (a later issue), else one that exists now."""
    try:
        resolve("/api/v1/people/")
    except Resolver404:
        return "/api/v1/organisations/"
    return "/api/v1/people/"


def test_the_account_page_shows_name_services_and_roles(cast):
    response = signed_in(cast.manager).get(reverse("account"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "mo.manager" in content
    assert "Harbour House" in content
    assert "Manager" in content or "manager" in content
    assert "Change your password" in content
    assert "Create an API token" in content


def test_anonymous_is_sent_to_sign_in(db, client):
    for url in ("/accounts/", "/accounts/password/", "/accounts/tokens/new/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- password -------------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_is_audited(cast):
    client = signed_in(cast.hostel_worker)
    response = client.post(
        reverse("password-change"),
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("account")).status_code == 200, "still signed in here"
    cast.hostel_worker.refresh_from_db()
    assert cast.hostel_worker.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(kind=AuditKind.ADMIN, action__startswith="Set the password").exists()


def test_changing_the_password_signs_out_other_sessions(cast):
    elsewhere = signed_in(cast.hostel_worker)
    here = signed_in(cast.hostel_worker)
    here.post(
        reverse("password-change"),
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert elsewhere.get(reverse("home")).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"current_password": "wrong", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
            "Your current password is not right",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"},
            "at least 12 characters",
        ),
        (
            {"current_password": PASSWORD, "new_password": "password1234", "new_password_again": "password1234"},
            "too common",
        ),
        (
            {"current_password": PASSWORD, "new_password": "harry.hostel1", "new_password_again": "harry.hostel1"},
            "too similar",
        ),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD + "x"},
            "not the same",
        ),
        ({"current_password": "", "new_password": "", "new_password_again": ""}, "Enter your current password"),
    ],
)
def test_a_bad_new_password_is_explained_next_to_the_field(cast, data, message):
    response = signed_in(cast.hostel_worker).post(reverse("password-change"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b"govuk-error-summary" in response.content
    cast.hostel_worker.refresh_from_db()
    assert cast.hostel_worker.check_password(PASSWORD)


# --- API tokens ---------------------------------------------------------------------


def create_token_through_the_page(client: Client, name: str = "Report script", days: str = "") -> tuple[str, str]:
    form = client.get(reverse("account-token-new"))
    assert form.status_code == 200
    response = client.post(reverse("account-token-new"), {"name": name, "days": days or "30"})
    assert response.status_code == 302, response.content
    created_url = response["Location"]
    page = client.get(created_url)
    assert page.status_code == 200
    key = re.search(r'id="token-key">(wm_[A-Za-z0-9_-]+)<', page.content.decode()).group(1)
    return created_url, key


def test_the_token_form_suggests_the_default_expiry(cast, settings):
    settings.WAYMARK_API_TOKEN_DAYS = 45
    response = signed_in(cast.hostel_worker).get(reverse("account-token-new"))
    assert b'value="45"' in response.content


def test_a_token_key_is_shown_once_and_works_for_the_api(cast):
    client = signed_in(cast.hostel_worker)
    created_url, key = create_token_through_the_page(client)
    token = ApiToken.objects.get(user=cast.hostel_worker)
    assert token.prefix == key[:10]
    assert key not in token.key_hash
    assert (token.expires_at - timezone.now()) > timedelta(days=29)

    again = client.get(created_url)
    assert again.status_code == 200
    assert key.encode() not in again.content
    assert b"cannot be shown again" in again.content
    assert key.encode() not in client.get(reverse("account")).content

    account = client.get(reverse("account")).content.decode()
    assert "Report script" in account
    assert token.prefix in account
    assert "Active" in account

    api = Client()
    assert api.get(api_list_url(), HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_a_revoked_token_cannot_be_used(cast):
    client = signed_in(cast.hostel_worker)
    _, key = create_token_through_the_page(client)
    token = ApiToken.objects.get(user=cast.hostel_worker)
    api = Client()
    assert api.get(api_list_url(), HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    confirm = client.get(reverse("account-token-revoke", args=[token.public_id]))
    assert confirm.status_code == 200
    assert b"stops working at once" in confirm.content
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None, "GET only asks"
    response = client.post(reverse("account-token-revoke", args=[token.public_id]))
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert "Revoked" in client.get(reverse("account")).content.decode()
    assert AuditEvent.objects.filter(kind=AuditKind.API_TOKEN, action__startswith="Revoked").exists()

    assert api.get(api_list_url(), HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_bad_token_input_is_explained_and_kept(cast):
    client = signed_in(cast.hostel_worker)
    response = client.post(reverse("account-token-new"), {"name": "", "days": "1000"})
    assert response.status_code == 200
    assert b"Enter a name for the token" in response.content
    assert b"A token lasts at most 366 days" in response.content
    assert b'value="1000"' in response.content
    response = client.post(reverse("account-token-new"), {"name": "<b>x</b> 🙂", "days": "ninety"})
    assert b"whole number" in response.content
    assert b"&lt;b&gt;x&lt;/b&gt; \xf0\x9f\x99\x82" in response.content
    assert not ApiToken.objects.exists()


def test_another_users_token_cannot_be_seen_or_revoked(cast):
    token, _ = create_api_token(cast.hostel_worker, "Mine")
    for who in (cast.outreach_worker, cast.outsider, cast.area_admin):
        client = signed_in(who)
        assert client.get(reverse("account-token-revoke", args=[token.public_id])).status_code == 404
        assert client.post(reverse("account-token-revoke", args=[token.public_id])).status_code == 404
        assert client.get(reverse("account-token-created", args=[token.public_id])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_token_shows_as_expired_and_does_not_work(cast):
    token, key = create_api_token(cast.hostel_worker, "Old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "Expired" in signed_in(cast.hostel_worker).get(reverse("account")).content.decode()
    assert Client().get(api_list_url(), HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
