"""Episodes, notes and the timeline over the API: the same rules as the pages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.casework.factories import CaseNoteFactory
from tests.factories import EpisodeFactory, PersonFactory
from waymark.access.models import BreakGlass
from waymark.audit.models import AuditEvent, AuditKind
from waymark.casework.models import CaseNote, Episode

SECRETS = ("SHARED-NOTE-TEXT", "PRIVATE-NOTE-TEXT", "REFUGE-NOTE-TEXT")


def texts(body) -> set[str]:
    return {secret for secret in SECRETS if secret in str(body)}


# who: which note texts they read through /api/v1/notes/
READS = {
    "outreach_worker": {"SHARED-NOTE-TEXT", "PRIVATE-NOTE-TEXT"},
    "refuge_worker": {"REFUGE-NOTE-TEXT"},
    "hostel_worker": set(),
    "viewer": set(),
    "area_admin": set(),
    "coordinator": set(),
}


@pytest.mark.parametrize("who", list(READS))
def test_note_text_over_the_api_follows_the_rules(cast, notes, who):
    client = token_client(getattr(cast, who))
    listed = client.get("/api/v1/notes/")
    assert listed.status_code == 200
    assert texts(listed.content.decode()) == READS[who]
    for row in listed.json()["results"]:
        assert (row["body"] is None) == (not row["text_readable"])
        if not row["text_readable"]:
            assert row["author_name"] is None and row["mentions"] is None
            assert row["service_contact"]["phone"] == "0161 496 0000"
    for note in notes.values():
        response = client.get(f"/api/v1/notes/{note.public_id}/")
        if response.status_code == 200:
            assert (note.body in response.content.decode()) == (note.body.split()[0] in READS[who])


@pytest.mark.parametrize("who", ["solo_worker", "analyst", "outsider"])
def test_those_who_may_not_see_the_person_get_nothing(cast, notes, who):
    client = token_client(getattr(cast, who))
    assert client.get("/api/v1/notes/").json()["results"] == []
    assert client.get("/api/v1/episodes/", {"person": str(cast.person.public_id)}).json()["results"] == []
    for note in notes.values():
        assert_error(client.get(f"/api/v1/notes/{note.public_id}/"), 404, "not_found")
    assert_error(client.get(f"/api/v1/people/{cast.person.public_id}/timeline/"), 404, "not_found")
    episode = cast.person.episodes.get()
    assert_error(client.get(f"/api/v1/episodes/{episode.public_id}/"), 404)


def test_anonymous_gets_401(cast, notes):
    for url in ("/api/v1/notes/", "/api/v1/episodes/", f"/api/v1/people/{cast.person.public_id}/timeline/"):
        assert_error(APIClient().get(url), 401)


def test_a_protected_persons_episodes_give_whom_to_contact_and_nothing_more(cast):
    episode = cast.protected_person.episodes.get()
    episode.key_worker = cast.refuge_worker
    episode.start_reason = "Referred by the police"
    episode.save()
    body = token_client(cast.hostel_worker).get(f"/api/v1/episodes/{episode.public_id}/").json()
    assert body["service_name"] == "Safe Haven" and body["key_worker"] is None and body["start_reason"] is None
    full = token_client(cast.refuge_worker).get(f"/api/v1/episodes/{episode.public_id}/").json()
    assert full["key_worker_name"] == cast.refuge_worker.display_name
    assert token_client(cast.hostel_worker).get(
        f"/api/v1/people/{cast.protected_person.public_id}/timeline/"
    ).json() == {"next": None, "results": []}
    assert_error(token_client(cast.hostel_worker).get(f"/api/v1/people/{cast.hidden_person.public_id}/timeline/"), 404)


def test_writing_a_note_over_the_api(cast):
    client = token_client(cast.outreach_worker)
    other = PersonFactory(registered_by_service=cast.outreach)
    payload = {
        "person": str(cast.person.public_id),
        "contact_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "kind": "phone",
        "body": "Called about the appointment.",
        "mentions": [other.reference],
    }
    response = client.post("/api/v1/notes/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["mentions"] == [other.reference] and response.json()["text_readable"]
    error = assert_error(client.post("/api/v1/notes/", {**payload, "mentions": ["WM-ZZZZZ"]}, format="json"), 400)
    assert "mentions" in error["fields"]
    assert_error(client.post("/api/v1/notes/", {**payload, "body": ""}, format="json"), 400)
    assert_error(token_client(cast.viewer).post("/api/v1/notes/", payload, format="json"), 403)
    assert_error(token_client(cast.hostel_worker).post("/api/v1/notes/", payload, format="json"), 403)
    assert_error(token_client(cast.area_admin).post("/api/v1/notes/", payload, format="json"), 403)
    error = assert_error(token_client(cast.solo_worker).post("/api/v1/notes/", payload, format="json"), 400)
    assert "person" in error["fields"]


def test_amending_over_the_api_keeps_the_original(cast, notes):
    original = notes["shared"]
    client = token_client(cast.outreach_worker)
    response = client.post(f"/api/v1/notes/{original.public_id}/amend/", {"body": "Corrected."}, format="json")
    assert response.status_code == 201
    assert response.json()["amends"] == str(original.public_id)
    assert client.get(f"/api/v1/notes/{original.public_id}/").json()["body"] == original.body
    assert_error(
        token_client(cast.hostel_worker).post(
            f"/api/v1/notes/{original.public_id}/amend/", {"body": "x"}, format="json"
        ),
        403,
    )
    assert_error(
        token_client(cast.solo_worker).post(f"/api/v1/notes/{original.public_id}/amend/", {"body": "x"}, format="json"),
        404,
    )


def test_reads_are_audited_and_flagged(cast, notes):
    token_client(cast.hostel_worker).get("/api/v1/notes/", {"person": str(cast.person.public_id)})
    event = AuditEvent.objects.filter(username="harry.hostel").latest("id")
    assert event.kind == AuditKind.READ and event.detail["flag"] == "not_working_with"
    assert event.person_reference == cast.person.reference
    BreakGlass.objects.create(
        user=cast.hostel_worker,
        service=cast.hostel,
        person=cast.person,
        area=cast.area,
        scope="notes",
        reason="safeguarding",
        explanation="Missing",
        expires_at=timezone.now() + datetime.timedelta(hours=4),
    )
    body = token_client(cast.hostel_worker).get(f"/api/v1/notes/{notes['shared'].public_id}/").json()
    assert body["body"] == notes["shared"].body
    assert AuditEvent.objects.filter(username="harry.hostel").latest("id").kind == AuditKind.BREAK_GLASS
    private = token_client(cast.hostel_worker).get(f"/api/v1/notes/{notes['private'].public_id}/").json()
    assert private["body"] is None


def test_episodes_over_the_api(cast):
    client = token_client(cast.hostel_worker)
    today = datetime.date.today().isoformat()
    payload = {"person": str(cast.person.public_id), "started_on": today, "key_worker": str(cast.manager.public_id)}
    created = client.post("/api/v1/episodes/", payload, format="json")
    assert created.status_code == 201, created.content
    episode_id = created.json()["id"]
    assert created.json()["service_name"] == "Harbour House" and created.json()["key_worker_name"]
    assert_error(client.post("/api/v1/episodes/", payload, format="json"), 400)
    listed = client.get("/api/v1/episodes/", {"person": str(cast.person.public_id)}).json()["results"]
    assert {row["service_name"] for row in listed} == {"Northway Street Team", "Harbour House"}
    changed = client.post(
        f"/api/v1/episodes/{episode_id}/key-worker/", {"key_worker": None, "version": 1}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["key_worker"] is None and changed.json()["version"] == 2
    assert_error(
        client.post(f"/api/v1/episodes/{episode_id}/key-worker/", {"key_worker": None, "version": 1}, format="json"),
        409,
        "conflict",
    )
    end = {"ended_on": today, "reason": "Evicted", "version": 2}
    assert_error(
        token_client(cast.outreach_worker).post(f"/api/v1/episodes/{episode_id}/end/", end, format="json"), 403
    )
    assert_error(token_client(cast.viewer).post(f"/api/v1/episodes/{episode_id}/end/", end, format="json"), 403)
    assert_error(token_client(cast.outsider).post(f"/api/v1/episodes/{episode_id}/end/", end, format="json"), 404)
    ended = client.post(f"/api/v1/episodes/{episode_id}/end/", end, format="json")
    assert ended.status_code == 200 and ended.json()["is_open"] is False
    assert Episode.objects.get(public_id=episode_id).end_reason == "Evicted"
    assert_error(token_client(cast.viewer).post("/api/v1/episodes/", payload, format="json"), 403)


def test_the_timeline_over_the_api_pages_without_repeats(cast):
    for i in range(30):
        CaseNoteFactory(
            person=cast.person, service=cast.outreach, contact_at=timezone.now() - datetime.timedelta(hours=i)
        )
    EpisodeFactory(
        person=cast.person, service=cast.hostel, started_on=datetime.date.today() - datetime.timedelta(days=3)
    )
    client = token_client(cast.outreach_worker)
    url = f"/api/v1/people/{cast.person.public_id}/timeline/"
    seen, cursor = [], None
    while True:
        page = client.get(url, {"cursor": cursor} if cursor else {}).json()
        seen += [(row["kind"], row["note"] or row["episode"]) for row in page["results"]]
        cursor = page["next"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 30 + 2
    assert "SHARED" not in str(seen)
    notes_only = client.get(url, {"kind": "note"}).json()["results"]
    assert {row["kind"] for row in notes_only} == {"note"}
    assert_error(client.get(url, {"kind": "gossip"}), 400)
    assert_error(client.get(url, {"cursor": "bm9wZQ"}), 404)
    assert CaseNote.objects.filter(person=cast.person).count() == 30
