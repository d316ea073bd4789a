"""Street contacts over the REST API: recording (idempotent), reading, filtering, linking, and who sees what."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.outreach.conftest import contact
from tests.outreach.helpers import DAY, SEES, at, one_of_each_kind
from waymark.audit.models import AuditEvent
from waymark.outreach.models import StreetContact

CONTACTS = "/api/v1/contacts/"


def acting(user, service):
    """A token client acting for `service`, as an integration names it."""
    client = token_client(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {client.token_key}", HTTP_X_WAYMARK_SERVICE=str(service.public_id))
    return client


def body(cast, **changes) -> dict:
    data = {
        "seen_at": "2025-03-12T23:40:00Z",
        "seen_doing": "bedded_down",
        "person": str(cast.person.public_id),
        "latitude": 53.48,
        "longitude": -2.24,
        "place": "Doorway of 12 High Street",
        "site_type": "doorway",
        "actions": ["conversation", "referral_made"],
        "needs": ["mental_health"],
    }
    data.update(changes)
    return data


# --- recording ---------------------------------------------------------------------------------


def test_recording_a_contact_returns_it(cast, testford_outline):
    client = acting(cast.outreach_worker, cast.outreach)
    response = client.post(CONTACTS, body(cast, workers=[str(cast.outreach_worker.public_id)]), format="json")
    assert response.status_code == 201, response.content
    row = response.json()
    made = StreetContact.objects.get()
    assert row["id"] == str(made.public_id) and row["service"] == str(cast.outreach.public_id)
    assert row["person"] == str(cast.person.public_id) and row["person_reference"] == cast.person.reference
    assert row["identified"] is True and row["rough_sleeping"] is True
    assert row["seen_on"] == "2025-03-12" and row["latitude"] == 53.48 and row["longitude"] == -2.24
    assert row["district"] == str(cast.district.public_id) and row["district_name"] == "Testford"
    assert row["actions"] == ["conversation", "referral_made"] and row["needs"] == ["mental_health"]
    assert row["workers"] == [{"id": str(cast.outreach_worker.public_id), "name": cast.outreach_worker.display_name}]
    assert AuditEvent.objects.filter(object_id=str(made.public_id), kind="create").exists()


def test_the_person_may_be_given_by_reference_and_the_district_chosen(cast, testford_outline):
    from tests.factories import DistrictFactory

    other = DistrictFactory(area=cast.area, name="Otherton")
    client = acting(cast.outreach_worker, cast.outreach)
    response = client.post(
        CONTACTS, body(cast, person=cast.person.reference.lower(), district=str(other.public_id)), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["person"] == str(cast.person.public_id) and response.json()["district_name"] == "Otherton"


def test_someone_not_yet_identified(cast):
    client = acting(cast.outreach_worker, cast.outreach)
    response = client.post(
        CONTACTS,
        body(cast, person=None, description="Man, 40s, green sleeping bag", latitude=None, longitude=None),
        format="json",
    )
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["person"] is None and row["person_reference"] is None and row["identified"] is False
    assert row["description"] == "Man, 40s, green sleeping bag" and row["latitude"] is None


def test_the_same_idempotency_key_twice_returns_the_same_contact(cast):
    client = acting(cast.outreach_worker, cast.outreach)
    payload = body(cast, idempotency_key=str(uuid.uuid4()))
    first = client.post(CONTACTS, payload, format="json")
    again = client.post(CONTACTS, payload, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert StreetContact.objects.count() == 1
    # Another service cannot reuse (or learn about) the key's contact.
    other = acting(cast.hostel_worker, cast.hostel).post(
        CONTACTS,
        body(cast, person=None, description="Woman", idempotency_key=payload["idempotency_key"]),
        format="json",
    )
    error = assert_error(other, 400)
    assert "idempotency_key" in error["fields"] and "Doorway" not in str(error)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"seen_at": (timezone.now() + datetime.timedelta(days=1)).isoformat()}, "seen_at"),
        ({"seen_at": "1985-01-01T10:00:00Z"}, "seen_at"),
        ({"seen_at": "0001-01-01T00:00:00Z"}, "seen_at"),
        ({"seen_at": "9999-12-31T23:59:59Z"}, "seen_at"),
        ({"seen_at": "yesterday"}, "seen_at"),
        ({"person": None, "description": ""}, "person"),
        ({"person": str(uuid.uuid4())}, "person"),
        ({"person": "WM-22222"}, "person"),
        ({"person": 12}, "person"),
        ({"latitude": 95, "longitude": 0}, "latitude"),
        ({"latitude": "53.48"}, "latitude"),
        ({"latitude": True}, "latitude"),
        ({"longitude": None}, "latitude"),
        ({"latitude": None, "longitude": None, "place": ""}, "place"),
        ({"seen_doing": "flying"}, "seen_doing"),
        ({"actions": ["hugged"]}, "actions"),
        ({"actions": "conversation"}, "actions"),
        ({"district": str(uuid.uuid4())}, "district"),
        ({"workers": [str(uuid.uuid4())]}, "workers"),
        ({"idempotency_key": "again"}, "idempotency_key"),
        ({"description": "x" * 201, "person": None}, "description"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(cast, changes, field):
    response = acting(cast.outreach_worker, cast.outreach).post(CONTACTS, body(cast, **changes), format="json")
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"], error
    assert not StreetContact.objects.exists()


def test_a_person_the_caller_may_not_see_reads_as_one_that_does_not_exist(cast):
    client = acting(cast.outreach_worker, cast.outreach)
    answers = []
    for person in (cast.protected_person, cast.hidden_person, cast.solo_person):
        for value in (str(person.public_id), person.reference):
            error = assert_error(client.post(CONTACTS, body(cast, person=value), format="json"), 400)
            answers.append(error["fields"]["person"])
            assert person.first_name not in str(error)
    missing = assert_error(client.post(CONTACTS, body(cast, person=str(uuid.uuid4())), format="json"), 400)
    assert all(answer == missing["fields"]["person"] for answer in answers)
    assert not StreetContact.objects.exists()


def test_workers_outside_the_team_are_refused(cast):
    response = acting(cast.outreach_worker, cast.outreach).post(
        CONTACTS, body(cast, workers=[str(cast.hostel_worker.public_id)]), format="json"
    )
    assert "workers" in assert_error(response, 400)["fields"]


@pytest.mark.parametrize("who", ["viewer", "analyst", "outsider", "coordinator", "area_admin"])
def test_only_workers_and_managers_record(cast, who):
    response = token_client(getattr(cast, who)).post(CONTACTS, body(cast), format="json")
    assert_error(response, 403, "permission_denied")
    assert not StreetContact.objects.exists()


def test_anonymous_gets_401(cast):
    assert_error(APIClient().post(CONTACTS, body(cast), format="json"), 401)
    assert_error(APIClient().get(CONTACTS), 401)


def test_the_acting_service_must_be_the_callers(cast):
    response = acting(cast.hostel_worker, cast.outreach).post(CONTACTS, body(cast), format="json")
    assert "X-Waymark-Service" in assert_error(response, 400)["message"]
    assert not StreetContact.objects.exists()
    # Without the header, a worker of one service acts for it.
    made = token_client(cast.hostel_worker).post(CONTACTS, body(cast), format="json")
    assert made.status_code == 201 and made.json()["service"] == str(cast.hostel.public_id)
    assert made.json()["rough_sleeping"] is False, "only outreach teams verify rough sleeping"


# --- reading -----------------------------------------------------------------------------------


@pytest.fixture
def contacts(cast):
    # The unidentified one the day before, for the date filters.
    return one_of_each_kind(cast, unknown_when=at(19, day=DAY - datetime.timedelta(1)))


@pytest.mark.parametrize("who", sorted(SEES))
def test_each_user_sees_only_the_contacts_the_rules_allow(cast, contacts, who):
    client = token_client(getattr(cast, who))
    listed = client.get(CONTACTS)
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    assert ids == {str(contacts[name].public_id) for name in SEES[who]}
    for name, made in contacts.items():
        response = client.get(f"{CONTACTS}{made.public_id}/")
        if name in SEES[who]:
            assert response.status_code == 200 and response.json()["id"] == str(made.public_id)
        else:
            assert_error(response, 404, "not_found")
            assert made.place not in response.content.decode()
    for secret in ("REFUGE-DOOR", "HIDDEN-DOOR", "SOLO-DOOR"):
        if not any(contacts[name].place == secret for name in SEES[who]):
            assert secret not in listed.content.decode()


def test_the_list_filters(cast, contacts):
    client = token_client(cast.refuge_worker)

    def listed(**params) -> set[str]:
        response = client.get(CONTACTS, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    def ids(*names) -> set[str]:
        return {str(contacts[name].public_id) for name in names}

    assert listed(service=str(cast.refuge.public_id)) == ids("protected", "hidden")
    assert listed(person=str(cast.person.public_id)) == ids("ordinary")
    assert listed(identified="false") == ids("unknown")
    assert listed(identified="true") == ids("ordinary", "protected", "hidden")
    assert listed(**{"from": DAY.isoformat()}) == ids("ordinary", "protected", "hidden")
    assert listed(to=(DAY - datetime.timedelta(1)).isoformat()) == ids("unknown")
    assert listed(**{"from": "2025-03-11", "to": "2025-03-11"}) == ids("unknown")
    for bad in ({"identified": "perhaps"}, {"from": "2025-13-01"}, {"service": "nope"}, {"person": ""}):
        assert_error(client.get(CONTACTS, bad), 400)


def test_the_list_pages_by_cursor_without_repeats(cast):
    for hour in range(7):
        contact(cast.outreach_worker, cast.outreach, when=at(hour + 1), description=f"Person {hour}")
    client = token_client(cast.outreach_worker)
    seen, url = [], f"{CONTACTS}?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [row["description"] for row in page["results"]]
        url = page["next"]
    assert seen == [f"Person {hour}" for hour in reversed(range(7))]
    assert_error(client.get(CONTACTS, {"cursor": "bm9wZQ"}), 404)


def test_the_list_makes_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    client = token_client(cast.outreach_worker)
    client.get(CONTACTS)
    for hour in range(20):
        made = contact(cast.outreach_worker, cast.outreach, person=cast.person if hour % 2 else None, when=at(hour))
        made.workers.add(cast.outreach_worker)
    with django_assert_max_num_queries(8):
        response = client.get(CONTACTS)
    assert len(response.json()["results"]) == 20


# --- linking -----------------------------------------------------------------------------------


def link_url(made) -> str:
    return f"{CONTACTS}{made.public_id}/link/"


def test_linking_an_unidentified_contact(cast, contacts):
    made = contacts["unknown"]
    client = acting(cast.outreach_worker, cast.outreach)
    response = client.post(link_url(made), {"person": cast.person.reference}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["person"] == str(cast.person.public_id) and response.json()["version"] == made.version + 1
    again = client.post(link_url(made), {"person": str(cast.person.public_id)}, format="json")
    assert "person" in assert_error(again, 400)["fields"]


def test_linking_to_someone_out_of_sight_reads_as_not_found(cast, contacts):
    client = acting(cast.outreach_worker, cast.outreach)
    for value in (str(cast.hidden_person.public_id), cast.protected_person.reference, str(uuid.uuid4()), None):
        assert "person" in assert_error(client.post(link_url(contacts["unknown"]), {"person": value}), 400)["fields"]
    contacts["unknown"].refresh_from_db()
    assert contacts["unknown"].person is None


@pytest.mark.parametrize(("who", "status"), [("hostel_worker", 403), ("viewer", 403), ("solo_worker", 404)])
def test_only_the_recording_service_links(cast, contacts, who, status):
    response = token_client(getattr(cast, who)).post(
        link_url(contacts["unknown"]), {"person": cast.person.reference}, format="json"
    )
    assert_error(response, status)
    contacts["unknown"].refresh_from_db()
    assert contacts["unknown"].person is None


@pytest.mark.parametrize("who", ["analyst", "outsider"])
def test_those_who_see_no_contacts_cannot_link(cast, contacts, who):
    response = token_client(getattr(cast, who)).post(
        link_url(contacts["unknown"]), {"person": cast.person.reference}, format="json"
    )
    assert response.status_code in (403, 404)
    assert_error(response, response.status_code)
    assert_error(APIClient().post(link_url(contacts["unknown"]), {"person": cast.person.reference}), 401)


def test_the_schema_describes_contacts(cast):
    schema = token_client(cast.outreach_worker).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/contacts/", "/api/v1/contacts/{id}/", "/api/v1/contacts/{id}/link/"} <= set(schema["paths"])
    listing = schema["paths"]["/api/v1/contacts/"]["get"]
    assert {"service", "person", "from", "to", "identified", "cursor"} <= {p["name"] for p in listing["parameters"]}
    assert {"200", "201"} <= set(schema["paths"]["/api/v1/contacts/"]["post"]["responses"])
