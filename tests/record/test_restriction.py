"""Changing a restriction: who may, what is recorded, who is told (and never why)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.conftest import signed_in
from tests.factories import EpisodeFactory, PersonFactory
from tests.record.conftest import same_page
from waymark.access.constants import Restriction
from waymark.access.models import ServiceNotice
from waymark.access.services_record import StaleVersion, change_restriction
from waymark.audit.models import AuditEvent, AuditKind
from waymark.core.context import acting_as
from waymark.people.models import Person

REASON = "Ex-partner has been asking partner services where she is staying."


def _change(user, person, new, reason="", version=None, service=None):
    with acting_as(user=user, service=service):
        return change_restriction(user, person, new, reason, version)


@pytest.fixture
def linked(cast):
    """Dan (registered by outreach, working with outreach) also had a hostel episode, now closed."""
    EpisodeFactory(
        person=cast.person,
        service=cast.hostel,
        started_on=datetime.date.today() - datetime.timedelta(days=90),
        ended_on=datetime.date.today() - datetime.timedelta(days=30),
    )
    return cast.person


# --- who may change it ---------------------------------------------------------------------


def test_a_worker_at_a_service_working_with_the_person_may_change_it(cast, linked):
    change = _change(cast.outreach_worker, linked, Restriction.PROTECTED, service=cast.outreach)
    linked.refresh_from_db()
    assert linked.restriction == Restriction.PROTECTED
    assert linked.version == 2
    assert change.old == Restriction.NONE and change.new == Restriction.PROTECTED


def test_the_reason_is_optional_for_a_working_service_but_recorded_when_given(cast, linked):
    _change(cast.outreach_worker, linked, Restriction.PROTECTED, service=cast.outreach)
    _change(cast.outreach_worker, linked, Restriction.NONE, reason="Safe now.", service=cast.outreach)
    events = list(AuditEvent.objects.filter(kind=AuditKind.CHANGE, person_id=linked.public_id).order_by("id"))
    assert len(events) == 2
    assert "reason" not in events[0].detail
    assert events[1].detail["reason"] == "Safe now."
    assert events[1].detail["changes"] == {"restriction": ["protected", "none"]}
    assert events[1].service_name == "Northway Street Team"


@pytest.mark.parametrize("who", ["hostel_worker", "viewer", "manager", "solo_worker", "coordinator"])
def test_services_not_working_with_the_person_may_not(cast, who):
    with pytest.raises(PermissionDenied):
        _change(getattr(cast, who), cast.person, Restriction.HIDDEN)
    cast.person.refresh_from_db()
    assert cast.person.restriction == Restriction.NONE


def test_an_analyst_and_an_outsider_may_not(cast):
    for user in (cast.analyst, cast.outsider):
        with pytest.raises(PermissionDenied):
            _change(user, cast.person, Restriction.HIDDEN, reason=REASON)


def test_an_area_admin_must_give_a_reason(cast):
    with pytest.raises(ValidationError) as error:
        _change(cast.area_admin, cast.person, Restriction.PROTECTED)
    assert "reason" in error.value.message_dict
    _change(cast.area_admin, cast.person, Restriction.PROTECTED, reason=REASON)
    cast.person.refresh_from_db()
    assert cast.person.restriction == Restriction.PROTECTED
    event = AuditEvent.objects.get(kind=AuditKind.CHANGE, person_id=cast.person.public_id)
    assert event.detail["reason"] == REASON
    assert event.detail["as_area_admin"] is True


def test_a_worker_must_act_for_the_service_working_with_the_person(cast):
    from tests.factories import member
    from waymark.access.constants import Role

    both = member(Role.CONTRIBUTOR, cast.outreach, username="two.hats", area=cast.area)
    from waymark.access.models import Membership

    Membership.objects.create(user=both, area=cast.area, service=cast.hostel, role=Role.CONTRIBUTOR)
    with pytest.raises(PermissionDenied, match="Switch to Northway Street Team"):
        _change(both, cast.person, Restriction.PROTECTED, service=cast.hostel)
    _change(both, cast.person, Restriction.PROTECTED, service=cast.outreach)


def test_a_stale_version_is_refused(cast):
    _change(cast.outreach_worker, cast.person, Restriction.PROTECTED, version=1)
    with pytest.raises(StaleVersion):
        _change(cast.outreach_worker, cast.person, Restriction.HIDDEN, version=1)
    assert Person.objects.get(pk=cast.person.pk).restriction == Restriction.PROTECTED


def test_choosing_the_same_restriction_is_refused(cast):
    with pytest.raises(ValidationError):
        _change(cast.outreach_worker, cast.person, Restriction.NONE)


# --- who is told, and what --------------------------------------------------------------------


def test_other_linked_services_are_told_what_they_can_no_longer_see_never_why(cast, linked):
    _change(cast.outreach_worker, linked, Restriction.PROTECTED, reason=REASON)
    notices = list(ServiceNotice.objects.all())
    assert [n.service for n in notices] == [cast.hostel]
    assert notices[0].message == (
        f"The record {linked.reference} is now protected: you will see only that a record exists and whom to contact."
    )
    assert "partner" not in notices[0].message and "Dan" not in notices[0].message


def test_loosening_sends_no_notice_and_hiding_sends_another(cast, linked):
    _change(cast.outreach_worker, linked, Restriction.HIDDEN)
    assert ServiceNotice.objects.get().message == (
        f"The record {linked.reference} is now hidden: it no longer appears for your service."
    )
    _change(cast.outreach_worker, linked, Restriction.PROTECTED)
    _change(cast.outreach_worker, linked, Restriction.NONE)
    assert ServiceNotice.objects.count() == 1


def test_the_registering_service_is_told_and_services_working_with_the_person_are_not(cast):
    person = PersonFactory(registered_by_service=cast.hostel, first_name="Reg", last_name="Istered")
    EpisodeFactory(person=person, service=cast.outreach)
    EpisodeFactory(person=person, service=cast.solo)
    _change(cast.area_admin, person, Restriction.HIDDEN, reason=REASON)
    assert {n.service for n in ServiceNotice.objects.all()} == {cast.hostel}
    event = AuditEvent.objects.get(kind=AuditKind.CHANGE)
    assert event.detail["notified_services"] == ["Harbour House"]


def test_after_hiding_the_other_service_no_longer_finds_the_person(cast, linked):
    hostel = signed_in(cast.hostel_worker)
    url = reverse("people:detail", args=[linked.public_id])
    assert hostel.get(url).status_code == 200
    _change(cast.outreach_worker, linked, Restriction.HIDDEN)
    assert hostel.get(url).status_code == 404
    assert_error(token_client(cast.hostel_worker).get(f"/api/v1/people/{linked.public_id}/"), 404)


# --- the page ---------------------------------------------------------------------------------------


def _url(person):
    return reverse("record:restriction", args=[person.public_id])


def test_the_page_asks_then_confirms_then_changes(cast, linked):
    client = signed_in(cast.outreach_worker)
    page = client.get(_url(linked))
    assert page.status_code == 200
    assert b"Change who can see this record" in page.content
    confirm = client.post(_url(linked), {"restriction": "protected", "reason": REASON, "version": 1})
    assert confirm.status_code == 200
    assert b"Make this record protected?" in confirm.content
    assert b"Harbour House" in confirm.content  # who will be told
    assert Person.objects.get(pk=linked.pk).restriction == Restriction.NONE  # nothing yet
    done = client.post(_url(linked), {"restriction": "protected", "reason": REASON, "version": 1, "confirmed": "yes"})
    assert done.status_code == 302
    assert done["Location"] == reverse("people:detail", args=[linked.public_id])
    assert Person.objects.get(pk=linked.pk).restriction == Restriction.PROTECTED


def test_the_page_can_go_back_to_change_the_answer(cast):
    client = signed_in(cast.outreach_worker)
    data = {"restriction": "hidden", "reason": "Because.", "version": 1, "confirmed": "yes", "change": "yes"}
    back = client.post(_url(cast.person), data)
    assert back.status_code == 200
    assert b"Change who can see this record" in back.content
    assert b"Because." in back.content
    assert Person.objects.get(pk=cast.person.pk).restriction == Restriction.NONE


def test_the_page_keeps_the_input_on_a_stale_version(cast):
    client = signed_in(cast.outreach_worker)
    _change(cast.outreach_worker, cast.person, Restriction.PROTECTED)
    data = {"restriction": "hidden", "reason": "My words stay.", "version": 1, "confirmed": "yes"}
    response = client.post(_url(cast.person), data)
    assert response.status_code == 409
    assert b"Someone else changed this record" in response.content
    assert b"My words stay." in response.content
    assert Person.objects.get(pk=cast.person.pk).restriction == Restriction.PROTECTED


def test_an_area_admin_without_a_reason_gets_the_error_next_to_the_field(cast):
    client = signed_in(cast.area_admin)
    response = client.post(_url(cast.person), {"restriction": "protected", "reason": "", "version": 1})
    assert response.status_code == 400
    assert b'id="id_reason-error"' in response.content
    assert b"area admins must say why" in response.content


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outreach_worker", 200),
        ("area_admin", 200),
        ("hostel_worker", 403),
        ("viewer", 403),
        ("manager", 403),
        ("coordinator", 403),
        ("solo_worker", 404),
        ("analyst", 404),
        ("outsider", 404),
    ],
)
def test_who_may_open_the_page(cast, who, status):
    assert signed_in(getattr(cast, who)).get(_url(cast.person)).status_code == status


def test_the_page_for_a_hidden_person_is_a_404_for_others_as_for_a_missing_one(cast):
    import uuid

    client = signed_in(cast.hostel_worker)
    hidden = client.get(_url(cast.hidden_person))
    missing = client.get(reverse("record:restriction", args=[uuid.uuid4()]))
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden, missing)
    assert signed_in(cast.refuge_worker).get(_url(cast.hidden_person)).status_code == 200


def test_anonymous_is_sent_to_sign_in(cast):
    response = Client().get(_url(cast.person))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- the API ----------------------------------------------------------------------------------------


def _api_url(person):
    return f"/api/v1/people/{person.public_id}/restriction/"


def test_the_api_reads_the_restriction_and_says_who_may_change_it(cast):
    body = token_client(cast.refuge_worker).get(_api_url(cast.protected_person)).json()
    assert body == {
        "person": str(cast.protected_person.public_id),
        "reference": cast.protected_person.reference,
        "restriction": "protected",
        "version": 1,
        "can_change": True,
        "reason_required": False,
    }
    limited = token_client(cast.hostel_worker).get(_api_url(cast.protected_person))
    assert limited.json()["can_change"] is False
    assert "Priya" not in limited.content.decode()
    assert token_client(cast.area_admin).get(_api_url(cast.protected_person)).json()["reason_required"] is True


def test_the_api_changes_it_and_refuses_a_stale_version(cast, linked):
    client = token_client(cast.outreach_worker)
    response = client.post(_api_url(linked), {"restriction": "protected", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["restriction"] == "protected"
    assert response.json()["version"] == 2
    assert response.json()["services_told"] == 1
    stale = client.post(_api_url(linked), {"restriction": "hidden", "version": 1}, format="json")
    assert_error(stale, 409, "conflict")


def test_the_api_refuses_others(cast):
    assert_error(
        token_client(cast.hostel_worker).post(_api_url(cast.person), {"restriction": "hidden"}, format="json"), 403
    )
    assert_error(token_client(cast.viewer).post(_api_url(cast.person), {"restriction": "hidden"}, format="json"), 403)
    admin = token_client(cast.area_admin)
    error = assert_error(admin.post(_api_url(cast.person), {"restriction": "hidden"}, format="json"), 400)
    assert "reason" in error["fields"]
    for user in (cast.analyst, cast.outsider, cast.solo_worker):
        assert_error(token_client(user).get(_api_url(cast.person)), 404)
        assert_error(token_client(user).post(_api_url(cast.person), {"restriction": "hidden"}, format="json"), 404)
    assert_error(APIClient().get(_api_url(cast.person)), 401)
    assert Person.objects.get(pk=cast.person.pk).restriction == Restriction.NONE


def test_the_api_answers_a_hidden_person_as_a_missing_one(cast):
    import uuid

    client = token_client(cast.hostel_worker)
    hidden = client.post(_api_url(cast.hidden_person), {"restriction": "none"}, format="json")
    missing = client.post(f"/api/v1/people/{uuid.uuid4()}/restriction/", {"restriction": "none"}, format="json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
