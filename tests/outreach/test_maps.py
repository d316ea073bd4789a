"""Outreach maps: the team map, a person's locations and hotspot cells, as pages and GeoJSON.

Who sees which points is the access model's: a contact follows its person, a
hidden person is never a point, analysts see only cells of five people or more.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.conftest import signed_in
from tests.factories import AreaFactory, DistrictFactory, PersonFactory
from tests.outreach.conftest import contact
from tests.outreach.helpers import at, stored_contact
from waymark.access.models import Membership
from waymark.access.services_record import break_glass
from waymark.audit.models import AuditEvent, AuditKind
from waymark.outreach import maps
from waymark.outreach.models import Alert
from waymark.outreach.periods import london_today, quarter_of

LONDON = ZoneInfo("Europe/London")
# Inside the cell with south-west corner (53.480, -2.245): row 10696, column -449.
IN_CELL = ("53.481200", "-2.241200")
# A cell to the north-east of it.
OTHER_CELL = ("53.497000", "-2.221000")
MAY_2025 = datetime.date(2025, 5, 10)


def _api(client, url):
    return client.get(url, HTTP_ACCEPT="application/json")


def _ids(body, kind=None):
    return {f["properties"]["id"] for f in body["features"] if kind is None or f["properties"]["kind"] == kind}


def rough(cast, person=None, where=IN_CELL, day=MAY_2025, **fields):
    """A rough-sleeping contact made directly: hotspot data, including people the outreach
    team could not record themselves (hidden, protected)."""
    return stored_contact(cast, person, when=at(23, day=day), where=where, **fields)


def pinned(cast, service, person=None, hours=1, where=IN_CELL, **fields):
    """A contact with a pin made directly (any service, any person), `hours` ago."""
    fields.setdefault("description", "" if person else "Woman, 30s, red coat")
    fields.setdefault("seen_doing", "sitting_or_walking")
    when = timezone.now() - datetime.timedelta(hours=hours)
    return stored_contact(cast, person, when=when, where=where, service=service, **fields)


def alert(cast, status="new", where=IN_CELL, **fields):
    lat, lng = where if where else (None, None)
    return Alert.objects.create(
        area=cast.area,
        received_at=timezone.now() - datetime.timedelta(hours=2),
        latitude=Decimal(lat) if lat else None,
        longitude=Decimal(lng) if lng else None,
        location=fields.pop("location", "Bus station"),
        description=fields.pop("description", "Man in a green sleeping bag by the ticket office"),
        status=status,
        **fields,
    )


# --- the team map ---------------------------------------------------------------------------


def test_the_team_map_has_the_teams_recent_contacts_and_the_open_alerts(cast):
    with_person = contact(
        cast.outreach_worker, cast.outreach, person=cast.person, latitude=IN_CELL[0], longitude=IN_CELL[1]
    )
    unknown = contact(cast.outreach_worker, cast.outreach, latitude=OTHER_CELL[0], longitude=OTHER_CELL[1])
    old = pinned(cast, cast.outreach, hours=24 * 10)
    no_pin = contact(cast.outreach_worker, cast.outreach, person=cast.person)
    other_team = pinned(cast, cast.hostel, person=cast.person)
    new, assigned = alert(cast), alert(cast, status="assigned")
    closed, unpinned = alert(cast, status="closed"), alert(cast, where=None)

    body = _api(signed_in(cast.outreach_worker), "/api/v1/maps/contacts/").json()

    assert _ids(body, "contact") == {str(with_person.public_id), str(unknown.public_id)}
    assert _ids(body, "alert") == {str(new.public_id), str(assigned.public_id)}
    assert not {str(c.public_id) for c in (old, no_pin, other_team, closed, unpinned)} & _ids(body)
    assert body["type"] == "FeatureCollection" and body["meta"]["days"] == 7
    assert body["meta"]["service"] == str(cast.outreach.public_id)
    point = next(f for f in body["features"] if f["properties"]["id"] == str(with_person.public_id))
    assert point["geometry"] == {"type": "Point", "coordinates": [-2.2412, 53.4812]}
    props = point["properties"]
    assert props["who"] == cast.person.display_name and props["person"] == str(cast.person.public_id)
    assert props["url"] == f"/outreach/contacts/{with_person.public_id}/"
    assert props["seen_doing"] == "Bedded down (verified rough sleeping)" and props["place"]
    described = next(f for f in body["features"] if f["properties"]["id"] == str(unknown.public_id))
    assert described["properties"]["who"] == "Not yet identified: Man, 40s, green sleeping bag"
    warning = next(f for f in body["features"] if f["properties"]["id"] == str(new.public_id))
    assert warning["properties"]["url"] == f"/outreach/alerts/{new.public_id}/"
    assert warning["properties"]["status"] == "New" and warning["properties"]["place"] == "Bus station"


@pytest.mark.parametrize(("days", "seen"), [("1", {"today"}), ("7", {"today", "last_week"}), ("28", {"all"})])
def test_the_team_map_shows_the_days_chosen(cast, days, seen):
    made = {
        "today": pinned(cast, cast.outreach, hours=2),
        "last_week": pinned(cast, cast.outreach, hours=24 * 5),
        "last_month": pinned(cast, cast.outreach, hours=24 * 20),
    }
    wanted = set(made) if seen == {"all"} else seen
    body = _api(signed_in(cast.outreach_worker), f"/api/v1/maps/contacts/?days={days}").json()
    assert _ids(body, "contact") == {str(made[name].public_id) for name in wanted}


@pytest.mark.parametrize("query", ["days=3", "days=week", "days=", "service=", "service=not-a-uuid"])
def test_bad_team_map_parameters_say_what_to_fix(cast, query):
    error = assert_error(_api(token_client(cast.outreach_worker), f"/api/v1/maps/contacts/?{query}"), 400, "invalid")
    assert query.split("=")[0] in error["fields"]


def test_only_members_admins_and_coordinators_open_a_teams_map(cast):
    pinned(cast, cast.outreach, person=cast.person)
    url = f"/api/v1/maps/contacts/?service={cast.outreach.public_id}"
    for who in ("hostel_worker", "solo_worker", "viewer", "outsider", "analyst"):
        assert_error(_api(token_client(getattr(cast, who)), url), 403, "permission_denied")
    assert_error(_api(token_client(cast.analyst), "/api/v1/maps/contacts/"), 403, "permission_denied")
    assert_error(_api(APIClient(), url), 401)
    for who in ("area_admin", "coordinator"):
        assert len(_api(token_client(getattr(cast, who)), url).json()["features"]) == 1


def test_no_team_map_shows_a_protected_or_hidden_persons_contact_to_those_who_may_not_see_them(cast):
    """Contacts of protected and hidden people recorded by the observers' own teams (before the
    records were restricted, say) are still not theirs to see."""
    lookup = Membership.objects.get(user=cast.viewer).service
    seen = {}
    for service in (cast.hostel, cast.solo, cast.refuge, lookup):
        for person in (cast.protected_person, cast.hidden_person):
            seen[(service.name, person.pk)] = pinned(cast, service, person=person)
    ordinary = pinned(cast, cast.hostel, person=cast.person)
    solo_own = pinned(cast, cast.solo, person=cast.solo_person)
    looked_up = pinned(cast, lookup, person=cast.person)

    hostel = _api(signed_in(cast.hostel_worker), "/api/v1/maps/contacts/").json()
    assert _ids(hostel) == {str(ordinary.public_id)}
    solo = _api(signed_in(cast.solo_worker), "/api/v1/maps/contacts/").json()
    assert _ids(solo) == {str(solo_own.public_id)}
    # A view-only partner sees an ordinary person's locations, never a protected person's.
    viewer = _api(signed_in(cast.viewer), "/api/v1/maps/contacts/").json()
    assert _ids(viewer) == {str(looked_up.public_id)}
    # The refuge works with both, but a hidden person is never a point on a map.
    refuge = _api(signed_in(cast.refuge_worker), "/api/v1/maps/contacts/").json()
    assert _ids(refuge) == {str(seen[(cast.refuge.name, cast.protected_person.pk)].public_id)}
    admin = _api(signed_in(cast.area_admin), f"/api/v1/maps/contacts/?service={cast.refuge.public_id}").json()
    assert _ids(admin) == _ids(refuge)
    page = signed_in(cast.hostel_worker).get("/outreach/map/").content.decode()
    for person in (cast.protected_person, cast.hidden_person):
        assert person.display_name not in page and person.reference not in page


def test_alerts_are_for_those_who_see_alerts(cast):
    open_alert = alert(cast)
    for who in ("hostel_worker", "solo_worker", "viewer"):
        assert not _ids(_api(signed_in(getattr(cast, who)), "/api/v1/maps/contacts/").json(), "alert")
    assert _ids(_api(signed_in(cast.outreach_worker), "/api/v1/maps/contacts/").json(), "alert") == {
        str(open_alert.public_id)
    }


def test_the_team_map_page_lists_the_same_points_in_a_table(cast, settings):
    settings.MAP_TILE_URL = ""
    made = contact(
        cast.outreach_worker,
        cast.outreach,
        person=cast.person,
        latitude=IN_CELL[0],
        longitude=IN_CELL[1],
        place="Arches under the viaduct",
    )
    alert(cast, location="Car park behind Tesco")
    response = signed_in(cast.outreach_worker).get("/outreach/map/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="map-data"' in page and 'data-map="team"' in page and 'data-tile-url=""' in page
    assert 'href="#map-table"' in page and 'id="map-table"' in page
    table = page.split('id="map-table"', 1)[1]
    assert "Arches under the viaduct" in table and "Car park behind Tesco" in table
    assert f"/outreach/contacts/{made.public_id}/" in table and cast.person.display_name in table
    assert "leaflet/leaflet.js" in page and "waymark/js/map-team.js" in page
    assert "<script>" not in page.replace('<script src="', "")


def test_the_team_map_page_keeps_a_bad_choice_and_says_what_to_fix(cast):
    response = signed_in(cast.outreach_worker).get("/outreach/map/?days=5")
    assert response.status_code == 200
    assert "Choose the last 24 hours, 7 days or 28 days." in response.content.decode()


def test_the_team_map_page_is_refused_to_analysts_and_asks_others_to_sign_in(cast):
    assert signed_in(cast.analyst).get("/outreach/map/").status_code == 403
    assert signed_in(cast.hostel_worker).get(f"/outreach/map/?service={cast.outreach.public_id}").status_code == 200
    response = Client().get("/outreach/map/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_team_map_reads_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    people = [cast.person] + [PersonFactory(registered_by_service=cast.outreach) for _ in range(5)]
    for n in range(40):
        pinned(cast, cast.outreach, person=people[n % len(people)] if n % 3 else None, hours=n + 1)
    for _ in range(5):
        alert(cast)
    client = signed_in(cast.outreach_worker)
    client.get("/outreach/map/")
    with django_assert_max_num_queries(16):
        response = client.get("/outreach/map/?days=28")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        body = _api(client, "/api/v1/maps/contacts/?days=28").json()
    assert len(body["features"]) == 45


# --- a person's locations ---------------------------------------------------------------------


def test_a_persons_map_has_their_contacts_numbered_in_time_order(cast):
    first = contact(
        cast.outreach_worker,
        cast.outreach,
        person=cast.person,
        latitude="53.470000",
        longitude="-2.250000",
        when=timezone.now() - datetime.timedelta(days=30),
    )
    second = contact(
        cast.outreach_worker,
        cast.outreach,
        person=cast.person,
        latitude=IN_CELL[0],
        longitude=IN_CELL[1],
        when=timezone.now() - datetime.timedelta(days=3),
    )
    contact(cast.outreach_worker, cast.outreach, person=cast.person)  # no pin
    contact(cast.outreach_worker, cast.outreach, latitude=IN_CELL[0], longitude=IN_CELL[1])  # someone else
    body = _api(signed_in(cast.outreach_worker), f"/api/v1/maps/people/{cast.person.public_id}/").json()
    assert [f["properties"]["id"] for f in body["features"]] == [str(first.public_id), str(second.public_id)]
    assert [f["properties"]["number"] for f in body["features"]] == [1, 2]
    assert body["meta"] == {
        "person": str(cast.person.public_id),
        "reference": cast.person.reference,
        "points": 2,
        "unplaced": 1,
        "truncated": False,
        "default_bounds": None,
    }
    event = AuditEvent.objects.filter(kind=AuditKind.READ, person_reference=cast.person.reference).latest("pk")
    assert "map" in event.action and event.username == cast.outreach_worker.username


# who: (ordinary person, protected person, hidden person): True when they may see the map.
PERSON_MAP = {
    "outreach_worker": (True, False, False),
    "hostel_worker": (True, False, False),
    "viewer": (True, False, False),
    "coordinator": (True, False, False),
    "refuge_worker": (True, True, False),
    "area_admin": (True, True, False),
    "solo_worker": (False, False, False),
    "analyst": (False, False, False),
    "outsider": (False, False, False),
}


@pytest.mark.parametrize("who", list(PERSON_MAP))
def test_a_persons_map_is_for_those_who_see_them_in_full_and_never_for_a_hidden_person(cast, who):
    people = (cast.person, cast.protected_person, cast.hidden_person)
    for person in people:
        pinned(cast, cast.refuge if person != cast.person else cast.outreach, person=person, place="Secret place")
    client = signed_in(getattr(cast, who))
    for person, allowed in zip(people, PERSON_MAP[who], strict=True):
        api = _api(client, f"/api/v1/maps/people/{person.public_id}/")
        page = client.get(f"/outreach/people/{person.public_id}/map/")
        if allowed:
            assert api.status_code == 200 and len(api.json()["features"]) == 1
            assert page.status_code == 200 and "Secret place" in page.content.decode()
        else:
            assert_error(api, 404, "not_found")
            assert page.status_code == 404
            for body in (api.content.decode(), page.content.decode()):
                assert "Secret place" not in body and person.display_name not in body


def test_breaking_the_glass_on_a_protected_identity_shows_their_map_and_is_recorded(cast):
    pinned(cast, cast.refuge, person=cast.protected_person, place="Behind the library")
    client = signed_in(cast.hostel_worker)
    url = f"/outreach/people/{cast.protected_person.public_id}/map/"
    assert client.get(url).status_code == 404
    break_glass(
        cast.hostel_worker,
        cast.protected_person,
        "identity",
        "missing",
        "Reported missing by her sister; checking where she was last seen.",
        service=cast.hostel,
    )
    page = client.get(url).content.decode()
    assert "Behind the library" in page and "because you broke the glass" in page
    event = AuditEvent.objects.filter(person_reference=cast.protected_person.reference).latest("pk")
    assert event.kind == AuditKind.BREAK_GLASS and "map" in event.action
    # Glass never opens a hidden person's map.
    assert client.get(f"/outreach/people/{cast.hidden_person.public_id}/map/").status_code == 404


def test_a_persons_map_refuses_anonymous_callers(cast):
    assert_error(_api(APIClient(), f"/api/v1/maps/people/{cast.person.public_id}/"), 401)
    assert Client().get(f"/outreach/people/{cast.person.public_id}/map/").status_code == 302


def test_a_persons_map_page_has_a_table_in_time_order(cast, django_assert_max_num_queries):
    for days in (9, 5, 1):
        pinned(cast, cast.outreach, person=cast.person, hours=24 * days, place=f"Place {days} days ago")
    client = signed_in(cast.outreach_worker)
    with django_assert_max_num_queries(16):
        response = client.get(f"/outreach/people/{cast.person.public_id}/map/")
    page = response.content.decode()
    table = page.split('id="map-table"', 1)[1]
    assert table.index("Place 9 days ago") < table.index("Place 5 days ago") < table.index("Place 1 days ago")
    assert 'data-map="person"' in page and "waymark/js/map-person.js" in page


# --- hotspots ----------------------------------------------------------------------------------


def _cells(body):
    return {tuple(f["properties"]["centre"]): f["properties"] for f in body["features"]}


def test_a_cell_counts_distinct_people_and_unidentified_contacts_apart(cast):
    ann, bob = (PersonFactory(registered_by_service=cast.outreach) for _ in range(2))
    rough(cast, ann)
    rough(cast, ann, day=MAY_2025 + datetime.timedelta(days=1))
    rough(cast, bob)
    rough(cast, cast.hidden_person)  # counted, never shown
    rough(cast)  # not yet identified, twice
    rough(cast)
    rough(cast, bob, where=OTHER_CELL)
    rough(cast, ann, where=None)  # no pin: counted apart
    # Not counted: not rough sleeping, outside the period, another area.
    rough(cast, bob, rough_sleeping=False, seen_doing="begging")
    rough(cast, bob, day=datetime.date(2025, 8, 1))
    elsewhere = AreaFactory(name="Far away")
    rough(cast, bob, area=elsewhere)

    body = _api(signed_in(cast.outreach_worker), "/api/v1/maps/hotspots/?period=2025-Q2").json()

    cells = _cells(body)
    assert set(cells) == {(53.4825, -2.2425), (53.4975, -2.2225)}
    busy = cells[(53.4825, -2.2425)]
    assert (busy["people"], busy["unidentified"], busy["contacts"]) == (3, 2, 6)
    assert busy["bounds"] == [[53.48, -2.245], [53.485, -2.24]]
    assert cells[(53.4975, -2.2225)]["people"] == 1
    assert [f["geometry"]["type"] for f in body["features"]] == ["Polygon", "Polygon"]
    assert body["features"][0]["properties"]["people"] == 3, "busiest first"
    assert body["meta"]["unplaced"] == 1 and body["meta"]["min_people"] == 1
    assert (body["meta"]["start"], body["meta"]["end"]) == ("2025-04-01", "2025-06-30")
    text = str(body)
    assert cast.hidden_person.reference not in text and cast.hidden_person.display_name not in text


def test_a_point_on_a_cells_edge_falls_in_the_cell_above_and_east_on_every_database(cast):
    rough(cast, cast.person, where=("53.480000", "-2.245000"))
    rough(cast, cast.person, where=("53.484999", "-2.240001"))
    body = _api(signed_in(cast.area_admin), "/api/v1/maps/hotspots/?period=2025-05").json()
    assert [f["properties"]["bounds"] for f in body["features"]] == [[[53.48, -2.245], [53.485, -2.24]]]
    assert body["features"][0]["properties"]["contacts"] == 2


def test_analysts_see_only_cells_of_five_people_or_more_and_never_points(cast):
    many = [PersonFactory(registered_by_service=cast.outreach) for _ in range(5)]
    for person in many:
        rough(cast, person)
    for person in many[:4]:
        rough(cast, person, where=OTHER_CELL)
    rough(cast, where=OTHER_CELL)  # unidentified contacts never lift a cell over the line
    rough(cast, where=None)
    analyst = _api(signed_in(cast.analyst), "/api/v1/maps/hotspots/?period=2025").json()
    assert [f["properties"]["people"] for f in analyst["features"]] == [5]
    assert {f["geometry"]["type"] for f in analyst["features"]} == {"Polygon"}
    assert analyst["meta"]["min_people"] == 5 and analyst["meta"]["unplaced"] is None
    team = _api(signed_in(cast.outreach_worker), "/api/v1/maps/hotspots/?period=2025").json()
    assert sorted(f["properties"]["people"] for f in team["features"]) == [4, 5]
    page = signed_in(cast.analyst).get("/outreach/hotspots/?period=2025").content.decode()
    assert "Squares where fewer than 5 people were seen are not shown" in page
    assert page.count('<tr class="govuk-table__row">') == 1 + 1, "the heading row and one square"
    assert "53.4975" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outreach_worker", 200),
        ("coordinator", 200),
        ("area_admin", 200),
        ("analyst", 200),
        ("hostel_worker", 403),
        ("manager", 403),
        ("refuge_worker", 403),
        ("viewer", 403),
        ("solo_worker", 403),
    ],
)
def test_hotspots_are_for_teams_and_commissioners(cast, who, status):
    for _ in range(5):
        rough(cast, PersonFactory(registered_by_service=cast.outreach))
    client = signed_in(getattr(cast, who))
    response = _api(client, "/api/v1/maps/hotspots/?period=2025-05")
    assert response.status_code == status
    assert client.get("/outreach/hotspots/?period=2025-05").status_code == status
    if status == 403:
        assert_error(response, 403, "permission_denied")
    else:
        assert len(response.json()["features"]) == 1


def test_hotspots_of_another_area_are_never_seen_and_anonymous_callers_are_refused(cast):
    for _ in range(5):
        rough(cast, PersonFactory(registered_by_service=cast.outreach))
    outsider = _api(signed_in(cast.outsider), "/api/v1/maps/hotspots/?period=2025-05")
    assert outsider.status_code == 200 and outsider.json()["features"] == []
    other_district = DistrictFactory(area=cast.outsider.area, name="Their district")
    assert_error(_api(signed_in(cast.area_admin), f"/api/v1/maps/hotspots/?district={other_district.public_id}"), 400)
    assert_error(_api(APIClient(), "/api/v1/maps/hotspots/"), 401)
    assert Client().get("/outreach/hotspots/").status_code == 302


def test_hotspots_filter_by_district_and_kind_of_place(cast, testford_outline):
    inside = contact(
        cast.outreach_worker,
        cast.outreach,
        person=cast.person,
        latitude=IN_CELL[0],
        longitude=IN_CELL[1],
        site_type="park",
    )
    outside = contact(
        cast.outreach_worker,
        cast.outreach,
        description="Man",
        latitude="51.500000",
        longitude="-0.120000",
        site_type="doorway",
    )
    assert inside.district == cast.district and outside.district is None
    client = signed_in(cast.outreach_worker)
    everything = _api(client, "/api/v1/maps/hotspots/").json()
    assert len(everything["features"]) == 2, "the current quarter by default"
    by_district = _api(client, f"/api/v1/maps/hotspots/?district={cast.district.public_id}").json()
    assert [f["properties"]["district_name"] for f in by_district["features"]] == ["Testford"]
    parks = _api(client, "/api/v1/maps/hotspots/?site_type=park").json()
    assert [f["properties"]["people"] for f in parks["features"]] == [1]
    doorways = _api(client, "/api/v1/maps/hotspots/?site_type=doorway").json()
    assert [(f["properties"]["people"], f["properties"]["unidentified"]) for f in doorways["features"]] == [(0, 1)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=2025-13", "period"),
        ("period=last+week", "period"),
        ("period=", "period"),
        ("start=2025-01-01", "end"),
        ("start=2025-03-01&end=2025-01-01", "end"),
        ("start=2015-01-01&end=2025-01-01", "end"),
        ("start=yesterday&end=2025-01-01", "start"),
        ("district=not-a-uuid", "district"),
        ("site_type=roof", "site_type"),
    ],
)
def test_bad_hotspot_filters_say_what_to_fix(cast, query, field):
    error = assert_error(_api(token_client(cast.coordinator), f"/api/v1/maps/hotspots/?{query}"), 400, "invalid")
    assert field in error["fields"]


def test_the_hotspot_page_keeps_what_was_typed_and_says_what_to_fix(cast):
    page = signed_in(cast.coordinator).get("/outreach/hotspots/?period=2025-13").content.decode()
    assert "There is a problem" in page and "There is no month 13: use 01 to 12" in page
    assert 'value="2025-13"' in page and 'id="map-data"' not in page


def test_the_hotspot_page_shows_cells_in_a_table_with_bounded_queries(cast, django_assert_max_num_queries):
    people = [PersonFactory(registered_by_service=cast.outreach) for _ in range(6)]
    for n in range(60):
        lat = Decimal(IN_CELL[0]) + Decimal("0.005") * (n % 7)
        rough(cast, people[n % 6], where=(str(lat), IN_CELL[1]))
    client = signed_in(cast.coordinator)
    with django_assert_max_num_queries(14):
        response = client.get("/outreach/hotspots/?period=2025-Q2")
    page = response.content.decode()
    assert response.status_code == 200 and 'data-map="hotspots"' in page
    assert page.count('<tr class="govuk-table__row">') == 1 + 7
    assert "Squares by number of people" in page and "waymark/js/map-hotspots.js" in page
    with django_assert_max_num_queries(10):
        assert len(_api(client, "/api/v1/maps/hotspots/?period=2025-Q2").json()["features"]) == 7


# --- shades --------------------------------------------------------------------------------


def test_hotspots_are_of_this_quarter_unless_told(cast):
    assert maps.hotspot_filters(cast.coordinator).period == quarter_of(london_today())
    chosen = maps.hotspot_filters(cast.coordinator, period="2024", start="2024-12-30", end="2025-01-02").period
    assert (chosen.start, chosen.end) == (datetime.date(2024, 12, 30), datetime.date(2025, 1, 2))


def test_shades_split_the_counts_into_at_most_five_steps():
    assert maps.shade_breaks(10) == [2, 4, 6, 8, 10]
    assert maps.shade_breaks(3) == [1, 2, 3]
    assert maps.shade_breaks(9, least=5) == [5, 6, 7, 8, 9]
    assert maps.shade_breaks(0) == []
