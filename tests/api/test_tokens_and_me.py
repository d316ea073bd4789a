"""Personal API tokens (shown once, revocable, expiring) and /me/."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.conftest import signed_in
from waymark.access.models import ApiToken
from waymark.audit.models import AuditEvent, AuditKind


def test_a_token_is_created_its_key_shown_once_and_it_works(cast):
    client = token_client(cast.viewer)
    response = client.post("/api/v1/tokens/", {"name": "Nightly <export>", "days": 7}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    key = created["key"]
    assert key.startswith("wm_") and created["prefix"] == key[:10] and created["name"] == "Nightly <export>"
    assert AuditEvent.objects.filter(kind=AuditKind.API_TOKEN, object_id=created["id"]).exists()
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only its hash is kept
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert created["id"] in {t["id"] for t in listed}
    assert all("key" not in t for t in listed)
    assert "key" not in client.get(f"/api/v1/tokens/{created['id']}/").json()
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert other.get("/api/v1/me/").json()["username"] == "vic.viewer"


def test_token_requests_are_checked(cast):
    client = token_client(cast.viewer)
    for body in ({"name": ""}, {"name": "x", "days": 0}, {"name": "x", "days": 367}, {"name": "x" * 101}, {}):
        assert_error(client.post("/api/v1/tokens/", body, format="json"), 400)


def test_a_revoked_token_is_401_at_once(cast):
    client = token_client(cast.hostel_worker)
    token = ApiToken.objects.get(user=cast.hostel_worker)
    response = client.post(f"/api/v1/tokens/{token.public_id}/revoke/")
    assert response.status_code == 200 and response.json()["is_usable"] is False
    assert AuditEvent.objects.filter(kind=AuditKind.API_TOKEN, action__startswith="Revoked").exists()
    assert_error(client.get("/api/v1/me/"), 401)


def test_an_expired_token_is_401(cast):
    client = token_client(cast.hostel_worker)
    ApiToken.objects.filter(user=cast.hostel_worker).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(client.get("/api/v1/me/"), 401)


def test_tokens_are_private_to_their_owner(cast):
    token_client(cast.outreach_worker)
    theirs = ApiToken.objects.get(user=cast.outreach_worker)
    for who in (cast.area_admin, cast.viewer, cast.outsider):
        client = token_client(who)
        assert str(theirs.public_id) not in {t["id"] for t in client.get("/api/v1/tokens/").json()["results"]}
        assert_error(client.get(f"/api/v1/tokens/{theirs.public_id}/"), 404)
        assert_error(client.post(f"/api/v1/tokens/{theirs.public_id}/revoke/"), 404)
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_tokens_need_authentication(db):
    assert_error(APIClient().get("/api/v1/tokens/"), 401)
    assert_error(APIClient().post("/api/v1/tokens/", {"name": "x"}, format="json"), 401)


def test_me_says_who_and_for_which_service(cast):
    me = token_client(cast.manager).get("/api/v1/me/").json()
    assert me["username"] == "mo.manager" and me["is_area_admin"] is False
    assert me["organisation"]["name"] == "Harbour Housing" and me["area"]["name"] == "Greater Testshire"
    assert [s["name"] for s in me["services"]] == ["Harbour House"]
    assert me["current_service"]["id"] == str(cast.hostel.public_id)
    assert [(r["role"], r["service_name"]) for r in me["roles"]] == [("manager", "Harbour House")]


def test_me_for_someone_in_two_services_follows_the_header(cast):
    from waymark.access.constants import Role
    from waymark.access.models import Membership

    Membership.objects.create(user=cast.outreach_worker, area=cast.area, service=cast.hostel, role=Role.CONTRIBUTOR)
    client = token_client(cast.outreach_worker)
    assert client.get("/api/v1/me/").json()["current_service"]["name"] == "Harbour House"  # first by name
    chosen = client.get("/api/v1/me/", HTTP_X_WAYMARK_SERVICE=str(cast.outreach.public_id)).json()
    assert chosen["current_service"]["name"] == "Northway Street Team"
    not_mine = client.get("/api/v1/me/", HTTP_X_WAYMARK_SERVICE=str(cast.refuge.public_id))
    assert not_mine.status_code == 400, "a header naming a service that is not theirs is refused, not ignored"


def test_me_for_an_area_admin_and_by_session(cast):
    me = signed_in(cast.area_admin).get("/api/v1/me/").json()
    assert me["is_area_admin"] is True and me["services"] == [] and me["current_service"] is None
    assert me["roles"][0]["role"] == "area_admin" and me["roles"][0]["service"] is None


def test_me_needs_authentication(db):
    assert_error(APIClient().get("/api/v1/me/"), 401)


def test_a_service_header_naming_someone_elses_service_is_refused(cast):
    from tests.api.conftest import token_client

    client = token_client(cast.outreach_worker)
    response = client.get("/api/v1/me/", HTTP_X_WAYMARK_SERVICE=str(cast.hostel.public_id))
    assert response.status_code == 400
    assert "X-Waymark-Service" in response.json()["error"]["message"]
    assert client.get("/api/v1/me/", HTTP_X_WAYMARK_SERVICE=str(cast.outreach.public_id)).status_code == 200
