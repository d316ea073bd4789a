"""Recording street contacts: the rules, idempotency, the district from the pin, and who sees them."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.outreach.conftest import contact
from waymark.audit.models import AuditEvent
from waymark.outreach.models import StreetContact
from waymark.outreach.services import ContactDetails, link_contact, london_day, record_contact


def test_an_outreach_contact_bedded_down_counts_as_rough_sleeping(cast):
    made = contact(cast.outreach_worker, cast.outreach, person=cast.person)
    assert made.rough_sleeping and made.person == cast.person
    assert list(made.workers.all()) == [cast.outreach_worker]
    event = AuditEvent.objects.get(object_id=str(made.public_id))
    assert event.kind == "create" and event.person_reference == cast.person.reference


def test_sitting_or_a_hostel_contact_does_not(cast):
    assert not contact(cast.outreach_worker, cast.outreach, person=cast.person, seen_doing="begging").rough_sleeping
    assert not contact(cast.hostel_worker, cast.hostel, description="Woman, 30s").rough_sleeping


def test_the_day_counted_is_the_london_day(cast):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    when = datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC)
    made = contact(cast.outreach_worker, cast.outreach, person=cast.person, when=when)
    assert made.seen_on == datetime.date(2025, 7, 1) == london_day(when)


def test_the_same_idempotency_key_twice_keeps_one_contact(cast):
    key = uuid.uuid4()
    details = ContactDetails(
        seen_at=timezone.now(),
        seen_doing="bedded_down",
        description="Man, 50s",
        place="Bus station",
        idempotency_key=key,
    )
    first, created = record_contact(cast.outreach_worker, cast.outreach, details)
    again, created_again = record_contact(cast.outreach_worker, cast.outreach, details)
    assert created and not created_again and first.pk == again.pk
    assert StreetContact.objects.filter(idempotency_key=key).count() == 1


def test_the_district_comes_from_the_pin(cast, testford_outline):
    inside = contact(cast.outreach_worker, cast.outreach, description="Man", latitude="53.48", longitude="-2.24")
    outside = contact(cast.outreach_worker, cast.outreach, description="Man", latitude="51.5", longitude="-0.12")
    assert inside.district == cast.district and outside.district is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"seen_at": timezone.now() + datetime.timedelta(days=1)}, "seen_at"),
        ({"seen_at": datetime.datetime(1985, 1, 1, tzinfo=datetime.UTC)}, "seen_at"),
        ({"seen_at": datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)}, "seen_at"),
        ({"seen_doing": "flying"}, "seen_doing"),
        ({"description": ""}, "person"),
        ({"latitude": "95", "longitude": "0"}, "latitude"),
        ({"latitude": "north", "longitude": "0"}, "latitude"),
        ({"latitude": "53.4"}, "latitude"),
        ({"actions": ["hugged"]}, "actions"),
        ({"place": ""}, "place"),
    ],
)
def test_bad_input_says_what_to_fix(cast, fields, field):
    base = {"seen_at": timezone.now(), "seen_doing": "bedded_down", "description": "Man, 40s", "place": "Park"}
    with pytest.raises(ValidationError) as raised:
        record_contact(cast.outreach_worker, cast.outreach, ContactDetails(**{**base, **fields}))
    assert field in raised.value.message_dict


def test_only_a_worker_of_the_service_records_for_it(cast):
    details = ContactDetails(seen_at=timezone.now(), seen_doing="bedded_down", description="Man", place="Park")
    for who in ("viewer", "analyst", "hostel_worker", "outsider"):
        with pytest.raises(PermissionDenied):
            record_contact(getattr(cast, who), cast.outreach, details)


def test_a_contact_cannot_name_someone_the_worker_may_not_see(cast):
    for person in (cast.protected_person, cast.hidden_person):
        with pytest.raises(Http404):
            contact(cast.outreach_worker, cast.outreach, person=person)


def test_contacts_follow_the_persons_visibility(cast):
    seen = contact(cast.outreach_worker, cast.outreach, person=cast.person)
    hidden = contact(cast.refuge_worker, cast.refuge, person=cast.hidden_person, seen_doing="sitting_or_walking")
    protected = contact(cast.refuge_worker, cast.refuge, person=cast.protected_person, seen_doing="sitting_or_walking")
    unknown = contact(cast.outreach_worker, cast.outreach)
    visible = lambda user: set(StreetContact.objects.visible_to(user))  # noqa: E731
    assert visible(cast.hostel_worker) == {seen, unknown}
    assert visible(cast.refuge_worker) == {seen, hidden, protected, unknown}
    assert visible(cast.viewer) == {seen, unknown}
    assert visible(cast.analyst) == set() and visible(cast.outsider) == set()
    assert visible(cast.area_admin) == {seen, hidden, protected, unknown}
    # No current sharing agreement: nothing beyond its own services' records.
    assert visible(cast.solo_worker) == set()


def test_an_unidentified_contact_is_linked_once_known(cast):
    made = contact(cast.outreach_worker, cast.outreach)
    linked = link_contact(cast.outreach_worker, made, cast.person)
    assert linked.person == cast.person and linked.version == made.version + 1
    with pytest.raises(ValidationError):
        link_contact(cast.outreach_worker, linked, cast.person)
    other = contact(cast.outreach_worker, cast.outreach)
    with pytest.raises(PermissionDenied):
        link_contact(cast.hostel_worker, other, cast.person)


def test_opening_a_contact_is_audited_on_the_page_and_in_the_api(cast):
    from tests.api.conftest import token_client
    from tests.conftest import signed_in

    made = contact(cast.outreach_worker, cast.outreach, person=cast.person)
    before = AuditEvent.objects.filter(kind="read", object_id=str(made.public_id)).count()
    assert signed_in(cast.hostel_worker).get(f"/outreach/contacts/{made.public_id}/").status_code == 200
    assert token_client(cast.hostel_worker).get(f"/api/v1/contacts/{made.public_id}/").status_code == 200
    reads = AuditEvent.objects.filter(kind="read", object_id=str(made.public_id))
    assert reads.count() == before + 2
    assert {event.person_reference for event in reads} == {cast.person.reference}
    # Someone who may not see it gets the same answer as for no contact, and nothing is recorded.
    assert signed_in(cast.solo_worker).get(f"/outreach/contacts/{made.public_id}/").status_code == 404
    assert reads.count() == before + 2
