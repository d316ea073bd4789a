"""The people API beyond reading: the duplicate check, search, registering and editing."""

from __future__ import annotations

import datetime
import json

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.factories import EpisodeFactory, PersonFactory
from waymark.access.constants import Restriction
from waymark.audit.models import AuditEvent, AuditKind
from waymark.people.models import MatchKey, Person

PEOPLE = "/api/v1/people/"
MATCH = "/api/v1/people/match/"
SEARCH = "/api/v1/people/search/"


@pytest.fixture
def robert(cast):
    person = PersonFactory(
        registered_by_service=cast.outreach,
        first_name="Robert",
        last_name="Smith",
        date_of_birth=datetime.date(1980, 5, 12),
        birth_date_precision="exact",
    )
    EpisodeFactory(person=person, service=cast.outreach)
    return person


def _text(response) -> str:
    return response.content.decode()


# --- match --------------------------------------------------------------------------


def test_match_returns_candidates_with_score_and_reasons(cast, robert):
    response = token_client(cast.hostel_worker).post(
        MATCH, {"first_name": "Bob", "last_name": "Smyth", "date_of_birth": "1980-12-05"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    [candidate] = body["candidates"]
    assert candidate["visibility"] == "full"
    assert candidate["person"]["reference"] == robert.reference
    assert candidate["score"] >= body["threshold"]
    assert "day and month swapped" in candidate["reasons"]
    assert candidate["contacts"] == []


def test_match_counts_a_recorded_gender_that_differs_against(cast, robert):
    robert.gender = "Man"
    robert.save()
    client = token_client(cast.hostel_worker)
    body = {"first_name": "Robert", "last_name": "Smith"}
    assert client.post(MATCH, {**body, "gender": "male"}, format="json").json()["candidates"]
    assert client.post(MATCH, {**body, "gender": "Woman"}, format="json").json()["candidates"] == []
    response = client.post(MATCH, {**body, "gender": "x" * 101}, format="json")
    assert response.status_code == 400 and "gender" in response.json()["error"]["fields"]


def test_match_shows_a_protected_record_only_as_whom_to_contact(cast):
    response = token_client(cast.outreach_worker).post(
        MATCH, {"first_name": "Priya", "last_name": "Shah"}, format="json"
    )
    [candidate] = response.json()["candidates"]
    assert candidate["visibility"] == "exists"
    assert candidate["person"] is None and candidate["reasons"] == []
    assert candidate["contacts"][0]["service_name"] == "Safe Haven"
    text = _text(response)
    for secret in ("Priya", "Shah", cast.protected_person.reference, str(cast.protected_person.public_id)):
        assert secret not in text


@pytest.mark.parametrize(
    "who", ["outreach_worker", "hostel_worker", "solo_worker", "viewer", "coordinator", "outsider"]
)
def test_match_never_shows_a_hidden_record(cast, who):
    response = token_client(getattr(cast, who)).post(MATCH, {"first_name": "Hana", "last_name": "Kaur"}, format="json")
    if who in ("viewer", "coordinator", "outsider"):
        # The check is part of registering: for workers and managers only.
        assert_error(response, 403)
        assert b"Hana" not in response.content and b"Kaur" not in response.content
        return
    assert response.status_code == 200
    assert response.json()["candidates"] == []


def test_match_for_other_organisations_analysts_and_anonymous(cast, robert):
    body = {"first_name": "Robert", "last_name": "Smith", "date_of_birth": "1980-05-12"}
    assert token_client(cast.solo_worker).post(MATCH, body, format="json").json()["candidates"] == []
    assert token_client(cast.hostel_worker).post(MATCH, body, format="json").json()["candidates"][0]["visibility"] == (
        "full"
    )
    assert_error(token_client(cast.outsider).post(MATCH, body, format="json"), 403)
    assert_error(token_client(cast.viewer).post(MATCH, body, format="json"), 403)
    assert_error(token_client(cast.analyst).post(MATCH, body, format="json"), 403)
    assert_error(APIClient().post(MATCH, body, format="json"), 401)


def test_match_refuses_nothing_to_match_and_bad_dates(cast):
    client = token_client(cast.outreach_worker)
    assert_error(client.post(MATCH, {}, format="json"), 400)
    error = assert_error(client.post(MATCH, {"last_name": "Smith", "date_of_birth": "1980-13-45"}, format="json"), 400)
    assert "date_of_birth" in error["fields"]


# --- search ----------------------------------------------------------------------------


def test_search_ranks_and_pages(cast, robert):
    for i in range(3):
        EpisodeFactory(
            person=PersonFactory(registered_by_service=cast.outreach, first_name=f"Rob{i}", last_name="Smithers"),
            service=cast.outreach,
        )
    client = token_client(cast.outreach_worker)
    first = client.get(SEARCH, {"q": "Smith", "page_size": 2}).json()
    assert first["results"][0]["reference"] == robert.reference
    assert first["previous"] is None and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["previous"]
    refs = [r["reference"] for r in first["results"] + second["results"]]
    assert len(set(refs)) == 4
    assert_error(client.get(SEARCH, {"q": "Smith", "cursor": "nonsense"}), 404)
    assert_error(client.get(SEARCH), 400)


def test_search_results_carry_what_tells_people_apart_not_the_whole_record(cast, robert):
    robert.phone, robert.immigration_status, robert.gender = "07700 900123", "asylum_seeker", "Man"
    robert.save()
    [row] = token_client(cast.hostel_worker).get(SEARCH, {"q": "Robert Smith"}).json()["results"]
    assert row["reference"] == robert.reference and row["gender"] == "Man"
    assert row["date_of_birth"] == "1980-05-12" and 0.5 <= row["score"] <= 1
    for kept_on_the_record in ("phone", "email", "safe_contact", "immigration_status", "last_settled_address"):
        assert kept_on_the_record not in row
    assert "07700 900123" not in token_client(cast.hostel_worker).get(SEARCH, {"q": "Robert"}).content.decode()


def test_search_keeps_protected_and_hidden_records_out(cast):
    client = token_client(cast.outreach_worker)
    assert client.get(SEARCH, {"q": "Priya Shah"}).json()["results"] == []
    [limited] = client.get(SEARCH, {"q": cast.protected_person.reference}).json()["results"]
    assert limited["visibility"] == "exists" and "first_name" not in limited
    assert client.get(SEARCH, {"q": "Hana"}).json()["results"] == []
    assert client.get(SEARCH, {"q": cast.hidden_person.reference}).json()["results"] == []
    for who in ("solo_worker", "analyst", "outsider"):
        assert token_client(getattr(cast, who)).get(SEARCH, {"q": "Dan Moss"}).json()["results"] == [], who
    assert_error(APIClient().get(SEARCH, {"q": "Dan"}), 401)


def test_search_makes_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    for i in range(40):
        EpisodeFactory(
            person=PersonFactory(registered_by_service=cast.outreach, first_name=f"Al{i}", last_name="Jones"),
            service=cast.outreach,
        )
    client = token_client(cast.outreach_worker)
    with django_assert_max_num_queries(14):
        response = client.get(SEARCH, {"q": "Jones", "page_size": 50})
    assert len(response.json()["results"]) == 40
    first = client.get(SEARCH, {"q": "Jones"}).json()
    assert len(first["results"]) == 20 and first["next"]  # a first page of 20 unless asked


def test_search_of_people_nobody_works_with_makes_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    """Whom to contact falls back to the registering service and its organisation: read with the rows."""
    for i in range(30):
        service = (cast.outreach, cast.hostel)[i % 2]
        PersonFactory(registered_by_service=service, first_name=f"Al{i}", last_name="Jones")
    client = token_client(cast.outreach_worker)
    with django_assert_max_num_queries(14):
        response = client.get(SEARCH, {"q": "Jones", "page_size": 50})
    rows = response.json()["results"]
    assert len(rows) == 30
    assert {row["contacts"][0]["organisation_name"] for row in rows} == {
        cast.outreach.organisation.name,
        cast.hostel.organisation.name,
    }


def test_match_makes_a_bounded_number_of_queries(cast, robert, django_assert_max_num_queries):
    client = token_client(cast.outreach_worker)
    with django_assert_max_num_queries(14):
        response = client.post(MATCH, {"first_name": "Priya", "last_name": "Shah"}, format="json")
    assert response.status_code == 200


# --- register -----------------------------------------------------------------------------


def test_register_a_person(cast):
    client = token_client(cast.outreach_worker)
    response = client.post(
        PEOPLE,
        {
            "first_name": "Zebedee",
            "last_name": "Quartermain",
            "date_of_birth": "1979-03",
            "other_names": [{"first_name": "Zeb", "last_name": "Q", "note": "street name"}],
            "no_recourse_to_public_funds": None,
            "local_connection": str(cast.district.public_id),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visibility"] == "full"
    assert body["birth_date_precision"] == "month" and body["date_of_birth"] == "1979-03-01"
    assert body["other_names"][0]["note"] == "street name"
    assert body["local_connection_name"] == "Testford"
    person = Person.objects.get(public_id=body["id"])
    assert MatchKey.objects.filter(person=person, key="ln:QUARTERMAIN").exists()
    assert AuditEvent.objects.filter(
        kind=AuditKind.CREATE, person_reference=person.reference, detail__duplicate_check="no_candidates"
    ).exists()


def test_register_needs_confirmation_when_there_are_candidates(cast, robert):
    client = token_client(cast.hostel_worker)
    body = {"first_name": "Bob", "last_name": "Smith", "date_of_birth": "1980-05-12"}
    error = assert_error(client.post(PEOPLE, body, format="json"), 400)
    assert "confirmed_no_match" in error["fields"]
    assert "Robert" not in json.dumps(error)
    assert not Person.objects.filter(first_name="Bob").exists()
    response = client.post(PEOPLE, {**body, "confirmed_no_match": True}, format="json")
    assert response.status_code == 201
    event = AuditEvent.objects.get(
        kind=AuditKind.CREATE, person_reference=response.json()["reference"], object_type="people.Person"
    )
    assert event.detail["duplicate_check"] == "confirmed_none"
    assert event.detail["candidates"][0]["reference"] == robert.reference


def test_register_with_candidates_seen_refuses_an_unseen_one(cast, robert):
    client = token_client(cast.hostel_worker)
    body = {"first_name": "Bob", "last_name": "Smith", "date_of_birth": "1980-05-12", "confirmed_no_match": True}
    other = "00000000-0000-4000-8000-000000000000"
    assert_error(client.post(PEOPLE, {**body, "candidates_seen": [other]}, format="json"), 400)
    ok = client.post(PEOPLE, {**body, "candidates_seen": [str(robert.public_id)]}, format="json")
    assert ok.status_code == 201


def test_register_rules(cast):
    body = {"first_name": "Newbie"}
    assert_error(token_client(cast.viewer).post(PEOPLE, body, format="json"), 403)
    assert_error(token_client(cast.analyst).post(PEOPLE, body, format="json"), 403)
    assert_error(token_client(cast.area_admin).post(PEOPLE, body, format="json"), 403)
    assert_error(token_client(cast.outsider).post(PEOPLE, body, format="json"), 403)
    assert_error(APIClient().post(PEOPLE, body, format="json"), 401)
    client = token_client(cast.outreach_worker)
    assert_error(client.post(PEOPLE, {"gender": "Man"}, format="json"), 400)
    assert_error(client.post(PEOPLE, {"first_name": 12}, format="json"), 400)
    error = assert_error(client.post(PEOPLE, {"first_name": "A", "date_of_birth": "2999-01-01"}, format="json"), 400)
    assert "date_of_birth" in error["fields"]
    assert not Person.objects.filter(first_name="Newbie").exists()


def test_a_refuge_registers_a_protected_person_it_still_sees(cast):
    response = token_client(cast.refuge_worker).post(PEOPLE, {"first_name": "Quinella"}, format="json")
    assert response.status_code == 201
    assert response.json()["restriction"] == Restriction.PROTECTED
    assert response.json()["visibility"] == "full"
    person = Person.objects.get(first_name="Quinella")
    listed = token_client(cast.hostel_worker).get(f"{PEOPLE}{person.public_id}/").json()
    assert listed["visibility"] == "exists" and "Quinella" not in json.dumps(listed)


# --- edit --------------------------------------------------------------------------------


def test_edit_with_version_and_stale_refusal(cast, robert):
    client = token_client(cast.outreach_worker)
    url = f"{PEOPLE}{robert.public_id}/"
    read = client.get(url).json()
    assert read["version"] == 1
    response = client.patch(url, {"known_as": "Bobby", "version": 1, "date_of_birth": "1980"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["known_as"] == "Bobby" and response.json()["version"] == 2
    assert response.json()["birth_date_precision"] == "year"
    assert MatchKey.objects.filter(person=robert, key="ka:BOBBY").exists()
    error = assert_error(client.patch(url, {"known_as": "Rob", "version": 1}, format="json"), 409, "conflict")
    assert "Someone else changed" in error["message"]
    robert.refresh_from_db()
    assert robert.known_as == "Bobby"
    assert_error(client.patch(url, {"known_as": "Rob"}, format="json"), 400)
    event = AuditEvent.objects.get(kind=AuditKind.CHANGE, person_reference=robert.reference)
    assert event.detail["changed"] == ["birth_date_precision", "date_of_birth", "known_as"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("viewer", 403),
        ("analyst", 403),
        ("solo_worker", 404),
        ("outsider", 403),
        # A sharing partner sees the record but does not work with him: it may not rewrite it.
        ("hostel_worker", 403),
        ("outreach_worker", 200),
    ],
)
def test_who_may_edit(cast, robert, who, status):
    response = token_client(getattr(cast, who)).patch(
        f"{PEOPLE}{robert.public_id}/", {"first_name": "Changed", "version": 1}, format="json"
    )
    if status == 200:
        assert response.status_code == 200
        return
    assert_error(response, status)
    assert "Robert" not in _text(response)
    robert.refresh_from_db()
    assert robert.first_name == "Robert"


def test_protected_and_hidden_records_cannot_be_edited_by_others(cast):
    client = token_client(cast.outreach_worker)
    assert_error(
        client.patch(f"{PEOPLE}{cast.protected_person.public_id}/", {"first_name": "X", "version": 1}, format="json"),
        403,
    )
    assert_error(
        client.patch(f"{PEOPLE}{cast.hidden_person.public_id}/", {"first_name": "X", "version": 1}, format="json"),
        404,
    )
    assert_error(APIClient().patch(f"{PEOPLE}{cast.person.public_id}/", {"version": 1}, format="json"), 401)
