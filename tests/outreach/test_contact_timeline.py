"""Street contacts on a person's timeline: shown to those who may see them, filterable, paged with the rest."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.api.conftest import assert_error, token_client
from tests.casework.factories import CaseNoteFactory
from tests.conftest import signed_in
from tests.factories import EpisodeFactory
from tests.outreach.conftest import contact
from waymark.casework import timeline

LONDON = ZoneInfo("Europe/London")


def front_page(person) -> str:
    return f"/people/{person.public_id}/"


def api_timeline(person) -> str:
    return f"/api/v1/people/{person.public_id}/timeline/"


def text(response) -> str:
    return response.content.decode()


def test_contacts_are_a_registered_source_with_their_own_kind():
    assert "contacts" in {source.name for source in timeline.sources()}
    assert timeline.kinds()["contact"] == "Street contacts"


def test_a_contact_shows_on_the_persons_front_page(cast):
    made = contact(cast.outreach_worker, cast.outreach, person=cast.person, place="Bus station")
    response = signed_in(cast.outreach_worker).get(front_page(cast.person))
    [entry] = [e for e in response.context["timeline"].entries if e.kind == "contact"]
    assert entry.obj.pk == made.pk and entry.at == made.seen_at
    page = text(response)
    assert "Street contact" in page and "Northway Street Team" in page
    assert "Bedded down at Bus station" in page
    assert f"/outreach/contacts/{made.public_id}/" in page


@pytest.mark.parametrize(
    ("seen_doing", "title"),
    [
        ("tent_or_vehicle", "In a tent or vehicle at Bus station"),
        ("day_centre", "At a day centre, Bus station"),
        ("begging", "Begging at Bus station"),
    ],
)
def test_each_kind_of_contact_reads_as_a_sentence(cast, seen_doing, title):
    contact(cast.outreach_worker, cast.outreach, person=cast.person, place="Bus station", seen_doing=seen_doing)
    response = signed_in(cast.outreach_worker).get(front_page(cast.person), {"kind": "contact"})
    assert [e.title for e in response.context["timeline"].entries] == [title]


def test_a_pin_without_a_description_names_the_district(cast, testford_outline):
    contact(cast.outreach_worker, cast.outreach, person=cast.person, place="", latitude="53.48", longitude="-2.24")
    response = signed_in(cast.outreach_worker).get(front_page(cast.person), {"kind": "contact"})
    assert [e.title for e in response.context["timeline"].entries] == ["Bedded down at Testford"]


def test_contacts_filter_by_kind_and_service_like_the_other_sources(cast):
    now = timezone.now()
    CaseNoteFactory(person=cast.person, service=cast.outreach, contact_at=now - datetime.timedelta(hours=2))
    ours = contact(cast.outreach_worker, cast.outreach, person=cast.person, when=now - datetime.timedelta(hours=1))
    theirs = contact(cast.hostel_worker, cast.hostel, person=cast.person, when=now - datetime.timedelta(hours=3))
    # The service filter offers the services working with the person.
    EpisodeFactory(person=cast.person, service=cast.hostel)
    client = signed_in(cast.outreach_worker)
    every = client.get(front_page(cast.person)).context["timeline"].entries
    assert {e.kind for e in every} >= {"contact", "note", "episode_started"}
    only = client.get(front_page(cast.person), {"kind": "contact"}).context["timeline"].entries
    assert [e.obj.pk for e in only] == [ours.pk, theirs.pk]
    notes = client.get(front_page(cast.person), {"kind": "note"}).context["timeline"].entries
    assert {e.kind for e in notes} == {"note"}
    hostel = client.get(front_page(cast.person), {"service": str(cast.hostel.public_id)}).context["timeline"].entries
    assert [e.obj.pk for e in hostel if e.kind == "contact"] == [theirs.pk]
    # The filter's choices offer contacts.
    assert '<option value="contact">Street contacts</option>' in text(client.get(front_page(cast.person)))


def test_the_timeline_pages_through_contacts_and_notes_without_repeats(cast):
    start = timezone.now() - datetime.timedelta(days=2)
    for i in range(15):
        moment = start + datetime.timedelta(hours=i)
        contact(cast.outreach_worker, cast.outreach, person=cast.person, when=moment)
        # Some at the very same moment as a contact: the rank and id settle the order.
        CaseNoteFactory(person=cast.person, service=cast.outreach, contact_at=moment)
    client = token_client(cast.outreach_worker)
    seen, cursor = [], None
    while True:
        page = client.get(api_timeline(cast.person), {"cursor": cursor} if cursor else {}).json()
        seen += [(row["kind"], row["at"], row["title"]) for row in page["results"]]
        cursor = page["next"]
        if not cursor:
            break
    contacts = [row for row in seen if row[0] == "contact"]
    assert len(contacts) == 15 and len([row for row in seen if row[0] == "note"]) == 15
    # 15 contacts, 15 notes and the episode starting, each once.
    assert len(seen) == len({(kind, moment) for kind, moment, _ in seen}) == 31
    stamps = [datetime.datetime.fromisoformat(row[1]) for row in seen]
    assert stamps == sorted(stamps, reverse=True)
    only = client.get(api_timeline(cast.person), {"kind": "contact"}).json()
    assert {row["kind"] for row in only["results"]} == {"contact"} and only["results"][0]["kind_label"] == (
        "Street contact"
    )


def test_a_protected_persons_contacts_reach_only_those_who_see_them_in_full(cast):
    contact(cast.refuge_worker, cast.refuge, person=cast.protected_person, place="REFUGE-DOOR")
    refuge = signed_in(cast.refuge_worker).get(front_page(cast.protected_person))
    assert "REFUGE-DOOR" in text(refuge)
    for who in ("outreach_worker", "hostel_worker", "viewer", "coordinator"):
        response = signed_in(getattr(cast, who)).get(front_page(cast.protected_person))
        assert response.status_code == 200, who  # "a record exists, contact…"
        # Nor does the timeline say a contact happened ("Street contact" is also a menu item).
        assert "REFUGE-DOOR" not in text(response) and "Bedded down" not in text(response)
        api = token_client(getattr(cast, who)).get(api_timeline(cast.protected_person))
        assert "REFUGE-DOOR" not in text(api)
    admin = signed_in(cast.area_admin).get(front_page(cast.protected_person))
    assert "REFUGE-DOOR" in text(admin)


def test_a_hidden_persons_contacts_never_leave_the_services_working_with_them(cast):
    contact(cast.refuge_worker, cast.refuge, person=cast.hidden_person, place="HIDDEN-DOOR")
    assert "HIDDEN-DOOR" in text(signed_in(cast.refuge_worker).get(front_page(cast.hidden_person)))
    for who in ("outreach_worker", "hostel_worker", "viewer", "solo_worker", "analyst", "outsider"):
        assert signed_in(getattr(cast, who)).get(front_page(cast.hidden_person)).status_code == 404
        assert_error(token_client(getattr(cast, who)).get(api_timeline(cast.hidden_person)), 404)


def test_a_contact_with_the_person_by_a_service_that_cannot_see_them_later_stays_out_of_sight(cast):
    # Solo Trust records a contact with someone it works with; the timeline of another
    # service's user shows only what the access model gives them.
    contact(cast.solo_worker, cast.solo, person=cast.solo_person, place="SOLO-DOOR")
    assert "SOLO-DOOR" in text(signed_in(cast.solo_worker).get(front_page(cast.solo_person)))
    for who in ("outreach_worker", "hostel_worker", "viewer"):
        assert signed_in(getattr(cast, who)).get(front_page(cast.solo_person)).status_code == 404


def test_contacts_by_other_teams_with_a_shared_person_are_seen_by_each(cast):
    contact(cast.hostel_worker, cast.hostel, person=cast.person, place="HOSTEL-STEPS", seen_doing="sitting_or_walking")
    for who in ("outreach_worker", "hostel_worker", "viewer"):
        page = text(signed_in(getattr(cast, who)).get(front_page(cast.person)))
        assert "Sitting or walking about at HOSTEL-STEPS" in page and "Harbour House" in page, who


def test_the_front_page_stays_bounded_with_many_contacts(cast, django_assert_max_num_queries):
    client = signed_in(cast.outreach_worker)
    client.get(front_page(cast.person))
    now = timezone.now()
    for i in range(30):
        contact(cast.outreach_worker, cast.outreach, person=cast.person, when=now - datetime.timedelta(hours=i))
    with django_assert_max_num_queries(20):
        response = client.get(front_page(cast.person))
    entries = response.context["timeline"].entries
    assert len(entries) == 20 and len([e for e in entries if e.kind == "contact"]) >= 19
