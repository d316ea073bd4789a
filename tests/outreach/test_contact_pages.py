"""Street contact pages through real requests: recording, reading, linking and the lists, and who sees what."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.outreach.conftest import contact
from tests.outreach.helpers import DAY, SEES, at, one_of_each_kind
from waymark.audit.models import AuditEvent
from waymark.outreach.models import StreetContact
from waymark.outreach.services import LONDON

NEW = "/outreach/contacts/new/"
LIST = "/outreach/contacts/"


def detail_url(made) -> str:
    return f"/outreach/contacts/{made.public_id}/"


def link_url(made) -> str:
    return f"/outreach/contacts/{made.public_id}/link/"


def person_url(person) -> str:
    return f"/outreach/people/{person.public_id}/contacts/"


def form_data(cast, **changes) -> dict:
    when = at(23, 40)
    data = {
        "seen_date": when.date().isoformat(),
        "seen_time": when.strftime("%H:%M"),
        "identified": "record",
        "reference": cast.person.reference,
        "description": "",
        "workers": [str(cast.outreach_worker.public_id)],
        "latitude": "53.48",
        "longitude": "-2.24",
        "place": "Doorway of 12 High Street",
        "district": "",
        "site_type": "doorway",
        "seen_doing": "bedded_down",
        "actions": ["conversation", "offered_accommodation"],
        "needs": ["alcohol"],
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(changes)
    return data


def text(response) -> str:
    return response.content.decode()


# --- recording ---------------------------------------------------------------------------------


def test_the_form_starts_with_now_the_worker_and_a_fresh_key(cast):
    response = signed_in(cast.outreach_worker).get(NEW)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["seen_date"].value() == timezone.localdate()
    seen_time = datetime.datetime.strptime(form["seen_time"].value(), "%H:%M").time()
    moment = datetime.datetime.combine(timezone.localdate(), seen_time, tzinfo=LONDON)
    assert abs(timezone.now() - moment) < datetime.timedelta(minutes=2)
    page = text(response)
    assert f'value="{cast.outreach_worker.public_id}" checked' in page
    assert 'name="idempotency_key"' in page and "Northway Street Team" in page
    # Radios reveal the reference or the description (GOV.UK conditional radios), keyboard-reachable.
    assert 'id="id_reference"' in page and 'id="id_description"' in page


def test_recording_a_contact_saves_everything_and_opens_it(cast, testford_outline):
    client = signed_in(cast.outreach_worker)
    response = client.post(NEW, form_data(cast))
    made = StreetContact.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(made)
    assert made.person == cast.person and made.service == cast.outreach
    assert made.seen_at == at(23, 40) and made.seen_on == DAY
    assert made.district == cast.district, "the district comes from the pin when not chosen"
    assert made.actions == ["conversation", "offered_accommodation"] and made.needs == ["alcohol"]
    assert made.rough_sleeping and list(made.workers.all()) == [cast.outreach_worker]
    page = text(client.get(response["Location"]))
    assert "Street contact recorded." in page
    for shown in ("Dan Moss", cast.person.reference, "Doorway of 12 High Street", "Testford", "Seen rough sleeping"):
        assert shown in page
    assert "Offer of accommodation" in page and "Alcohol use" in page and "Doorway or shop front" in page


def test_someone_not_yet_identified_is_recorded_with_a_description(cast):
    client = signed_in(cast.outreach_worker)
    data = form_data(cast, identified="unknown", reference="", description="Man, 40s, green sleeping bag")
    data.update(latitude="", longitude="", seen_doing="begging")
    response = client.post(NEW, data)
    made = StreetContact.objects.get()
    assert response.status_code == 302
    assert made.person is None and made.description == "Man, 40s, green sleeping bag"
    assert not made.rough_sleeping and made.latitude is None
    page = text(client.get(detail_url(made)))
    assert "Not yet identified: Man, 40s, green sleeping bag" in page
    assert "does not count as seen rough sleeping" in page


def test_a_chosen_district_wins_over_the_pin(cast, testford_outline):
    from tests.factories import DistrictFactory

    other = DistrictFactory(area=cast.area, name="Otherton")
    signed_in(cast.outreach_worker).post(NEW, form_data(cast, district=str(other.public_id)))
    assert StreetContact.objects.get().district == other


def test_pressing_save_twice_keeps_one_contact(cast):
    client = signed_in(cast.outreach_worker)
    data = form_data(cast)
    first = client.post(NEW, data)
    again = client.post(NEW, data)
    assert StreetContact.objects.count() == 1
    assert first["Location"] == again["Location"]


def test_the_persons_page_prefills_them(cast):
    client = signed_in(cast.outreach_worker)
    response = client.get(NEW, {"person": str(cast.person.public_id)})
    assert response.context["form"]["reference"].value() == cast.person.reference
    assert response.context["form"]["identified"].value() == "record"
    # Someone the worker may not see in full is not named, nor is a made-up id an error.
    for person_id in (cast.protected_person.public_id, cast.hidden_person.public_id, "not-a-uuid"):
        page = client.get(NEW, {"person": str(person_id)})
        assert page.status_code == 200 and page.context["prefill"] is None
        assert cast.protected_person.reference not in text(page) and cast.hidden_person.reference not in text(page)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"seen_date": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()}, "seen_date", "in the past"),
        ({"seen_date": "1985-06-01"}, "seen_date", "1990 or later"),
        ({"seen_date": "31/02/2025"}, "seen_date", "valid date"),
        ({"seen_date": "0001-01-01", "seen_time": "00:00"}, "seen_date", "1990 or later"),
        ({"seen_date": "9999-12-31", "seen_time": "23:59"}, "seen_date", "in the past"),
        ({"identified": "unknown", "reference": "", "description": ""}, "description", "describe them"),
        ({"identified": "record", "reference": ""}, "reference", "Give their reference"),
        ({"reference": "WM-22222"}, "reference", "No record with this reference"),
        ({"reference": "Dan Moss"}, "reference", "WM-7K3Q9"),
        ({"identified": ""}, "identified", "Say whether"),
        ({"latitude": "95", "longitude": "0"}, "latitude", "not on the map"),
        ({"latitude": "north", "longitude": "-2.24"}, "latitude", "as a number"),
        ({"latitude": "53.48", "longitude": ""}, "latitude", "both latitude and longitude"),
        ({"latitude": "", "longitude": "", "place": ""}, "place", "describe the place"),
        ({"seen_doing": ""}, "seen_doing", "what they were doing"),
        ({"actions": ["hugged"]}, "actions", "valid choice"),
    ],
)
def test_bad_input_says_what_to_fix_next_to_the_field_and_keeps_what_was_typed(cast, changes, field, message):
    data = form_data(cast, **changes)
    response = signed_in(cast.outreach_worker).post(NEW, data)
    assert response.status_code == 200
    assert not StreetContact.objects.exists()
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message.lower() in " ".join(form.errors[field]).lower()
    page = text(response)
    assert "There is a problem" in page and f'id="id_{field}-error"' in page
    assert "Error: Record a street contact" in page
    # What was typed is still there.
    assert data["place"] == "" or 'value="Doorway of 12 High Street"' in page
    assert f'value="{data["seen_time"]}"' in page and 'value="alcohol" checked' in page
    assert f'value="{data["idempotency_key"]}"' in page


def test_a_record_the_worker_may_not_see_reads_as_not_found(cast):
    client = signed_in(cast.outreach_worker)
    answers = set()
    for person in (cast.protected_person, cast.hidden_person, cast.solo_person):
        response = client.post(NEW, form_data(cast, reference=person.reference))
        answers.add(" ".join(response.context["form"].errors["reference"]))
        assert person.first_name not in text(response)
    missing = client.post(NEW, form_data(cast, reference="WM-22222")).context["form"].errors["reference"]
    assert answers == {" ".join(missing)}
    assert not StreetContact.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "analyst", "outsider", "coordinator"])
def test_only_a_worker_acting_for_their_service_records(cast, who):
    client = signed_in(getattr(cast, who))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(cast)).status_code == 403
    assert not StreetContact.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, cast):
    response = client.get(NEW)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(NEW, form_data(cast)).status_code == 302
    assert not StreetContact.objects.exists()


def test_workers_are_chosen_from_the_team(cast):
    response = signed_in(cast.outreach_worker).post(NEW, form_data(cast, workers=[str(cast.hostel_worker.public_id)]))
    assert "workers" in response.context["form"].errors
    assert cast.hostel_worker.display_name not in text(response)


def test_other_services_record_for_themselves_and_it_is_not_rough_sleeping(cast):
    data = form_data(cast, identified="unknown", reference="", description="Woman, 30s", workers=[])
    response = signed_in(cast.hostel_worker).post(NEW, data)
    made = StreetContact.objects.get()
    assert response.status_code == 302 and made.service == cast.hostel and not made.rough_sleeping
    assert list(made.workers.all()) == [cast.hostel_worker]
    # Solo Trust shares with nobody: it may still record its own contacts, but not name others' people.
    solo = signed_in(cast.solo_worker)
    assert solo.post(NEW, form_data(cast, workers=[])).context["form"].errors["reference"]
    assert solo.post(NEW, form_data(cast, reference=cast.solo_person.reference, workers=[])).status_code == 302


# --- one contact -------------------------------------------------------------------------------


@pytest.fixture
def contacts(cast):
    return one_of_each_kind(cast)


@pytest.mark.parametrize("who", sorted(SEES))
def test_a_contact_is_seen_as_its_person_is_and_otherwise_is_not_found(cast, contacts, who):
    client = signed_in(getattr(cast, who))
    for name, made in contacts.items():
        response = client.get(detail_url(made))
        expected = 200 if name in SEES[who] else 404
        assert response.status_code == expected, (who, name)
        if expected == 404:
            assert made.place not in text(response)
    assert client.get(f"/outreach/contacts/{uuid.uuid4()}/").status_code == 404


def test_anonymous_cannot_read_a_contact(client, contacts):
    response = client.get(detail_url(contacts["ordinary"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unidentified_contact_is_linked_after_a_check(cast, contacts):
    made = contacts["unknown"]
    client = signed_in(cast.outreach_worker)
    assert "Link to their record" in text(client.get(detail_url(made)))
    asked = client.post(link_url(made), {"reference": cast.person.reference.lower()})
    assert asked.status_code == 200 and "Yes, link them" in text(asked) and "Dan Moss" in text(asked)
    made.refresh_from_db()
    assert made.person is None, "nothing is linked before the worker confirms"
    done = client.post(link_url(made), {"reference": cast.person.reference, "confirmed": "yes"})
    assert done.status_code == 302 and done["Location"] == detail_url(made)
    made.refresh_from_db()
    assert made.person == cast.person
    assert AuditEvent.objects.filter(object_id=str(made.public_id), kind="change").exists()
    page = text(client.get(detail_url(made)))
    assert f"Contact linked to {cast.person.reference}" in page and "Link to their record" not in page


def test_linking_refuses_people_out_of_sight_and_keeps_the_reference(cast, contacts):
    made = contacts["unknown"]
    client = signed_in(cast.outreach_worker)
    for reference in (cast.protected_person.reference, cast.hidden_person.reference, "WM-22222", "nonsense"):
        response = client.post(link_url(made), {"reference": reference, "confirmed": "yes"})
        assert response.status_code == 200 and response.context["link_form"].errors["reference"]
        assert f'value="{reference}"' in text(response)
    made.refresh_from_db()
    assert made.person is None


@pytest.mark.parametrize("who", ["hostel_worker", "viewer"])
def test_only_the_recording_service_links(cast, contacts, who):
    made = contacts["unknown"]
    client = signed_in(getattr(cast, who))
    assert "Link to their record" not in text(client.get(detail_url(made)))
    response = client.post(link_url(made), {"reference": cast.person.reference, "confirmed": "yes"})
    assert response.status_code == 403
    made.refresh_from_db()
    assert made.person is None


@pytest.mark.parametrize("who", ["solo_worker", "analyst", "outsider"])
def test_linking_a_contact_out_of_sight_is_not_found(cast, contacts, who):
    response = signed_in(getattr(cast, who)).post(
        link_url(contacts["unknown"]), {"reference": cast.person.reference, "confirmed": "yes"}
    )
    assert response.status_code == 404


def test_linking_answers_only_post(cast, contacts):
    assert signed_in(cast.outreach_worker).get(link_url(contacts["unknown"])).status_code == 405


# --- the team's list ---------------------------------------------------------------------------


def test_the_team_list_shows_the_days_contacts_with_counts(cast, contacts):
    contact(cast.outreach_worker, cast.outreach, person=cast.person, when=at(23))
    contact(cast.outreach_worker, cast.outreach, person=cast.person, when=at(9), seen_doing="begging")
    contact(cast.outreach_worker, cast.outreach, person=cast.person, when=at(12, day=DAY - datetime.timedelta(1)))
    contact(cast.hostel_worker, cast.hostel, description="Woman, 30s", when=at(14))
    response = signed_in(cast.outreach_worker).get(LIST, {"day": DAY.isoformat()})
    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert len(listed) == 4 and all(c.service == cast.outreach and c.seen_on == DAY for c in listed)
    assert [c.seen_at for c in listed] == sorted((c.seen_at for c in listed), reverse=True)
    assert response.context["counts"] == {"contacts": 4, "rough_sleeping": 1, "unidentified": 1}
    page = text(response)
    assert "Wednesday 12 March 2025" in page
    assert "?day=2025-03-11" in page and "?day=2025-03-13" in page
    assert "Man, 40s, green bag" in page and "Woman, 30s" not in page


def test_the_team_list_defaults_to_today_and_has_no_next_day(cast):
    made = contact(cast.outreach_worker, cast.outreach, person=cast.person, when=timezone.now())
    response = signed_in(cast.outreach_worker).get(LIST)
    today = timezone.localdate()
    assert response.context["day"] == made.seen_on == today
    assert [c.pk for c in response.context["page"].object_list] == [made.pk]
    assert response.context["next_day"] is None and "Next day" not in text(response)


@pytest.mark.parametrize("day", ["2025-02-30", "yesterday", "1980-01-01", "2999-01-01"])
def test_a_bad_day_says_so_and_shows_today(cast, day):
    response = signed_in(cast.outreach_worker).get(LIST, {"day": day})
    assert response.status_code == 200
    assert response.context["form"].errors["day"] and response.context["day"] == timezone.localdate()
    assert "There is a problem" in text(response) and f'value="{day}"' in text(response)


def test_the_team_list_pages_by_fifty(cast):
    for minute in range(51):
        contact(cast.outreach_worker, cast.outreach, when=at(10, minute), description=f"Person {minute}")
    client = signed_in(cast.outreach_worker)
    first = client.get(LIST, {"day": DAY.isoformat()})
    assert len(first.context["page"].object_list) == 50 and first.context["counts"]["contacts"] == 51
    assert "day=2025-03-12&amp;page=2" in text(first)
    second = client.get(LIST, {"day": DAY.isoformat(), "page": 2})
    assert [c.description for c in second.context["page"].object_list] == ["Person 0"]


def test_the_team_list_makes_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    client = signed_in(cast.outreach_worker)
    client.get(LIST, {"day": DAY.isoformat()})
    for minute in range(30):
        person = cast.person if minute % 2 else None
        contact(cast.outreach_worker, cast.outreach, person=person, when=at(11, minute), description="Man")
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"day": DAY.isoformat()})
    assert len(response.context["page"].object_list) == 30


def test_other_teams_contacts_with_hidden_people_stay_off_every_list(cast, contacts):
    # The refuge's own list shows its contacts; nobody else's list or page names them.
    refuge = text(signed_in(cast.refuge_worker).get(LIST, {"day": DAY.isoformat()}))
    assert "HIDDEN-DOOR" in refuge and "REFUGE-DOOR" in refuge
    for who in ("outreach_worker", "hostel_worker", "viewer", "solo_worker"):
        page = text(signed_in(getattr(cast, who)).get(LIST, {"day": DAY.isoformat()}))
        assert "HIDDEN-DOOR" not in page and "REFUGE-DOOR" not in page
    solo = text(signed_in(cast.solo_worker).get(LIST, {"day": DAY.isoformat()}))
    assert "SOLO-DOOR" in solo and "green bag" not in solo


def test_users_without_a_service_get_no_team_list(cast, contacts):
    for who in ("analyst", "outsider", "area_admin"):
        response = signed_in(getattr(cast, who)).get(LIST, {"day": DAY.isoformat()})
        assert response.status_code == 200 and "not acting for a service" in text(response)
        assert "green bag" not in text(response)


# --- a person's contacts -----------------------------------------------------------------------


PERSON_SEES = {
    "outreach_worker": {"person"},
    "hostel_worker": {"person"},
    "refuge_worker": {"person", "protected_person", "hidden_person"},
    "viewer": {"person"},
    "area_admin": {"person", "protected_person", "hidden_person", "solo_person"},
    "solo_worker": {"solo_person"},
    "analyst": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("who", sorted(PERSON_SEES))
def test_a_persons_contacts_are_for_those_who_see_them_in_full(cast, contacts, who):
    client = signed_in(getattr(cast, who))
    for name in ("person", "protected_person", "hidden_person", "solo_person"):
        person = getattr(cast, name)
        response = client.get(person_url(person))
        expected = 200 if name in PERSON_SEES[who] else 404
        assert response.status_code == expected, (who, name)
        if expected == 200:
            assert [c.person_id for c in response.context["page"].object_list] == [person.pk]
        else:
            for made in contacts.values():
                assert made.place not in text(response)


def test_a_persons_contacts_list_all_teams_and_offer_recording(cast, contacts):
    contact(cast.hostel_worker, cast.hostel, person=cast.person, when=at(8), place="HOSTEL-STEPS")
    client = signed_in(cast.outreach_worker)
    response = client.get(person_url(cast.person))
    page = text(response)
    assert "2 contacts, newest first" in page and "HOSTEL-STEPS" in page and "Harbour House" in page
    assert f"/outreach/contacts/new/?person={cast.person.public_id}" in page
    assert AuditEvent.objects.filter(person_reference=cast.person.reference, kind="read").exists()
    assert "Record a contact" not in text(signed_in(cast.viewer).get(person_url(cast.person)))


def test_anonymous_cannot_list_a_persons_contacts(client, cast):
    response = client.get(person_url(cast.person))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
