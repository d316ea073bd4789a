"""The administration endpoints: read for members of the area, write for area admins, audited.

Each endpoint is probed by anonymous (401), an outsider from another area
(404 on this area's records, nothing in lists), a viewer and a worker (403 on
writes), and an area admin (writes work and are audited).
"""

from __future__ import annotations

import base64
import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from waymark.access.constants import Role
from waymark.access.models import Membership, Organisation, Service, SharingAgreement, User
from waymark.audit.models import AuditEvent, AuditKind


@dataclass
class Endpoint:
    name: str
    record: Callable[[Any], Any]  # a record of the cast's area
    new: Callable[[Any], dict]  # a valid body for create
    change: dict | None  # a valid body for partial update, or None when the endpoint has none


def _membership(cast):
    return Membership.objects.get(user=cast.viewer)


ENDPOINTS = [
    Endpoint(
        "organisations",
        lambda c: c.outreach.organisation,
        lambda c: {"name": "Riverside Trust"},
        {"name": "Northway Outreach CIC"},
    ),
    Endpoint("districts", lambda c: c.district, lambda c: {"name": "Newtown", "code": "E08000099"}, {"code": "E1"}),
    Endpoint(
        "services",
        lambda c: c.hostel,
        lambda c: {"name": "Night Shelter", "kind": "hostel", "organisation": str(c.hostel.organisation.public_id)},
        {"contact_phone": "0161 000 0000", "caseload_limit": 30},
    ),
    Endpoint(
        "sharing-agreements",
        lambda c: SharingAgreement.objects.filter(organisation=c.outreach.organisation).first(),
        lambda c: {"organisation": str(c.solo.organisation.public_id), "version": "2026.2", "signed_on": "2026-01-05"},
        {"signed_by": "A. Trustee"},
    ),
    Endpoint(
        "users",
        lambda c: c.viewer,
        lambda c: {
            "username": "nia.new",
            "first_name": "Nia",
            "last_name": "New",
            "email": "nia@example.org",
            "organisation": str(c.hostel.organisation.public_id),
        },
        {"job_title": "Team leader"},
    ),
    Endpoint(
        "memberships",
        _membership,
        lambda c: {"user": str(c.viewer.public_id), "role": "viewer", "service": str(c.hostel.public_id)},
        None,
    ),
]
IDS = [e.name for e in ENDPOINTS]


def url(endpoint: Endpoint, record: Any = None, action: str = "") -> str:
    base = f"/api/v1/{endpoint.name}/"
    if record is not None:
        base += f"{record.public_id}/"
    return base + (f"{action}/" if action else "")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_anonymous_gets_401_everywhere(cast, endpoint):
    client = APIClient()
    record = endpoint.record(cast)
    assert_error(client.get(url(endpoint)), 401)
    assert_error(client.get(url(endpoint, record)), 401)
    assert_error(client.post(url(endpoint), endpoint.new(cast), format="json"), 401)
    if endpoint.change is not None:
        assert_error(client.patch(url(endpoint, record), endpoint.change, format="json"), 401)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_an_outsider_sees_nothing_of_this_area(cast, endpoint):
    client = token_client(cast.outsider)  # an area admin, of another area
    record = endpoint.record(cast)
    listing = client.get(url(endpoint)).json()["results"]
    if endpoint.name == "users":
        assert [u["id"] for u in listing] == [str(cast.outsider.public_id)]
    elif endpoint.name == "memberships":
        assert {m["user"] for m in listing} == {str(cast.outsider.public_id)}
    else:
        assert listing == []
    assert_error(client.get(url(endpoint, record)), 404, "not_found")
    if endpoint.change is not None:
        assert_error(client.patch(url(endpoint, record), endpoint.change, format="json"), 404)
        assert_error(client.put(url(endpoint, record), endpoint.new(cast), format="json"), 404)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("who", ["viewer", "outreach_worker", "analyst", "coordinator"])
def test_members_who_are_not_admins_cannot_write(cast, endpoint, who):
    client = token_client(getattr(cast, who))
    before = AuditEvent.objects.filter(kind=AuditKind.ADMIN).count()
    assert_error(client.post(url(endpoint), endpoint.new(cast), format="json"), 403, "permission_denied")
    record = endpoint.record(cast)
    if endpoint.change is not None:
        response = client.patch(url(endpoint, record), endpoint.change, format="json")
        # Users a worker may not see are out of sight (404); otherwise the answer is no (403).
        assert response.status_code in (403, 404)
        assert_error(response, response.status_code)
    assert AuditEvent.objects.filter(kind=AuditKind.ADMIN).count() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.name != "users"], ids=[i for i in IDS if i != "users"])
def test_every_member_of_the_area_may_read(cast, endpoint):
    client = token_client(cast.viewer)
    record = endpoint.record(cast)
    response = client.get(url(endpoint, record))
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(record.public_id)
    ids = {row["id"] for row in client.get(url(endpoint), {"page_size": 200}).json()["results"]}
    assert str(record.public_id) in ids


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_an_area_admin_creates_and_changes_and_it_is_audited(cast, endpoint):
    client = token_client(cast.area_admin)
    response = client.post(url(endpoint), endpoint.new(cast), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    for key, value in endpoint.new(cast).items():
        assert created[key] == value
    assert "pk" not in created and isinstance(uuid.UUID(created["id"]), uuid.UUID)
    event = AuditEvent.objects.get(kind=AuditKind.ADMIN, object_id=created["id"])
    assert event.username == cast.area_admin.username
    assert client.get(f"/api/v1/{endpoint.name}/{created['id']}/").json() == created

    if endpoint.change is not None:
        response = client.patch(f"/api/v1/{endpoint.name}/{created['id']}/", endpoint.change, format="json")
        assert response.status_code == 200, response.content
        for key, value in endpoint.change.items():
            assert response.json()[key] == value
        assert AuditEvent.objects.filter(kind=AuditKind.ADMIN, object_id=created["id"]).count() == 2


def test_a_full_update_replaces_the_fields(cast):
    client = token_client(cast.area_admin)
    district = cast.district
    response = client.put(f"/api/v1/districts/{district.public_id}/", {"name": "Testford Borough"}, format="json")
    assert response.status_code == 200, response.content
    district.refresh_from_db()
    assert district.name == "Testford Borough"
    assert_error(client.put(f"/api/v1/districts/{district.public_id}/", {"code": "X"}, format="json"), 400)


def test_ids_of_other_areas_are_not_accepted_as_references(cast):
    from tests.factories import OrganisationFactory

    foreign = OrganisationFactory(area=cast.outsider.area, name="Far Away")
    client = token_client(cast.area_admin)
    body = {"name": "Sneaky", "kind": "hostel", "organisation": str(foreign.public_id)}
    error = assert_error(client.post("/api/v1/services/", body, format="json"), 400)
    assert error["fields"]["organisation"] == ["No record with this id is available to you."]
    body["organisation"] = "not-a-uuid"
    assert_error(client.post("/api/v1/services/", body, format="json"), 400)
    assert not Service.objects.filter(name="Sneaky").exists()


def test_wrong_json_types_are_400_not_guessed(cast):
    client = token_client(cast.area_admin)
    org = str(cast.hostel.organisation.public_id)
    for body in (
        {"name": 12},
        {"name": "Ok", "is_active": "yes"},
    ):
        assert_error(client.post("/api/v1/organisations/", body, format="json"), 400)
    body = {"name": "Typed", "kind": "hostel", "organisation": org, "caseload_limit": "20"}
    assert_error(client.post("/api/v1/services/", body, format="json"), 400)


def test_agreement_dates_are_checked(cast):
    client = token_client(cast.area_admin)
    body = {
        "organisation": str(cast.solo.organisation.public_id),
        "version": "3",
        "signed_on": "2026-05-01",
        "expires_on": "2026-04-01",
    }
    error = assert_error(client.post("/api/v1/sharing-agreements/", body, format="json"), 400)
    assert "expires_on" in error["fields"]


def test_a_weak_password_is_refused_on_the_password_field(cast):
    client = token_client(cast.area_admin)
    body = {"username": "weak.pass", "password": "password"}
    error = assert_error(client.post("/api/v1/users/", body, format="json"), 400)
    assert "password" in error["fields"]
    assert not User.objects.filter(username="weak.pass").exists()
    body["password"] = "a long and unusual pass phrase"
    response = client.post("/api/v1/users/", body, format="json")
    assert response.status_code == 201 and "password" not in response.json()
    assert User.objects.get(username="weak.pass").check_password("a long and unusual pass phrase")


# --- users and memberships -------------------------------------------------------------


def test_users_are_seen_as_the_access_model_says(cast):
    def usernames(user):
        rows = token_client(user).get("/api/v1/users/", {"page_size": 200}).json()["results"]
        return {row["username"] for row in rows}

    assert usernames(cast.viewer) == {"vic.viewer"}
    assert usernames(cast.manager) == {"mo.manager", "harry.hostel"}
    assert {"vic.viewer", "olive.outreach", "ada.admin"} <= usernames(cast.area_admin)
    assert "otto.outsider" not in usernames(cast.area_admin)
    assert_error(token_client(cast.viewer).get(f"/api/v1/users/{cast.outreach_worker.public_id}/"), 404)


def test_deactivating_a_user_ends_their_token_at_once(cast):
    worker = token_client(cast.outreach_worker)
    assert worker.get("/api/v1/me/").status_code == 200
    admin = token_client(cast.area_admin)
    response = admin.post(
        f"/api/v1/users/{cast.outreach_worker.public_id}/deactivate/", {"reason": "Left"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    assert_error(worker.get("/api/v1/me/"), 401)
    event = AuditEvent.objects.get(kind=AuditKind.ADMIN, action__startswith="Deactivated")
    assert event.detail["reason"] == "Left" and event.detail["tokens_revoked"] == 1
    assert {u["username"] for u in admin.get("/api/v1/users/", {"is_active": "false"}).json()["results"]} == {
        "olive.outreach"
    }
    response = admin.post(f"/api/v1/users/{cast.outreach_worker.public_id}/reactivate/", format="json")
    assert response.json()["is_active"] is True
    assert_error(worker.get("/api/v1/me/"), 401)  # the old token stays revoked


def test_deactivating_a_user_ends_their_sessions_too(cast):
    from tests.conftest import signed_in
    from waymark.access.services import remember_session

    browser = signed_in(cast.viewer)
    remember_session(cast.viewer, browser.session.session_key, "127.0.0.1")
    assert browser.get("/api/v1/me/").status_code == 200
    token_client(cast.area_admin).post(f"/api/v1/users/{cast.viewer.public_id}/deactivate/", format="json")
    assert_error(browser.get("/api/v1/me/"), 401)


def test_only_area_admins_deactivate_or_unlock(cast):
    for action in ("deactivate", "reactivate", "unlock"):
        response = token_client(cast.manager).post(f"/api/v1/users/{cast.hostel_worker.public_id}/{action}/")
        assert_error(response, 403)
    response = token_client(cast.area_admin).post(f"/api/v1/users/{cast.hostel_worker.public_id}/unlock/")
    assert response.status_code == 200 and response.json() == {"cleared": 0}


def test_a_manager_adds_and_ends_members_of_their_own_service_only(cast):
    manager = token_client(cast.manager)
    body = {"user": str(cast.viewer.public_id), "role": Role.CONTRIBUTOR, "service": str(cast.hostel.public_id)}
    response = manager.post("/api/v1/memberships/", body, format="json")
    assert response.status_code == 201, response.content
    membership = response.json()
    assert membership["ended_at"] is None and membership["service_name"] == "Harbour House"
    assert AuditEvent.objects.filter(kind=AuditKind.ADMIN, object_id=membership["id"]).exists()

    body["service"] = str(cast.outreach.public_id)
    assert_error(manager.post("/api/v1/memberships/", body, format="json"), 403)
    area_wide = {"user": str(cast.viewer.public_id), "role": Role.AREA_ADMIN}
    assert_error(manager.post("/api/v1/memberships/", area_wide, format="json"), 403)

    response = manager.post(f"/api/v1/memberships/{membership['id']}/end/")
    assert response.status_code == 200 and response.json()["ended_at"] is not None
    outreach_role = Membership.objects.get(user=cast.outreach_worker)
    assert_error(manager.post(f"/api/v1/memberships/{outreach_role.public_id}/end/"), 404)
    assert_error(token_client(cast.hostel_worker).post(f"/api/v1/memberships/{membership['id']}/end/"), 403)


def test_an_area_admin_gives_area_roles_and_cannot_remove_their_own(cast):
    admin = token_client(cast.area_admin)
    body = {"user": str(cast.viewer.public_id), "role": Role.COORDINATOR}
    response = admin.post("/api/v1/memberships/", body, format="json")
    assert response.status_code == 201 and response.json()["service"] is None
    assert_error(admin.post("/api/v1/memberships/", body, format="json"), 400)  # already held
    own = Membership.objects.get(user=cast.area_admin)
    assert_error(admin.post(f"/api/v1/memberships/{own.public_id}/end/"), 400)
    mismatched = {"user": str(cast.viewer.public_id), "role": Role.CONTRIBUTOR}
    error = assert_error(admin.post("/api/v1/memberships/", mismatched, format="json"), 400)
    assert "service" in error["fields"]


# --- filters and pages ------------------------------------------------------------------------


def test_filters(cast):
    client = token_client(cast.viewer)

    def names(path, **params):
        return {row["name"] for row in client.get(path, params).json()["results"]}

    assert names("/api/v1/services/", kind="hostel") == {"Harbour House"}
    assert names("/api/v1/services/", organisation=str(cast.refuge.organisation.public_id)) == {"Safe Haven"}
    assert names("/api/v1/services/", restricted="true") == {"Safe Haven"}
    assert names("/api/v1/services/", q="harbour") == {"Harbour House"}
    assert names("/api/v1/organisations/", q="solo") == {"Solo Trust"}
    current = client.get("/api/v1/sharing-agreements/", {"current": "false"}).json()["results"]
    assert [a["organisation_name"] for a in current] == ["Solo Trust"]
    roles = client.get("/api/v1/memberships/", {"active": "true", "role": "viewer"}).json()["results"]
    assert [r["user"] for r in roles] == [str(cast.viewer.public_id)]
    for path, params in (
        ("/api/v1/services/", {"kind": "castle"}),
        ("/api/v1/services/", {"organisation": "nope"}),
        ("/api/v1/services/", {"organisation": ""}),
        ("/api/v1/organisations/", {"is_active": "perhaps"}),
        ("/api/v1/organisations/", {"q": "x" * 201}),
        ("/api/v1/memberships/", {"role": "emperor"}),
    ):
        error = assert_error(client.get(path, params), 400)
        assert set(error["fields"]) == set(params)


def test_cursor_pages_are_stable_and_never_show_internal_ids(cast):
    client = token_client(cast.area_admin)
    for n in range(7):
        Organisation.objects.create(area=cast.area, name=f"Extra {n}")
    seen: list[str] = []
    response = client.get("/api/v1/organisations/", {"page_size": 3}).json()
    while True:
        seen += [row["id"] for row in response["results"]]
        if not response["next"]:
            break
        cursor = parse_qs(urlparse(response["next"]).query)["cursor"][0]
        decoded = base64.b64decode(cursor + "==").decode()
        assert all(str(o.pk) not in decoded.split("&") for o in Organisation.objects.all())
        assert "p=20" in decoded  # a creation time, not a primary key
        response = client.get(response["next"]).json()
    assert len(seen) == len(set(seen)) == Organisation.objects.filter(area=cast.area).count()
    assert_error(client.get("/api/v1/organisations/", {"cursor": "not base64!"}), 404)
    assert_error(client.get("/api/v1/organisations/", {"page_size": "0"}), 400)
    assert_error(client.get("/api/v1/organisations/", {"page_size": "201"}), 400)


# --- hostile input -----------------------------------------------------------------------------------

HOSTILE = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "Robert'); DROP TABLE access_organisation;--",
    "100% _wild_ \\ 'quoted' \"double\"",
    "Zoë 🏠🛏️ Ñandú",
    "مأوى الليل",  # right-to-left
    "\u202eevil\u202c",
    "x" * 10_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: t[:12])
def test_hostile_text_is_stored_exactly_or_refused_never_500(cast, text):
    client = token_client(cast.area_admin)
    response = client.post("/api/v1/organisations/", {"name": text}, format="json")
    if len(text) > 200:
        error = assert_error(response, 400)
        assert "name" in error["fields"]
    else:
        assert response.status_code == 201, response.content
        assert response.json()["name"] == text
        assert client.get(f"/api/v1/organisations/{response.json()['id']}/").json()["name"] == text
        assert Organisation.objects.get(public_id=response.json()["id"]).name == text
    body = {
        "name": text[:200],
        "kind": "drop_in",
        "organisation": str(cast.hostel.organisation.public_id),
        "contact_phone": text,
    }
    response = client.post("/api/v1/services/", body, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        assert response.json()["contact_phone"] == text
    user = {"username": "hostile", "first_name": text, "last_name": text, "job_title": text}
    response = client.post("/api/v1/users/", user, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        assert response.json()["first_name"] == text
    for path in ("/api/v1/organisations/", "/api/v1/users/", "/api/v1/services/", "/api/v1/people/"):
        response = client.get(path, {"q": text})
        assert response.status_code in (200, 400), response.content


def test_control_characters_are_refused_not_stored(cast):
    client = token_client(cast.area_admin)
    assert_error(client.post("/api/v1/organisations/", {"name": "nul\x00byte"}, format="json"), 400)
    assert_error(client.get("/api/v1/people/", {"q": "nul\x00byte"}), 400)
    assert_error(client.get("/api/v1/organisations/", {"q": "nul\x00byte"}), 400)


def test_dates_out_of_range_are_400(cast):
    client = token_client(cast.area_admin)
    body = {"organisation": str(cast.solo.organisation.public_id), "version": "9", "signed_on": "99999-01-01"}
    assert_error(client.post("/api/v1/sharing-agreements/", body, format="json"), 400)
    body["signed_on"] = datetime.date.max.isoformat()
    assert client.post("/api/v1/sharing-agreements/", body, format="json").status_code == 201
