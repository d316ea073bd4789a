"""A protected person's history stays with the services working with them.

Someone who may only know that a refuge resident's record exists learns whom to
contact, never when the person came to the refuge, which services they used
before, or when notes were written.
"""

from __future__ import annotations

import datetime

from tests.api.conftest import token_client
from tests.casework.factories import CaseNoteFactory
from tests.factories import EpisodeFactory
from waymark.access.services_record import break_glass


def test_the_episodes_api_gives_only_open_services_without_dates_for_a_protected_person(cast):
    EpisodeFactory(
        person=cast.protected_person,
        service=cast.hostel,
        started_on=datetime.date(2023, 1, 1),
        ended_on=datetime.date(2023, 6, 1),
    )
    body = token_client(cast.outreach_worker).get(f"/api/v1/episodes/?person={cast.protected_person.public_id}")
    assert body.status_code == 200
    rows = body.json()["results"]
    assert [row["service_name"] for row in rows] == ["Safe Haven"]
    assert rows[0]["started_on"] is None and rows[0]["ended_on"] is None and rows[0]["key_worker"] is None
    assert "2023" not in body.content.decode()
    # The refuge, working with her, sees the whole history.
    own = token_client(cast.refuge_worker).get(f"/api/v1/episodes/?person={cast.protected_person.public_id}").json()
    assert {row["service_name"] for row in own["results"]} == {"Safe Haven", "Harbour House"}


def test_notes_of_a_protected_person_are_not_listed_to_others_in_the_api(cast):
    CaseNoteFactory(person=cast.protected_person, service=cast.refuge, author=cast.refuge_worker, body="Room 4")
    body = token_client(cast.hostel_worker).get(f"/api/v1/notes/?person={cast.protected_person.public_id}").json()
    assert body["results"] == []
    own = token_client(cast.refuge_worker).get(f"/api/v1/notes/?person={cast.protected_person.public_id}").json()
    assert [row["body"] for row in own["results"]] == ["Room 4"]


def test_notes_glass_on_a_protected_person_needs_the_identity_glass_first(cast):
    CaseNoteFactory(person=cast.protected_person, service=cast.refuge, author=cast.refuge_worker, body="Room 4")
    client = token_client(cast.hostel_worker)
    asked = {
        "person": str(cast.protected_person.public_id),
        "reason": "safeguarding",
        "explanation": "Police report a threat to her life tonight.",
    }
    refused = client.post("/api/v1/break-glass/", {**asked, "scope": "notes"}, format="json")
    assert refused.status_code in (400, 403, 409, 422)
    assert "identity" in refused.content.decode() or "who the person is" in refused.content.decode()
    break_glass(cast.hostel_worker, cast.protected_person, "identity", "safeguarding", asked["explanation"])
    assert client.post("/api/v1/break-glass/", {**asked, "scope": "notes"}, format="json").status_code == 201
    body = client.get(f"/api/v1/notes/?person={cast.protected_person.public_id}").json()
    assert [row["body"] for row in body["results"]] == ["Room 4"]
