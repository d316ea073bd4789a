"""The demo's street outreach at small scale: district outlines, street contacts and alerts."""

from __future__ import annotations

import datetime
import hashlib
import io
from collections import Counter
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from waymark.access.constants import Restriction, ServiceKind
from waymark.access.models import Area, District, Membership, Service, User
from waymark.core.demo import OUTREACH_SERVICE, SCALES, DemoContext
from waymark.outreach import demo as outreach_demo
from waymark.outreach import geo
from waymark.outreach.models import (
    ROUGH_SLEEPING,
    ActionTaken,
    Alert,
    AlertOutcome,
    AlertSource,
    AlertStatus,
    DistrictBoundary,
    SeenDoing,
    StreetContact,
)
from waymark.outreach.services import LONDON, counts_as_rough_sleeping, london_day


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """The small demo, built once for this module (a build takes seconds) and removed after it."""
    truth = tmp_path_factory.mktemp("truth") / "near-duplicates.json"
    with django_db_blocker.unblock():
        call_command("demo", scale="small", truth_file=truth, stdout=io.StringIO(), stderr=io.StringIO())
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(db, built) -> Area:
    return Area.objects.get()


def fingerprint() -> str:
    """What the outreach steps made, in a form two builds can be compared by."""
    lines = [
        f"{c.public_id} {c.person_id} {c.service_id} {c.recorded_by_id} {c.seen_at} {c.latitude} {c.longitude} "
        f"{c.district_id} {c.seen_doing} {c.actions} {c.needs} {c.place}"
        for c in StreetContact.objects.order_by("public_id")
    ]
    lines += [
        f"{a.public_id} {a.external_id} {a.received_at} {a.status} {a.outcome} {a.contact and a.contact.public_id}"
        for a in Alert.objects.select_related("contact").order_by("public_id")
    ]
    lines += [f"{b.district_id} {b.polygon}" for b in DistrictBoundary.objects.order_by("district_id")]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def rebuild(area: Area, seed: int) -> None:
    """Run the outreach steps again on the people already there, in the caller's transaction."""
    Alert.objects.all().delete()
    StreetContact.workers.through.objects.all().delete()
    StreetContact.objects.all().delete()
    DistrictBoundary.objects.all().delete()
    ctx = DemoContext(scale=SCALES["small"], seed=seed, show_progress=False, area=area)
    for step in outreach_demo.STEPS:
        step.run(ctx)


def schema() -> set[str]:
    """The contacts tables' indexes and constraints, as PostgreSQL reports them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid IN ('outreach_streetcontact'::regclass, 'outreach_streetcontact_workers'::regclass) "
            "UNION ALL SELECT indexdef FROM pg_indexes "
            "WHERE tablename IN ('outreach_streetcontact', 'outreach_streetcontact_workers')"
        )
        return {row[0] for row in cursor.fetchall()}


def test_every_district_has_an_outline_that_holds_its_centre_and_no_other(demo):
    districts = list(District.objects.filter(area=demo).order_by("pk"))
    boundaries = {b.district_id: b for b in DistrictBoundary.objects.filter(district__area=demo)}
    assert set(boundaries) == {d.pk for d in districts}
    centres = outreach_demo.district_centres(DemoContext(SCALES["small"], 1), [d.name for d in districts])
    for district, (lat, lng) in zip(districts, centres, strict=True):
        assert geo.district_for(demo.pk, lat, lng) == district
        holders = [pk for pk, b in boundaries.items() if geo.inside(b.polygon, lng, lat)]
        assert holders == [district.pk]
    # Greater Manchester, where it is on the map.
    manchester = boundaries[districts[0].pk]
    assert districts[0].name == "Manchester"
    assert manchester.min_lat < 53.4794 < manchester.max_lat and manchester.min_lng < -2.2453 < manchester.max_lng


def test_outlines_tile_the_box_without_overlapping():
    centres = [outreach_demo.CENTRES[name] for name in ("Manchester", "Salford", "Trafford", "Stockport", "Bolton")]
    box = outreach_demo.area_box(centres)
    outlines = outreach_demo.voronoi_outlines(centres, box)
    south, west, north, east = box
    steps = 40
    for i in range(steps):
        for j in range(steps):
            lat = south + (north - south) * (i + 0.5) / steps
            lng = west + (east - west) * (j + 0.5) / steps
            assert sum(geo.inside(outline, lng, lat) for outline in outlines) == 1, (lat, lng)


def test_contacts_come_in_the_scales_number_in_a_realistic_mix(demo):
    contacts = StreetContact.objects.filter(area=demo)
    total = contacts.count()
    assert outreach_demo.VOLUMES["small"].contacts <= total < outreach_demo.VOLUMES["small"].contacts * 1.2
    unidentified = contacts.filter(person__isnull=True)
    assert 0.05 * total < unidentified.count() < 0.2 * total
    assert not unidentified.filter(description="").exists()
    assert not contacts.filter(person__isnull=False).exclude(description="").exists()
    doing = Counter(contacts.values_list("seen_doing", flat=True))
    assert doing.most_common(1)[0][0] == SeenDoing.BEDDED_DOWN
    assert {SeenDoing.SITTING_OR_WALKING, SeenDoing.BEGGING} <= set(doing)
    # Mostly at night (London time): the early-morning shift and the evening round.
    hours = Counter(timezone.localtime(t, LONDON).hour for t in contacts.values_list("seen_at", flat=True))
    night = sum(n for hour, n in hours.items() if hour >= 19 or hour < 8)
    assert night > 0.7 * total
    # Spread over the scale's years, none in the future, some in the last few days.
    span = contacts.aggregate(first=Min("seen_on"), last=Max("seen_on"))
    today = timezone.localdate()
    assert span["first"] >= today - datetime.timedelta(days=2 * 366)
    assert span["first"] < today - datetime.timedelta(days=365)
    assert span["last"] <= today
    assert contacts.filter(seen_at__gt=timezone.now()).count() == 0
    assert contacts.filter(seen_on__gte=today - datetime.timedelta(days=3)).exists()
    # Most people are seen a few times; a minority many nights (living on the streets).
    per_person = Counter(dict(contacts.filter(person__isnull=False).values_list("person").annotate(n=Count("pk"))))
    seen = sorted(per_person.values())
    assert seen[len(seen) // 2] <= 6
    assert sum(1 for n in seen if n == 1) > 0.15 * len(seen)
    assert sum(1 for n in seen if n >= 20) > 0.05 * len(seen)
    # Needs and actions are codes from their lists; place and site type mostly recorded.
    assert contacts.exclude(needs=[]).exists()
    actions = list(contacts.values_list("actions", flat=True))
    assert all(set(codes) <= set(ActionTaken.values) for codes in actions)
    assert sum("conversation" in codes for codes in actions) > total / 2
    assert contacts.exclude(site_type="").count() > 0.9 * total
    assert not contacts.filter(idempotency_key__isnull=False).exists()


def test_returners_come_back_after_months_away(demo):
    days: dict[int, list[datetime.date]] = {}
    for person_id, day in StreetContact.objects.filter(person__isnull=False).values_list("person_id", "seen_on"):
        days.setdefault(person_id, []).append(day)
    returners = [
        person_id
        for person_id, seen in days.items()
        if any((b - a).days > 90 for a, b in zip(sorted(seen), sorted(seen)[1:], strict=False))
    ]
    assert len(returners) >= 5


def test_every_contacts_district_is_the_outline_its_pin_is_in(demo):
    outlines = dict(DistrictBoundary.objects.filter(district__area=demo).values_list("district_id", "polygon"))
    pinned = StreetContact.objects.filter(latitude__isnull=False).values_list("latitude", "longitude", "district_id")
    assert pinned.count() > 0.9 * StreetContact.objects.count()
    for lat, lng, district_id in pinned:
        holders = [pk for pk, polygon in outlines.items() if geo.inside(polygon, float(lng), float(lat))]
        assert holders == [district_id], (lat, lng)
    # The lookup the service layer uses agrees, for a sample.
    for lat, lng, district_id in pinned[:40]:
        assert geo.district_for(demo.pk, lat, lng).pk == district_id
    # Without a pin, the district was chosen and the place described.
    unpinned = StreetContact.objects.filter(latitude__isnull=True)
    assert not unpinned.filter(district__isnull=True).exists()
    assert not unpinned.filter(place="").exists()


def test_rough_sleeping_and_the_day_follow_the_services_rules(demo):
    services = {s.pk: s for s in Service.objects.filter(organisation__area=demo)}
    rows = StreetContact.objects.values_list("service_id", "seen_doing", "rough_sleeping", "seen_at", "seen_on")
    for service_id, seen_doing, rough_sleeping, seen_at, seen_on in rows:
        assert rough_sleeping == counts_as_rough_sleeping(services[service_id], seen_doing)
        assert seen_on == london_day(seen_at)
    flags = Counter(rough_sleeping for _, _, rough_sleeping, _, _ in rows)
    assert flags[True] > flags[False] > 0
    # Day centres record contacts too, and never count them as rough sleeping.
    day_centre = StreetContact.objects.filter(service__kind=ServiceKind.DROP_IN)
    assert day_centre.exists()
    assert not day_centre.filter(rough_sleeping=True).exists()
    assert (
        StreetContact.objects.filter(service__kind=ServiceKind.OUTREACH, seen_doing__in=ROUGH_SLEEPING)
        .filter(rough_sleeping=False)
        .count()
        == 0
    )


def test_contacts_are_by_the_teams_staff_with_people_the_team_may_see(demo):
    members = set(Membership.objects.values_list("user_id", "service_id"))
    for recorded_by, service_id in StreetContact.objects.values_list("recorded_by_id", "service_id"):
        assert (recorded_by, service_id) in members
    through = StreetContact.workers.through.objects.select_related("streetcontact")
    assert through.count() > 0.2 * StreetContact.objects.count()
    for row in through:
        assert (row.user_id, row.streetcontact.service_id) in members
    # Hidden and protected people are only ever met by the team working with them.
    for contact in StreetContact.objects.exclude(person__restriction=Restriction.NONE).exclude(person=None):
        assert contact.person.episodes.filter(service_id=contact.service_id).exists()
    hidden = StreetContact.objects.filter(person__restriction=Restriction.HIDDEN)
    assert hidden.exists()
    worker = User.objects.get(username="outreach.worker")
    visible = StreetContact.objects.visible_to(worker)
    assert visible.filter(service__name=OUTREACH_SERVICE).count() > 100
    assert not visible.filter(person__restriction=Restriction.HIDDEN).exists()
    assert not StreetContact.objects.visible_to(User.objects.get(username="analyst")).exists()


def test_alerts_come_a_few_a_day_and_most_are_dealt_with(demo):
    alerts = Alert.objects.filter(area=demo)
    now = timezone.now()
    assert 200 < alerts.count() < 600
    assert alerts.aggregate(first=Min("received_at"))["first"] > now - datetime.timedelta(days=367)
    assert not alerts.filter(received_at__gt=now).exists()
    closed = alerts.filter(status=AlertStatus.CLOSED)
    assert closed.count() > 0.8 * alerts.count()
    for alert in closed:
        assert alert.outcome in AlertOutcome.values
        assert datetime.timedelta(hours=1) <= alert.response_time <= datetime.timedelta(hours=48)
        assert alert.received_at <= alert.assigned_at <= alert.outcome_at <= now
        assert alert.assigned_service.kind == ServiceKind.OUTREACH
        assert not alert.assigned_service.hidden_work
        if alert.reporter_told_at:
            assert alert.reporter_email or alert.reporter_phone
    found = closed.filter(outcome=AlertOutcome.FOUND)
    assert found.exists()
    assert not found.filter(contact__isnull=True).exists()
    for alert in found.select_related("contact"):
        assert alert.contact.service_id == alert.assigned_service_id
        assert alert.assigned_at <= alert.contact.seen_at <= alert.outcome_at
    assert not closed.exclude(outcome=AlertOutcome.FOUND).filter(contact__isnull=False).exists()
    # Partner and imported alerts carry their platform's reference, once each; public ones none.
    assert not alerts.filter(source=AlertSource.PUBLIC).exclude(external_id="").exists()
    references = list(alerts.exclude(source=AlertSource.PUBLIC).values_list("source", "external_id"))
    assert references and all(ref for _, ref in references)
    assert len(set(references)) == len(references)
    # Pins fall in the district recorded.
    for alert in alerts.exclude(latitude=None)[:100]:
        assert geo.district_for(demo.pk, alert.latitude, alert.longitude).pk == alert.district_id


def test_the_outreach_teams_queue_is_not_empty(demo):
    northway = Service.objects.get(name=OUTREACH_SERVICE)
    queue = Alert.objects.queue_for(northway)
    assert queue.filter(status=AlertStatus.NEW).exists()
    assert queue.filter(received_at__gt=timezone.now() - datetime.timedelta(days=1)).exists()
    worker = User.objects.get(username="outreach.worker")
    assert Alert.objects.visible_to(worker).queue_for(northway).count() == queue.count()
    for alert in queue:
        assert alert.outcome == "" and alert.outcome_at is None


def test_the_same_seed_builds_the_same_outreach_and_another_seed_another(demo):
    built_once = fingerprint()
    before = schema() if connection.vendor == "postgresql" else set()
    rebuild(demo, 1)
    assert fingerprint() == built_once
    if connection.vendor == "postgresql":
        # Keys and indexes dropped for the load are back as they were.
        assert schema() == before
    rebuild(demo, 2)
    assert fingerprint() != built_once
    # Contacts recorded later get ids beyond the demo's.
    top = StreetContact.objects.aggregate(top=Max("id"))["top"]
    made = StreetContact.objects.create(
        area=demo,
        service=Service.objects.get(name=OUTREACH_SERVICE),
        recorded_by=User.objects.get(username="outreach.worker"),
        seen_at=timezone.now(),
        seen_on=timezone.localdate(),
        description="Man, 30s, red rucksack",
        seen_doing=SeenDoing.BEDDED_DOWN,
    )
    assert made.pk > top
