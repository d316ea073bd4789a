"""People over the API obey the access model: full, "exists, contact…", or not at all (404)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from waymark.audit.models import AuditEvent, AuditKind

NAMES = ("Priya", "Shah", "Hana", "Kaur")
# who: (ordinary person, protected person, hidden person), as "full", "exists" or None (404).
EXPECTED = {
    "outreach_worker": ("full", "exists", None),
    "viewer": ("full", "exists", None),
    "refuge_worker": ("full", "full", "full"),
    "area_admin": ("full", "full", "full"),
    "solo_worker": (None, None, None),
    "analyst": (None, None, None),
    "outsider": (None, None, None),
}


def _people(cast):
    return (cast.person, cast.protected_person, cast.hidden_person)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_person_is_seen_as_the_access_model_says(cast, who):
    client = token_client(getattr(cast, who))
    listed = {row["id"]: row for row in client.get("/api/v1/people/").json()["results"]}
    for person, expected in zip(_people(cast), EXPECTED[who], strict=True):
        response = client.get(f"/api/v1/people/{person.public_id}/")
        if expected is None:
            assert_error(response, 404, "not_found")
            assert str(person.public_id) not in listed
            assert person.first_name not in response.content.decode()
            continue
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["visibility"] == expected == listed[str(person.public_id)]["visibility"]
        assert body["reference"] == person.reference
        if expected == "full":
            assert body["first_name"] == person.first_name
        else:
            assert set(body) == {"id", "reference", "visibility", "restriction", "contacts"}
            assert set(listed[str(person.public_id)]) == set(body)
            for text in (response.content.decode(), str(listed[str(person.public_id)])):
                assert not any(name in text for name in NAMES)
            assert body["contacts"][0]["service_name"] == "Safe Haven"


def test_opening_a_record_is_audited_and_listing_is_not_an_open(cast):
    client = token_client(cast.outreach_worker)
    client.get("/api/v1/people/")
    assert not AuditEvent.objects.filter(kind=AuditKind.READ).exists()
    client.get(f"/api/v1/people/{cast.person.public_id}/")
    client.get(f"/api/v1/people/{cast.protected_person.public_id}/")
    events = AuditEvent.objects.filter(kind=AuditKind.READ, username="olive.outreach")
    assert {e.person_reference for e in events} == {cast.person.reference, cast.protected_person.reference}
    assert all(e.service_name == "Northway Street Team" for e in events)
    client.get(f"/api/v1/people/{cast.hidden_person.public_id}/")
    assert events.count() == 2


def test_search_by_name_never_finds_a_protected_record_by_its_name(cast):
    client = token_client(cast.outreach_worker)

    def found(q):
        return [row["reference"] for row in client.get("/api/v1/people/", {"q": q}).json()["results"]]

    assert found("moss") == [cast.person.reference]
    assert found("Priya") == []
    assert found("Hana") == []
    assert found(cast.protected_person.reference) == [cast.protected_person.reference]
    assert found(cast.hidden_person.reference) == []
    assert (
        token_client(cast.refuge_worker).get("/api/v1/people/", {"q": "Priya"}).json()["results"][0]["first_name"]
        == "Priya"
    )
    assert_error(client.get("/api/v1/people/", {"q": "x" * 201}), 400)


def test_people_cannot_be_deleted_or_replaced_through_the_api(cast):
    client = token_client(cast.outreach_worker)
    assert_error(client.put(f"/api/v1/people/{cast.person.public_id}/", {"first_name": "X"}, format="json"), 405)
    assert_error(client.delete(f"/api/v1/people/{cast.person.public_id}/"), 405)


def test_anonymous_gets_401_on_people(cast):
    assert_error(APIClient().get("/api/v1/people/"), 401)
    assert_error(APIClient().get(f"/api/v1/people/{cast.person.public_id}/"), 401)
