"""The mobile shift page without JavaScript: a plain form that records through the service layer.

The offline outbox and the map are tested in a real browser (tests/browser/test_outreach_shift.py).
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import EpisodeFactory, PersonFactory, member
from tests.outreach.conftest import contact
from waymark.access.constants import Role
from waymark.access.models import Membership
from waymark.audit.models import AuditEvent
from waymark.outreach.models import StreetContact
from waymark.outreach.services import LONDON

URL = "/outreach/shift/"


def _form(**fields):
    """A complete form as the page would post it, with `fields` changed (None leaves one out)."""
    now = timezone.now().astimezone(LONDON) - datetime.timedelta(minutes=2)
    data = {
        "person": "new",
        "reference": "",
        "description": "Man, 40s, green sleeping bag",
        "seen_doing": "bedded_down",
        "actions": ["conversation"],
        "latitude": "",
        "longitude": "",
        "place": "Doorway of 12 High Street",
        "site_type": "",
        "district": "",
        "seen_date": now.strftime("%Y-%m-%d"),
        "seen_time": now.strftime("%H:%M"),
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def met_dan(cast):
    """The street team met Dan yesterday by the bus station."""
    return contact(
        cast.outreach_worker,
        cast.outreach,
        person=cast.person,
        when=timezone.now() - datetime.timedelta(days=1),
        latitude="53.4808",
        longitude="-2.2426",
        place="Bus station",
    )


# --- what the page offers ------------------------------------------------------------------


def test_the_page_offers_the_teams_recent_people_with_where_they_were(cast, met_dan):
    response = signed_in(cast.outreach_worker).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Record a street contact" in page
    assert "Dan Moss" in page and cast.person.reference in page
    assert f'value="{cast.person.public_id}"' in page
    assert 'data-lat="53.4808"' in page and 'data-lng="-2.2426"' in page
    assert "Bus station" in page
    # The outbox's endpoints and the service worker, for shift.js.
    assert 'data-api-url="/api/v1/contacts/"' in page
    assert 'data-sw-url="/outreach/shift/sw.js"' in page
    assert f'data-service="{cast.outreach.public_id}"' in page
    assert "waymark/js/shift.js" in page
    # A clean page may be kept by the phone for use without a signal; never by a shared cache.
    assert response["X-Waymark-Shell"] == "1"
    assert "private" in response["Cache-Control"]


def test_recent_people_leave_out_old_unidentified_other_teams_and_people_not_seen_in_full(cast, met_dan):
    old_friend = PersonFactory(registered_by_service=cast.outreach, first_name="Olga", last_name="Oldtime")
    EpisodeFactory(person=old_friend, service=cast.outreach)
    contact(
        cast.outreach_worker,
        cast.outreach,
        person=old_friend,
        when=timezone.now() - datetime.timedelta(days=15),
    )
    contact(cast.outreach_worker, cast.outreach, description="Woman, 60s, red coat")
    hostel_guest = PersonFactory(registered_by_service=cast.hostel, first_name="Hugo", last_name="Hostelman")
    EpisodeFactory(person=hostel_guest, service=cast.hostel)
    contact(cast.hostel_worker, cast.hostel, person=hostel_guest)
    # Made directly: the service would refuse to let the street team name a protected person.
    now = timezone.now()
    StreetContact.objects.create(
        area=cast.area,
        service=cast.outreach,
        recorded_by=cast.outreach_worker,
        seen_at=now,
        seen_on=now.date(),
        person=cast.protected_person,
        place="Park",
        seen_doing="bedded_down",
    )

    page = signed_in(cast.outreach_worker).get(URL).content.decode()
    assert "Dan Moss" in page
    assert "Olga" not in page, "met more than 14 days ago"
    assert "Hugo" not in page, "another team's contact"
    assert "Priya" not in page and cast.protected_person.reference not in page
    assert str(cast.protected_person.public_id) not in page


def test_another_team_sees_its_own_recent_people_not_the_street_teams(cast, met_dan):
    for user in (cast.hostel_worker, cast.solo_worker):
        response = signed_in(user).get(URL)
        assert response.status_code == 200, user
        page = response.content.decode()
        assert "Dan Moss" not in page and str(cast.person.public_id) not in page
        assert "Bus station" not in page


# --- recording -----------------------------------------------------------------------------


def test_picking_a_recent_person_records_the_contact_through_the_service(cast, met_dan):
    client = signed_in(cast.outreach_worker)
    key = uuid.uuid4()
    response = client.post(
        URL,
        _form(
            person=str(cast.person.public_id),
            description="",
            seen_doing="tent_or_vehicle",
            actions=["conversation", "offered_accommodation"],
            needs=["alcohol"],
            latitude="53.480812",
            longitude="-2.242631",
            place="",
            site_type="encampment",
            idempotency_key=str(key),
        ),
    )
    assert response.status_code == 302 and response["Location"] == URL
    made = StreetContact.objects.get(idempotency_key=key)
    assert made.person == cast.person and made.service == cast.outreach
    assert made.rough_sleeping, "an outreach contact in a tent counts as rough sleeping"
    assert made.actions == ["conversation", "offered_accommodation"] and made.needs == ["alcohol"]
    assert str(made.latitude) == "53.480812" and made.site_type == "encampment"
    assert list(made.workers.all()) == [cast.outreach_worker]
    assert AuditEvent.objects.filter(object_id=str(made.public_id), kind="create").exists()
    after = client.get(URL)
    assert "Contact saved: Dan Moss" in after.content.decode()
    assert "X-Waymark-Shell" not in after, "a page with a message is not the copy the phone keeps"


def test_someone_not_yet_identified_with_a_colleague_and_a_district(cast):
    colleague = member(Role.CONTRIBUTOR, cast.outreach, username="pat.partner", area=cast.area, first_name="Pat")
    client = signed_in(cast.outreach_worker)
    page = client.get(URL).content.decode()
    assert f'value="{colleague.public_id}"' in page and f'value="{cast.district.public_id}"' in page
    response = client.post(
        URL, _form(workers=[str(colleague.public_id)], district=str(cast.district.public_id), seen_doing="begging")
    )
    assert response.status_code == 302
    made = StreetContact.objects.get()
    assert made.person is None and made.description == "Man, 40s, green sleeping bag"
    assert made.district == cast.district and not made.rough_sleeping
    assert set(made.workers.all()) == {cast.outreach_worker, colleague}


def test_a_reference_typed_for_someone_not_in_the_list(cast):
    response = signed_in(cast.outreach_worker).post(URL, _form(description="", reference=cast.person.reference.lower()))
    assert response.status_code == 302
    assert StreetContact.objects.get().person == cast.person


def test_the_time_given_is_london_time(cast):
    signed_in(cast.outreach_worker).post(URL, _form(seen_date="2025-06-30", seen_time="23:30"))
    made = StreetContact.objects.get()
    assert made.seen_at == datetime.datetime(2025, 6, 30, 22, 30, tzinfo=datetime.UTC)
    assert made.seen_on == datetime.date(2025, 6, 30)


def test_no_date_and_time_means_when_save_was_pressed(cast):
    # A page left open on the phone for an hour must not date the contact an hour early.
    before = timezone.now()
    signed_in(cast.outreach_worker).post(URL, _form(seen_date="", seen_time=""))
    assert before <= StreetContact.objects.get().seen_at <= timezone.now()


def test_saving_twice_with_the_same_key_keeps_one_contact(cast):
    client = signed_in(cast.outreach_worker)
    form = _form()
    assert client.post(URL, form).status_code == 302
    second = client.post(URL, form, follow=True)
    assert StreetContact.objects.filter(idempotency_key=form["idempotency_key"]).count() == 1
    assert "That contact was already saved" in second.content.decode()


# --- bad input keeps what was typed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"seen_doing": None}, "Choose what they were doing when you met them."),
        ({"description": "", "person": None}, "Choose the person, or describe them"),
        ({"place": "", "latitude": ""}, "Drop a pin on the map or describe the place."),
        ({"latitude": "north", "longitude": "-2.24"}, "Give the latitude as a number"),
        ({"latitude": "53.48"}, "Give both latitude and longitude, or neither."),
        ({"seen_date": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()}, "now or in the past"),
        ({"seen_time": "25:99"}, "Give the time as 24-hour clock"),
        ({"seen_time": ""}, "Give both the date and the time, or leave both empty for now."),
        ({"description": "x" * 201}, "200 characters"),
        ({"actions": ["hugged"]}, "Select a valid choice"),
    ],
)
def test_bad_input_says_what_to_fix_and_keeps_what_was_typed(cast, fields, message):
    response = signed_in(cast.outreach_worker).post(
        URL, _form(place=fields.pop("place", "Under the railway arch"), **fields)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert "Error: Record a street contact" in page
    if "place" not in fields and "Drop a pin" not in message:
        assert 'value="Under the railway arch"' in page
    assert not StreetContact.objects.exists()


def test_a_person_the_worker_may_not_open_is_refused_in_the_same_words_as_a_typo(cast):
    client = signed_in(cast.outreach_worker)
    picked = client.post(URL, _form(person=str(cast.protected_person.public_id), description=""))
    typed = client.post(URL, _form(description="", reference=cast.hidden_person.reference))
    unknown = client.post(URL, _form(description="", reference="WM-ZZZZZ"))
    assert picked.status_code == typed.status_code == unknown.status_code == 200
    assert "Choose someone from the list." in picked.content.decode()
    assert "No one you can see has that reference" in typed.content.decode()
    assert "No one you can see has that reference" in unknown.content.decode()
    assert "Hana" not in typed.content.decode() and "Priya" not in picked.content.decode()
    assert not StreetContact.objects.exists()


def test_a_worker_not_of_this_team_cannot_be_named_as_with_them(cast):
    stranger = str(cast.hostel_worker.public_id)
    response = signed_in(cast.outreach_worker).post(URL, _form(workers=[stranger]))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not StreetContact.objects.exists()


# --- who may use it ------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in(db, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(URL, _form()).status_code == 302
    assert not StreetContact.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "analyst", "coordinator", "area_admin", "outsider"])
def test_only_workers_and_managers_of_a_service_may_use_it(cast, who):
    client = signed_in(getattr(cast, who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert not StreetContact.objects.exists()


def test_acting_for_a_service_where_the_user_only_views_is_refused(cast):
    user = member(Role.CONTRIBUTOR, cast.outreach, username="dual.role", area=cast.area)
    Membership.objects.create(user=user, area=cast.area, service=cast.refuge, role=Role.VIEWER)
    client = signed_in(user)
    # Switched to the service where they only look people up.
    session = client.session
    session["current_service"] = str(cast.refuge.public_id)
    session.save()
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert not StreetContact.objects.exists()


def test_a_hostel_worker_records_for_the_hostel_which_is_not_rough_sleeping(cast):
    assert signed_in(cast.hostel_worker).post(URL, _form()).status_code == 302
    made = StreetContact.objects.get()
    assert made.service == cast.hostel and not made.rough_sleeping


# --- the service worker --------------------------------------------------------------------


def test_the_service_worker_is_served_from_the_shift_path_with_what_it_keeps(client):
    response = client.get("/outreach/shift/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert 'const SHELL_PAGE = "/outreach/shift/";' in body
    assert "/static/waymark/js/shift.js" in body and "/static/leaflet/leaflet.js" in body
    assert "SHELL_VERSION" in body and 'addEventListener("fetch"' in body
    assert client.post("/outreach/shift/sw.js").status_code == 405


# --- speed ---------------------------------------------------------------------------------


def test_the_page_makes_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    for number in range(25):
        person = PersonFactory(registered_by_service=cast.outreach, first_name=f"Person{number}")
        EpisodeFactory(person=person, service=cast.outreach)
        contact(cast.outreach_worker, cast.outreach, person=person, latitude="53.48", longitude="-2.24")
        contact(cast.outreach_worker, cast.outreach, person=person, seen_doing="begging")
    client = signed_in(cast.outreach_worker)
    client.get(URL)
    with django_assert_max_num_queries(15):
        page = client.get(URL).content.decode()
    assert page.count('name="person" type="radio"') == 26, "25 recent people and 'someone else'"
    with django_assert_max_num_queries(40):
        assert client.post(URL, _form()).status_code == 302
