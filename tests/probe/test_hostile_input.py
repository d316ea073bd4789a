"""Probes a reviewer found: a protected birthday read through the duplicate check, and
far-off dates that crashed pages. Each must now give a plain answer, never a 500."""

from __future__ import annotations

import base64
import datetime

import pytest

from tests.api.conftest import token_client
from tests.conftest import signed_in

MATCH = "/api/v1/people/match/"


def _protected_answer(client, dob: str) -> list:
    body = {"first_name": "Priya", "last_name": "Shah", "date_of_birth": dob}
    return client.post(MATCH, body, format="json").json()["candidates"]


def test_stepping_through_dates_of_birth_tells_nothing_about_a_protected_person(cast):
    cast.protected_person.date_of_birth = datetime.date(1985, 3, 14)
    cast.protected_person.birth_date_precision = "exact"
    cast.protected_person.save()
    client = token_client(cast.hostel_worker)
    answers = [_protected_answer(client, dob) for dob in ("1985-03-14", "1985-03-15", "1986-03-14", "1970-01-01")]
    assert answers[0], "the protected record may exist: whom to contact is shown"
    assert all(answer == answers[0] for answer in answers), "the answer must not depend on the date typed"
    assert answers[0][0]["score"] is None and answers[0][0]["person"] is None


def test_the_live_check_page_shows_no_score_for_a_protected_record(cast):
    client = signed_in(cast.hostel_worker)
    page = client.post("/people/register/check/", {"first_name": "Priya", "last_name": "Shah"})
    assert b"A record may already exist" in page.content
    assert b"%" not in page.content.split(b"A record may already exist")[1].split(b"</div>\n  </div>")[0]


@pytest.mark.parametrize("q", ["05/0000", "0000", "31/02/1980", "1980-13-40", "00/1980", "9" * 300])
def test_odd_search_text_never_crashes(cast, q):
    assert signed_in(cast.outreach_worker).get("/people/", {"q": q}).status_code == 200
    # Over-long text gets the API's error shape (400) saying what to fix.
    assert token_client(cast.outreach_worker).get("/api/v1/people/search/", {"q": q}).status_code in (200, 400)


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-05:00"])
def test_a_timeline_cursor_with_a_far_date_is_refused_not_a_crash(cast, when):
    cursor = base64.urlsafe_b64encode(f"{when}|30|1".encode()).decode().rstrip("=")
    page = signed_in(cast.outreach_worker).get(f"/people/{cast.person.public_id}/", {"after": cursor})
    assert page.status_code == 200
    api = token_client(cast.outreach_worker).get(
        f"/api/v1/people/{cast.person.public_id}/timeline/", {"cursor": cursor}
    )
    assert api.status_code == 404  # as for every list: a cursor that is not ours is no page


def test_who_looked_until_the_end_of_time_is_not_a_crash(cast):
    response = token_client(cast.area_admin).get("/api/v1/break-glass/", {"date_to": "9999-12-31"})
    assert response.status_code in (200, 400)


def test_a_note_dated_in_year_one_is_refused_with_a_message(cast):
    client = token_client(cast.outreach_worker)
    body = {"person": str(cast.person.public_id), "contact_at": "0001-01-01T10:00:00Z", "kind": "phone", "body": "x"}
    response = client.post("/api/v1/notes/", body, format="json", HTTP_X_WAYMARK_SERVICE=str(cast.outreach.public_id))
    assert response.status_code == 400
    assert "contact_at" in response.json()["error"]["fields"]
