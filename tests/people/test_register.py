"""Registering a person with the live duplicate check, and editing their details, through the pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.conftest import signed_in
from tests.factories import EpisodeFactory, PersonFactory
from waymark.access.constants import Restriction
from waymark.audit.models import AuditEvent, AuditKind
from waymark.casework.models import Episode
from waymark.people.models import MatchKey, OtherName, Person

REGISTER = reverse("people:register")
CHECK = reverse("people:register_check")
PICK = reverse("people:register_pick")


def form(**fields):
    data = {
        "other-TOTAL_FORMS": "2",
        "other-INITIAL_FORMS": "0",
        "other-MIN_NUM_FORMS": "0",
        "other-MAX_NUM_FORMS": "20",
        "start_episode": "on",
    }
    data.update(fields)
    return data


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


# --- who may register -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("outreach_worker", 200), ("manager", 200), ("solo_worker", 200), ("viewer", 403), ("analyst", 403)],
)
def test_only_workers_and_managers_may_register(cast, who, status):
    client = signed_in(getattr(cast, who))
    assert client.get(REGISTER).status_code == status
    assert client.post(CHECK, form(first_name="Dan", last_name="Moss")).status_code == status
    if status == 403:
        assert client.post(REGISTER, form(first_name="New")).status_code == 403
        assert not Person.objects.filter(first_name="New").exists()


def test_anonymous_is_sent_to_sign_in(client, cast):
    assert client.get(REGISTER).status_code == 302
    assert client.post(CHECK, form(first_name="Dan")).status_code == 302
    assert client.post(REGISTER, form(first_name="Dan")).status_code == 302


def test_the_list_offers_register_to_writers_only(cast):
    assert b"Register a person" in signed_in(cast.outreach_worker).get(reverse("people:list")).content
    assert b"Register a person" not in signed_in(cast.viewer).get(reverse("people:list")).content


# --- the form -------------------------------------------------------------------------------


def test_a_name_or_description_is_required_and_input_is_kept(cast):
    client = signed_in(cast.outreach_worker)
    response = client.post(REGISTER, form(gender="Woman", phone="07700 900123", **{"dob_day": "31", "dob_month": "2"}))
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert "07700 900123" in content  # kept
    assert "The date of birth must include a year." in content
    response = client.post(REGISTER, form(gender="Woman", phone="07700 900123"))
    assert "Give a name (first name, last name or known as) or a description" in response.content.decode()
    assert not Person.objects.filter(phone="07700 900123").exists()


def test_registering_someone_new_saves_keys_an_episode_and_an_audit_event(cast):
    client = signed_in(cast.outreach_worker)
    data = form(
        first_name="Zebedee",
        last_name="Quartermain",
        dob_month="3",
        dob_year="1979",
        nationality="British",
        no_recourse_to_public_funds="no",
        **{"other-0-first_name": "Zeb", "other-0-last_name": "Quarter", "other-0-note": "street name"},
    )
    response = client.post(REGISTER, data)
    person = Person.objects.get(last_name="Quartermain")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[person.public_id])
    assert person.date_of_birth == datetime.date(1979, 3, 1)
    assert person.birth_date_precision == "month"
    assert person.no_recourse_to_public_funds is False
    assert person.restriction == Restriction.NONE
    assert person.registered_by_service == cast.outreach
    assert OtherName.objects.filter(person=person, last_name="Quarter", note="street name").exists()
    keys = set(MatchKey.objects.filter(person=person).values_list("key", flat=True))
    assert {"ln:QUARTERMAIN", "ln:QUARTER", "dm:1979-03"} <= keys
    assert Episode.objects.filter(person=person, service=cast.outreach, ended_on__isnull=True).exists()
    event = AuditEvent.objects.get(
        kind=AuditKind.CREATE, person_reference=person.reference, object_type="people.Person"
    )
    assert event.detail["duplicate_check"] == "no_candidates"
    assert event.service_name == "Northway Street Team"


def test_a_description_alone_is_enough(cast):
    response = signed_in(cast.outreach_worker).post(REGISTER, form(description="man, 40s, green sleeping bag"))
    assert response.status_code == 302
    assert Person.objects.filter(description="man, 40s, green sleeping bag").exists()


def test_an_estimated_age_is_stored_with_the_day_it_was_estimated(cast):
    signed_in(cast.outreach_worker).post(REGISTER, form(known_as="Lofty", estimated_age="45"))
    person = Person.objects.get(known_as="Lofty")
    assert (person.birth_date_precision, person.estimated_age) == ("estimated", 45)
    assert person.age_estimated_on == datetime.date.today()
    assert person.date_of_birth is None


@pytest.mark.parametrize(
    ("service", "restriction"), [("refuge", Restriction.PROTECTED), ("outreach", Restriction.NONE)]
)
def test_the_restriction_follows_the_registering_service(cast, service, restriction):
    worker = {"refuge": cast.refuge_worker, "outreach": cast.outreach_worker}[service]
    signed_in(worker).post(REGISTER, form(first_name="Quinella", last_name="Verity"))
    person = Person.objects.get(first_name="Quinella")
    assert person.restriction == restriction
    # The registering service works with them, so it still sees them in full.
    assert Person.objects.fully_visible_to(worker).filter(pk=person.pk).exists()


# --- the live check and the confirmation ---------------------------------------------------------


def test_the_live_check_lists_candidates_with_score_and_reasons(cast, robert):
    response = signed_in(cast.hostel_worker).post(
        CHECK, form(first_name="Bob", last_name="Smyth", dob_day="5", dob_month="12", dob_year="1980")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Robert Smith" in content and robert.reference in content
    assert "Bob is a nickname of Robert" in content
    assert "Day and month swapped" in content
    assert "This is them" in content
    assert 'id="duplicate-check"' in content


def test_the_live_check_reads_the_gender_typed(cast, robert):
    robert.gender = "Man"
    robert.save()
    client = signed_in(cast.hostel_worker)
    woman = client.post(CHECK, form(first_name="Robert", last_name="Smith", gender="Woman")).content
    assert robert.reference.encode() not in woman
    man = client.post(CHECK, form(first_name="Robert", last_name="Smith", gender="male")).content
    assert robert.reference.encode() in man


def test_the_live_check_shows_a_protected_record_only_as_whom_to_contact(cast):
    response = signed_in(cast.outreach_worker).post(CHECK, form(first_name="Priya", last_name="Shah"))
    content = response.content.decode()
    assert "A record may already exist" in content
    assert "Safe Haven" in content
    for secret in ("Priya Shah", cast.protected_person.reference):
        assert secret not in content.replace('value="Priya"', "")


def test_the_live_check_never_shows_a_hidden_record(cast):
    for who in ("outreach_worker", "solo_worker", "hostel_worker"):
        content = signed_in(getattr(cast, who)).post(CHECK, form(first_name="Hana", last_name="Kaur")).content
        assert b"Kaur" not in content and b"A record may already exist" not in content, who


def test_another_organisation_does_not_see_candidates_it_may_not_see(cast, robert):
    content = signed_in(cast.solo_worker).post(CHECK, form(first_name="Robert", last_name="Smith")).content
    assert b"Robert Smith" not in content and robert.reference.encode() not in content


def test_registering_with_candidates_asks_to_confirm_then_audits_the_answer(cast, robert):
    client = signed_in(cast.hostel_worker)
    data = form(first_name="Bob", last_name="Smith", dob_day="12", dob_month="5", dob_year="1980")
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert b"None of these is the person" in response.content
    assert b"Bob" in response.content  # input kept
    assert not Person.objects.filter(first_name="Bob").exists()
    response = client.post(REGISTER, {**data, "confirm_none": "on", "seen": [str(robert.public_id)]})
    assert response.status_code == 302
    person = Person.objects.get(first_name="Bob")
    event = AuditEvent.objects.get(
        kind=AuditKind.CREATE, person_reference=person.reference, object_type="people.Person"
    )
    assert event.detail["duplicate_check"] == "confirmed_none"
    assert [c["reference"] for c in event.detail["candidates"]] == [robert.reference]
    assert "confirmed none of 1 possible matches" in event.action


def test_confirming_is_not_enough_when_a_candidate_was_not_shown(cast, robert):
    client = signed_in(cast.hostel_worker)
    data = form(first_name="Bob", last_name="Smith", dob_day="12", dob_month="5", dob_year="1980", confirm_none="on")
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert b"More possible matches were found" in response.content
    assert not Person.objects.filter(first_name="Bob").exists()


def test_picking_an_existing_record_opens_it_and_is_audited(cast, robert):
    client = signed_in(cast.hostel_worker)
    data = form(first_name="Bob", last_name="Smith", dob_day="12", dob_month="5", dob_year="1980")
    response = client.post(PICK, {**data, "pick": str(robert.public_id)})
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[robert.public_id])
    event = AuditEvent.objects.get(person_reference=robert.reference, detail__duplicate_check="picked_existing")
    assert event.username == "harry.hostel"
    assert not Person.objects.filter(first_name="Bob").exists()


def test_picking_a_record_the_check_would_not_show_is_not_found(cast, robert):
    client = signed_in(cast.hostel_worker)
    response = client.post(PICK, form(first_name="Nobody", last_name="Similar", pick=str(robert.public_id)))
    assert response.status_code == 404
    response = signed_in(cast.solo_worker).post(
        PICK, form(first_name="Robert", last_name="Smith", pick=str(robert.public_id))
    )
    assert response.status_code == 404


def test_the_check_makes_a_bounded_number_of_queries(cast, robert, django_assert_max_num_queries):
    for i in range(30):
        EpisodeFactory(
            person=PersonFactory(registered_by_service=cast.outreach, first_name="Robert", last_name=f"Smith{i}"),
            service=cast.outreach,
        )
    client = signed_in(cast.hostel_worker)
    with django_assert_max_num_queries(16):
        response = client.post(CHECK, form(first_name="Robert", last_name="Smith", dob_year="1980"))
    assert response.status_code == 200


# --- editing -----------------------------------------------------------------------------------


def _edit_url(person):
    return reverse("people:edit", args=[person.public_id])


def _edit_form(person, **fields):
    data = form(
        first_name=person.first_name,
        last_name=person.last_name,
        version=str(person.version),
        dob_day="12",
        dob_month="5",
        dob_year="1980",
    )
    data.pop("start_episode")
    data.update(fields)
    return data


def test_editing_changes_details_refreshes_keys_and_is_audited(cast, robert):
    client = signed_in(cast.outreach_worker)
    assert b"Robert" in client.get(_edit_url(robert)).content
    response = client.post(
        _edit_url(robert),
        _edit_form(robert, last_name="Smith-Jones", **{"other-0-first_name": "Bobby", "other-0-last_name": "Brown"}),
    )
    assert response.status_code == 302
    robert.refresh_from_db()
    assert robert.last_name == "Smith-Jones" and robert.version == 2
    assert robert.other_names.get().last_name == "Brown"
    assert MatchKey.objects.filter(person=robert, key="ln:BROWN").exists()
    event = AuditEvent.objects.get(kind=AuditKind.CHANGE, person_reference=robert.reference)
    assert event.detail["changed"] == ["last_name", "other_names"]


def test_a_stale_edit_is_refused_and_keeps_the_input(cast, robert):
    client = signed_in(cast.outreach_worker)
    stale = _edit_form(robert, known_as="Bobby T")
    robert.phone = "0161 000 0000"
    robert.version = 2
    robert.save()
    response = client.post(_edit_url(robert), stale)
    assert response.status_code == 409
    assert b"Someone else changed this record" in response.content
    assert b"Bobby T" in response.content
    robert.refresh_from_db()
    assert robert.known_as == ""
    # Saving again, knowingly, works.
    assert client.post(_edit_url(robert), {**stale, "version": "2"}).status_code == 302


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("viewer", 403),
        ("outreach_worker", 200),
        ("hostel_worker", 403),
        ("solo_worker", 404),
        ("outsider", 404),
        ("analyst", 404),
    ],
)
def test_who_may_edit(cast, robert, who, status):
    client = signed_in(getattr(cast, who))
    assert client.get(_edit_url(robert)).status_code == status
    response = client.post(_edit_url(robert), _edit_form(robert, first_name="Changed"))
    assert response.status_code == (302 if status == 200 else status)
    if status != 200:
        assert b"Robert" not in response.content or b"Smith" not in response.content


def test_a_protected_record_cannot_be_edited_by_those_who_see_only_that_it_exists(cast):
    client = signed_in(cast.outreach_worker)
    assert client.get(_edit_url(cast.protected_person)).status_code == 403
    assert client.get(_edit_url(cast.hidden_person)).status_code == 404
