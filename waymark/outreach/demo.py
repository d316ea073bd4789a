"""Demo street outreach: district outlines, street contacts and alerts from the public.

Outlines. Each district gets a convex outline: the Voronoi cell of its rough
real-world centre (the town hall, more or less) inside a box around the area,
so Manchester sits between Salford and Tameside and Westminster between
Camden and Lambeth on a real map. Invented districts at national scale get
seeded centres across England. Outlines are saved with `geo.save_boundary`,
the same function the admin uses, so a pin maps to a district as in life.

Hotspots. Each district has a few dozen places where people sleep rough:
station entrances, parks, shop doorways on the main streets, car parks,
underpasses, encampments, bin stores. They cluster around the district's
centre, with a few further out, and some are far busier than others. Every
hotspot keeps a margin inside its district's outline, so a pin jittered
around it stays in the same district: a contact's district comes from the
hotspot it was drawn at, never from a query per row, and always agrees with
`geo.district_for`.

Street contacts follow the shape of CHAIN's data: most people are seen once
or a few times; a minority are seen most nights for weeks or months (living
on the streets); a share are returners, seen again after months or years
away. Careers start more often as the years go on, and time runs on a circle:
a career still going today comes round to the start of the records, so
neither end of the span is thin. Identified contacts are with people
outreach services have episodes
with, and some others they can see (hostel residents back on the street);
about a tenth are with someone not yet identified, with a description. Day
centres record a few contacts too, which by CHAIN's rule never count as
rough sleeping. Contacts are mostly at night (the early-morning verification
shift and the evening round), `seen_on` is the London day and
`rough_sleeping` follows `services.counts_as_rough_sleeping`. Rows go in
through COPY on PostgreSQL with ids given here, so the workers' through
table and the alerts can refer to them without reading them back.

Alerts arrive a few a day over the last year (more in winter), from the
public, a partner platform (StreetLink-like references) and imports. Older
ones are closed with an outcome one to 48 hours after they came in; the last
few days' are new or assigned, and a few arrive overnight for the demo's
outreach team, so its queue is never empty. A found alert is linked to the contact made when it was followed up.
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import random
from array import array
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

from waymark.access.constants import Restriction, Role, ServiceKind
from waymark.access.models import District, Membership, Service
from waymark.casework.models import Episode
from waymark.core.demo import OUTREACH_SERVICE, DemoContext, Step
from waymark.outreach import geo
from waymark.outreach.models import (
    ActionTaken,
    Alert,
    AlertOutcome,
    AlertSource,
    AlertStatus,
    DistrictBoundary,
    ObservedNeed,
    SeenDoing,
    SiteType,
    StreetContact,
)
from waymark.outreach.services import LONDON, counts_as_rough_sleeping, london_day
from waymark.people.models import Person

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)
# How long after meeting someone the contact reaches the server.
SENT_AFTER = tuple(datetime.timedelta(minutes=m) for m in (1, 2, 5, 30, 240))


@contextmanager
def loading(*models: type[Model]) -> Iterator[None]:
    """Load big tables as pg_restore does: without their foreign keys, unique constraints and
    plain indexes, put back (same names, same definitions) once the rows are in.

    Django's foreign keys are deferred, so every row COPY writes queues a check for
    each key, all run at commit one lookup at a time: for street contacts that was
    most of the step. Adding a key back checks every row in one join, and an index
    built at once is quicker than one grown row by row. The primary key stays (other
    tables' keys point at it), as does a unique constraint another table's key uses.
    DDL is transactional in PostgreSQL, so a failed build leaves the schema as it
    was. Elsewhere, nothing changes.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype "
            "FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) AND (c.contype = 'f' OR "
            "(c.contype = 'u' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' "
            "AND k.conindid = c.conindid))) ORDER BY c.conrelid, c.contype, c.conname",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY i.indrelid, i.indexrelid",
            [tables],
        )
        indexes = cursor.fetchall()
        # A table with checks still pending cannot be altered: run them now (and defer again,
        # Django's default), as commit would have.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        # Unique constraints before foreign keys, in case a key in this set points at one.
        for table, name, definition, _ in sorted(constraints, key=lambda c: c[3] == "f"):
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


# --- how much, per scale ------------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """Street outreach at one demo scale."""

    contacts: int
    years: int
    # Alerts a day for each district, on average over the year.
    alerts_per_district: float
    # Hotspots per district, before the busier districts get more.
    hotspots: int


# `metro` is the issue's: 3 M contacts over 25 years, as CHAIN holds for London
# (20 a person). `area` has 10 a person over five years: enough years for flow,
# stock and returners quarter on quarter and year on year, and few enough rows to
# keep the build quick. `national` is `metro`'s rate of contacts a year, 5 a person.
VOLUMES = {
    "small": Volume(contacts=3_000, years=2, alerts_per_district=0.25, hotspots=8),
    "area": Volume(contacts=300_000, years=5, alerts_per_district=0.4, hotspots=25),
    "metro": Volume(contacts=3_000_000, years=25, alerts_per_district=0.6, hotspots=30),
    "national": Volume(contacts=5_000_000, years=10, alerts_per_district=0.15, hotspots=8),
}

# Shares of the contacts.
UNIDENTIFIED_SHARE = 0.10  # with someone not yet identified
DAY_CENTRE_SHARE = 0.03  # recorded by day centres (never rough sleeping by CHAIN's rule)
OTHERS_SHARE = 0.3  # people seen without an outreach episode, per person with one
JOINT_SHARE = 0.3  # contacts with the workers named (two on a joint shift)
NO_PIN_SHARE = 0.01  # a place and a chosen district but no pin (a phone without GPS)
# A career ending this long before a team's episode with the person began is moved into it.
EPISODE_ERA = datetime.timedelta(days=90)

# --- geography ----------------------------------------------------------------------------------

# Rough real centres (latitude, longitude) of the demo's real districts.
CENTRES: dict[str, tuple[float, float]] = {
    # Greater Manchester
    "Manchester": (53.4794, -2.2453),
    "Salford": (53.4875, -2.2901),
    "Trafford": (53.4217, -2.3517),
    "Stockport": (53.4083, -2.1494),
    "Bolton": (53.5785, -2.4299),
    "Bury": (53.5933, -2.2966),
    "Oldham": (53.5409, -2.1114),
    "Rochdale": (53.6097, -2.1561),
    "Tameside": (53.4806, -2.0809),
    "Wigan": (53.5450, -2.6325),
    # London
    "City of London": (51.5155, -0.0922),
    "Barking and Dagenham": (51.5465, 0.1294),
    "Barnet": (51.6252, -0.1517),
    "Bexley": (51.4549, 0.1505),
    "Brent": (51.5588, -0.2817),
    "Bromley": (51.4039, 0.0198),
    "Camden": (51.5517, -0.1588),
    "Croydon": (51.3714, -0.0977),
    "Ealing": (51.5130, -0.3089),
    "Enfield": (51.6538, -0.0799),
    "Greenwich": (51.4826, 0.0077),
    "Hackney": (51.5450, -0.0553),
    "Hammersmith and Fulham": (51.4927, -0.2339),
    "Haringey": (51.5906, -0.1110),
    "Harrow": (51.5898, -0.3346),
    "Havering": (51.5779, 0.2121),
    "Hillingdon": (51.5441, -0.4760),
    "Hounslow": (51.4746, -0.3680),
    "Islington": (51.5465, -0.1058),
    "Kensington and Chelsea": (51.5020, -0.1947),
    "Kingston upon Thames": (51.4085, -0.3064),
    "Lambeth": (51.4571, -0.1231),
    "Lewisham": (51.4415, -0.0117),
    "Merton": (51.4098, -0.2108),
    "Newham": (51.5255, 0.0352),
    "Redbridge": (51.5590, 0.0741),
    "Richmond upon Thames": (51.4613, -0.3037),
    "Southwark": (51.5035, -0.0804),
    "Sutton": (51.3618, -0.1945),
    "Tower Hamlets": (51.5099, -0.0059),
    "Waltham Forest": (51.5908, -0.0134),
    "Wandsworth": (51.4567, -0.1910),
    "Westminster": (51.4975, -0.1357),
}
# How much rough sleeping each district sees, relative to others (1 unless named).
BUSY = {
    "Manchester": 6,
    "Salford": 2,
    "Bolton": 1.5,
    "Oldham": 1.2,
    "Rochdale": 1.2,
    "Trafford": 0.8,
    "Bury": 0.8,
    "Westminster": 8,
    "Camden": 3,
    "City of London": 2.5,
    "Tower Hamlets": 2,
    "Southwark": 2,
    "Lambeth": 2,
    "Newham": 2,
    "Islington": 1.5,
    "Hackney": 1.5,
    "Ealing": 1.5,
    "Kensington and Chelsea": 1.3,
    "Hammersmith and Fulham": 1.2,
    "Hillingdon": 1.2,
    "Croydon": 1.2,
    "Sutton": 0.5,
    "Bexley": 0.5,
    "Havering": 0.5,
    "Richmond upon Thames": 0.6,
    "Kingston upon Thames": 0.6,
    "Harrow": 0.6,
}
# England, for invented districts at national scale (south, west, north, east).
ENGLAND = (50.6, -4.2, 55.0, 1.4)
# Around the sites, so outer districts reach beyond their centres.
PAD_LAT, PAD_LNG = 0.07, 0.11
# Contacts' pins wander this far from their hotspot; alerts' further (a reporter's guess).
CONTACT_JITTER = (0.0004, 0.0006)
ALERT_JITTER = (0.0015, 0.0024)
DECIMALS = 6


def district_centres(ctx: DemoContext, names: list[str]) -> list[tuple[float, float]]:
    """Each district's centre: its real one where known, else a seeded point in England
    kept apart from the others (Voronoi cells need distinct sites)."""
    rng = ctx.random("outreach.centres")
    centres: list[tuple[float, float]] = []
    for name in names:
        if name in CENTRES:
            centres.append(CENTRES[name])
            continue
        south, west, north, east = ENGLAND
        for _ in range(1000):
            point = (rng.uniform(south, north), rng.uniform(west, east))
            if all(abs(point[0] - c[0]) > 0.04 or abs(point[1] - c[1]) > 0.06 for c in centres):
                break
        centres.append(point)
    return centres


def area_box(centres: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """A box around the centres, padded: (south, west, north, east)."""
    lats = [c[0] for c in centres]
    lngs = [c[1] for c in centres]
    return (min(lats) - PAD_LAT, min(lngs) - PAD_LNG, max(lats) + PAD_LAT, max(lngs) + PAD_LNG)


def _clip(polygon: list[tuple[float, float]], a: float, b: float, c: float) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: the part of a convex polygon where a*x + b*y <= c."""
    out: list[tuple[float, float]] = []
    n = len(polygon)
    for i in range(n):
        p, q = polygon[i], polygon[(i + 1) % n]
        p_in = a * p[0] + b * p[1] <= c
        q_in = a * q[0] + b * q[1] <= c
        if p_in:
            out.append(p)
        if p_in != q_in:
            t = (c - a * p[0] - b * p[1]) / (a * (q[0] - p[0]) + b * (q[1] - p[1]))
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def voronoi_outlines(
    centres: list[tuple[float, float]], box: tuple[float, float, float, float]
) -> list[list[list[float]]]:
    """Each centre's Voronoi cell inside the box, as [[longitude, latitude], …] (convex).

    Distances are measured with longitude shrunk by the cosine of the latitude,
    so cells look right on a map; a straight edge stays straight either way.
    """
    south, west, north, east = box
    k = math.cos(math.radians((south + north) / 2))
    sites = [(lng * k, lat) for lat, lng in centres]
    square = [(west * k, south), (east * k, south), (east * k, north), (west * k, north)]
    outlines = []
    for i, (x, y) in enumerate(sites):
        cell = list(square)
        # Nearest first: once the next site is more than twice as far as the cell's furthest
        # corner, its bisector cannot cut the cell.
        others = sorted(((sx - x) ** 2 + (sy - y) ** 2, sx, sy) for j, (sx, sy) in enumerate(sites) if j != i)
        for d2, sx, sy in others:
            reach = max((px - x) ** 2 + (py - y) ** 2 for px, py in cell)
            if d2 > 4 * reach:
                break
            cell = _clip(cell, 2 * (sx - x), 2 * (sy - y), sx * sx + sy * sy - x * x - y * y)
        outlines.append([[round(px / k, DECIMALS), round(py, DECIMALS)] for px, py in cell])
    return outlines


def build_outlines(ctx: DemoContext) -> None:
    """Every district's outline, saved as the admin would save it."""
    districts = list(District.objects.filter(area=ctx.area).order_by("pk"))
    centres = district_centres(ctx, [d.name for d in districts])
    box = ENGLAND if ctx.scale.area == "England" else area_box(centres)
    for district, outline in zip(districts, voronoi_outlines(centres, box), strict=True):
        geo.save_boundary(district, outline)
    label = DistrictBoundary._meta.label
    ctx.created[label] = ctx.created.get(label, 0) + len(districts)


# --- hotspots -----------------------------------------------------------------------------------

SITE_WEIGHTS = [
    (SiteType.DOORWAY, 34),
    (SiteType.PARK, 12),
    (SiteType.STATION, 8),
    (SiteType.CAR_PARK, 8),
    (SiteType.UNDERPASS, 8),
    (SiteType.TENT, 6),
    (SiteType.VEHICLE, 3),
    (SiteType.BIN_STORE, 10),
    (SiteType.OTHER, 11),
]
SITE_PLACES = {
    SiteType.DOORWAY: [
        "doorway of {n} {street}",
        "shop front of the old bank on {street}",
        "doorway of the empty unit at {n} {street}",
        "outside the supermarket on {street}",
        "fire exit of the cinema on {street}",
    ],
    SiteType.PARK: [
        "{surname} Park, by the bandstand",
        "{surname} Gardens",
        "benches in {surname} Park",
        "the rec off {street}",
    ],
    SiteType.STATION: [
        "{district} station, main entrance",
        "{street} bus station",
        "tram stop on {street}",
        "{district} station car park steps",
    ],
    SiteType.CAR_PARK: [
        "{street} multi-storey, level {level}",
        "car park behind {street}",
        "retail park car park off {street}",
    ],
    SiteType.UNDERPASS: [
        "underpass under the ring road by {street}",
        "railway arches off {street}",
        "canal bridge on {street}",
    ],
    SiteType.TENT: [
        "tents on the canal towpath off {street}",
        "tents in the woods behind {street}",
        "encampment by the river near {street}",
    ],
    SiteType.VEHICLE: ["van parked on {street}", "car in the lay-by on {street}"],
    SiteType.BIN_STORE: ["bin store behind {n} {street}", "stairwell of the flats on {street}"],
    SiteType.OTHER: [
        "churchyard of St {saint}'s on {street}",
        "library steps on {street}",
        "by the war memorial on {street}",
    ],
}
SAINTS = ["Anne", "Barnabas", "Bride", "George", "Giles", "Luke", "Mark", "Martin", "Mary", "Peter", "Thomas"]


@dataclass(frozen=True)
class Hotspot:
    """A place where people sleep rough, inside one district with a margin to spare."""

    district_id: int
    lat: float
    lng: float
    site_type: str
    place: str
    weight: float


@dataclass
class Geography:
    """The area's districts, outlines and hotspots, read back and rebuilt the same each time."""

    district_ids: list[int]
    # Cumulative weights: `choices` draws from them without adding up each time.
    district_weights: list[float]
    spots: dict[int, list[Hotspot]]
    spot_weights: dict[int, list[float]]
    outlines: dict[int, list[list[float]]]

    def district(self, rng: random.Random) -> int:
        """A district, the busier ones more often."""
        return rng.choices(self.district_ids, cum_weights=self.district_weights)[0]

    def spot(self, rng: random.Random, district_id: int) -> Hotspot:
        """A hotspot in the district, the popular ones more often."""
        return rng.choices(self.spots[district_id], cum_weights=self.spot_weights[district_id])[0]

    def locate(self, lat: float, lng: float) -> int | None:
        """The district whose outline holds the point: what `geo.district_for` answers, without a query."""
        for district_id, polygon in self.outlines.items():
            if geo.inside(polygon, lng, lat):
                return district_id
        return None


def _margin_inside(polygon: list[list[float]], lat: float, lng: float) -> bool:
    """The box of the widest jitter around the point is inside the (convex) outline."""
    dlat, dlng = ALERT_JITTER
    return all(geo.inside(polygon, lng + sx * dlng, lat + sy * dlat) for sx in (-1, 1) for sy in (-1, 1))


def geography(ctx: DemoContext, volume: Volume) -> Geography:
    """The districts with their outlines (from the database) and seeded hotspots."""
    rng = ctx.random("outreach.hotspots")
    fake = ctx.faker("outreach.hotspots")
    districts = list(District.objects.filter(area=ctx.area).order_by("pk"))
    outlines = dict(DistrictBoundary.objects.filter(district__area=ctx.area).values_list("district_id", "polygon"))
    centres = dict(zip([d.pk for d in districts], district_centres(ctx, [d.name for d in districts]), strict=True))
    streets = list(dict.fromkeys(fake.street_name() for _ in range(400)))
    surnames = list(dict.fromkeys(fake.last_name() for _ in range(200)))
    types, type_weights = zip(*SITE_WEIGHTS, strict=True)
    spots: dict[int, list[Hotspot]] = {}
    for district in districts:
        polygon = outlines[district.pk]
        lat0, lng0 = centres[district.pk]
        lngs = [p[0] for p in polygon]
        lats = [p[1] for p in polygon]
        busy = BUSY.get(district.name, 1.0)
        count = max(4, round(volume.hotspots * (0.8 + 0.1 * min(busy, 6))))
        found: list[Hotspot] = []
        while len(found) < count:
            central = rng.random() < 0.65
            for _ in range(200):
                if central:  # the town centre: within a kilometre or so
                    lat, lng = rng.gauss(lat0, 0.006), rng.gauss(lng0, 0.010)
                else:
                    lat, lng = rng.uniform(min(lats), max(lats)), rng.uniform(min(lngs), max(lngs))
                if _margin_inside(polygon, lat, lng):
                    break
            else:
                lat, lng = lat0, lng0
            site_type = rng.choices(types, weights=type_weights)[0]
            place = rng.choice(SITE_PLACES[site_type]).format(
                n=rng.randrange(1, 240),
                street=rng.choice(streets),
                surname=rng.choice(surnames),
                district=district.name,
                saint=rng.choice(SAINTS),
                level=rng.randrange(1, 6),
            )
            # A few places draw most people: the main station, the park by the shops.
            weight = min(rng.paretovariate(1.2), 30.0) * (2 if central else 1)
            found.append(Hotspot(district.pk, round(lat, DECIMALS), round(lng, DECIMALS), site_type, place, weight))
        spots[district.pk] = found
    return Geography(
        district_ids=[d.pk for d in districts],
        district_weights=list(itertools.accumulate(BUSY.get(d.name, 1.0) for d in districts)),
        spots=spots,
        spot_weights={pk: list(itertools.accumulate(s.weight for s in found)) for pk, found in spots.items()},
        outlines=outlines,
    )


def jitter(rng: random.Random, spot: Hotspot, reach: tuple[float, float]) -> tuple[float, float]:
    """A pin near the hotspot, no further than its margin allows."""
    return (
        round(spot.lat + rng.uniform(-reach[0], reach[0]), DECIMALS),
        round(spot.lng + rng.uniform(-reach[1], reach[1]), DECIMALS),
    )


# --- who is seen, and by whom -------------------------------------------------------------------

FEATURES = [
    "green sleeping bag", "red rucksack", "grey hoodie", "army jacket", "Scottish accent", "Irish accent",
    "Polish speaker", "Romanian speaker", "has a brown lurcher", "has a Staffie", "walks with a stick",
    "uses a wheelchair", "long beard", "shaved head", "flat cap", "blue tent", "shopping trolley",
    "tattoo on the neck", "bandaged hand", "high-vis jacket", "pink hat", "glasses", "ponytail",
    "black puffer jacket", "camouflage trousers", "guitar", "two large holdalls", "sits with a cup",
]  # fmt: skip
AGES = ["20s", "20s", "30s", "30s", "30s", "40s", "40s", "40s", "50s", "50s", "60s", "late teens"]
# {who} opens a sentence ("A man", "Someone"), {whom} is mid-sentence, {noun} the bare word.
ALERT_DESCRIPTIONS = [
    "{who} in a sleeping bag in the doorway, has been there the last few nights.",
    "{who} lying on cardboard, not moving much, looked very cold.",
    "{who} with a {item}, sleeping by the entrance.",
    "I walk past every morning and {whom} is always there. Seems unwell.",
    "{who} in a tent, there for about a week now.",
    "{who} asked me for change and said they had nowhere to sleep tonight.",
    "{who} sleeping on the bench, soaked through from the rain.",
    "{who} and a dog, bedded down behind the shops.",
    "Young {noun} sitting with their belongings, looked frightened.",
    "{who} shouting and seemed distressed, then lay down in the doorway.",
]
ALERT_ITEMS = [
    "green sleeping bag", "red rucksack", "grey hoodie", "army jacket", "brown dog", "shopping trolley",
    "long beard", "walking stick", "wheelchair", "high-vis jacket", "pink hat", "guitar", "blue tent",
]  # fmt: skip
NEEDS = [
    (ObservedNeed.MENTAL_HEALTH, 0.42),
    (ObservedNeed.ALCOHOL, 0.33),
    (ObservedNeed.DRUGS, 0.33),
    (ObservedNeed.PHYSICAL_HEALTH, 0.25),
    (ObservedNeed.SAFEGUARDING, 0.05),
]


def description(rng: random.Random) -> str:
    """How a worker describes someone who has not given a name: man, 40s, green sleeping bag."""
    who = rng.choices(("Man", "Woman", "Person"), weights=(82, 16, 2))[0]
    return f"{who}, {rng.choice(AGES)}, {rng.choice(FEATURES)}"


@dataclass
class Subject:
    """Someone seen in the street over a career of one or more spells."""

    person_id: int | None
    service_id: int  # the outreach service that sees them most
    ordinary: bool  # not protected or hidden: other teams may meet them too
    kind: str  # once, few, regular, unidentified
    contacts: int = 1
    density: float = 0.5  # contacts a night while out
    episode: tuple[datetime.date, datetime.date | None] | None = None
    nrpf: bool = False
    description: str = ""


class Shared:
    """JSON lists (actions, needs) made once per combination, in the form the database path takes."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self.cache: dict[tuple[str, ...], Any] = {}

    def __call__(self, codes: tuple[str, ...]) -> Any:
        value = self.cache.get(codes)
        if value is None:
            # COPY takes JSON as text; bulk_create wants the list.
            value = json.dumps(list(codes)) if self.pg else list(codes)
            self.cache[codes] = value
        return value


def growth_day(rng: random.Random, first: datetime.date, last: datetime.date, growth: float = 1.0) -> datetime.date:
    """A day between `first` and `last`, more likely later: street homelessness has grown."""
    u = rng.random()
    t = (-1 + math.sqrt(1 + 2 * growth * u * (1 + growth / 2))) / growth
    return first + datetime.timedelta(days=int(t * max((last - first).days, 0)))


def _rounded(rng: random.Random, x: float) -> int:
    return int(x) + (rng.random() < x - int(x))


class ContactMaker:
    """Street contacts as plain rows for `ctx.insert_rows`, and the workers named on them."""

    COLUMNS = [
        "id",
        "public_id",
        "area_id",
        "service_id",
        "recorded_by_id",
        "seen_at",
        "seen_on",
        "person_id",
        "description",
        "latitude",
        "longitude",
        "place",
        "district_id",
        "site_type",
        "seen_doing",
        "actions",
        "needs",
        "rough_sleeping",
        "idempotency_key",
        "created_at",
        "updated_at",
    ]

    def __init__(self, ctx: DemoContext, rng: random.Random, services: dict[int, Service], staff: dict) -> None:
        self.ctx = ctx
        self.rng = rng
        self.services = services
        self.staff = staff
        self.area_id = ctx.area.pk
        self.now = timezone.now()
        self.json = Shared()
        first = StreetContact.objects.aggregate(top=Max("id"))["top"] or 0
        self.next_id = first + 1
        # (contact id, user id) for the workers' through table, compactly.
        self.worker_contacts = array("q")
        self.worker_users = array("q")

    def moment(self, day: datetime.date, daytime: bool) -> datetime.datetime:
        """When on the night of `day` (London time): the early-morning verification shift,
        the evening round, or (for `daytime`) office hours."""
        # int(random() * n) rather than randrange: this runs for every one of millions of rows.
        random = self.rng.random
        if daytime:
            hour = 9 + int(random() * 9)
        else:
            roll = random()
            if roll < 0.5:  # early-morning shift, the next morning
                day += ONE_DAY
                hour = 4 + int(random() * 4)
            elif roll < 0.88:
                hour = 19 + int(random() * 5)
            else:  # after midnight
                day += ONE_DAY
                hour = int(random() * 2)
        local = datetime.datetime(day.year, day.month, day.day, hour, int(random() * 60), tzinfo=LONDON)
        moment = local.astimezone(UTC)
        while moment > self.now:  # tonight's round has not happened yet: last night's did
            moment -= ONE_DAY
        return moment

    def seen_doing(self, spot: Hotspot, daytime: bool) -> str:
        roll = self.rng.random()
        if spot.site_type in (SiteType.TENT, SiteType.VEHICLE):
            return SeenDoing.TENT_OR_VEHICLE if roll < 0.85 else SeenDoing.SITTING_OR_WALKING
        if daytime:
            if roll < 0.22:
                return SeenDoing.BEDDED_DOWN
            if roll < 0.65:
                return SeenDoing.SITTING_OR_WALKING
            return SeenDoing.BEGGING if roll < 0.95 else SeenDoing.DAY_CENTRE
        if roll < 0.86:
            return SeenDoing.BEDDED_DOWN
        return SeenDoing.SITTING_OR_WALKING if roll < 0.95 else SeenDoing.BEGGING

    def actions(self, seen_doing: str) -> Any:
        rng = self.rng
        codes = []
        declined = rng.random() < 0.14
        if not declined or rng.random() < 0.5:
            codes.append(ActionTaken.CONVERSATION)
        if seen_doing in (SeenDoing.BEDDED_DOWN, SeenDoing.TENT_OR_VEHICLE) and rng.random() < 0.3:
            codes.append(ActionTaken.OFFERED_ACCOMMODATION)
        if rng.random() < 0.12:
            codes.append(ActionTaken.REFERRAL_MADE)
        if rng.random() < 0.012:
            codes.append(ActionTaken.EMERGENCY_SERVICES)
        if declined:
            codes.append(ActionTaken.DECLINED)
        return self.json(tuple(codes))

    def row(
        self,
        *,
        service_id: int,
        recorder: int,
        partner: int | None,
        seen_at: datetime.datetime,
        person_id: int | None,
        description: str,
        spot: Hotspot,
        seen_doing: str,
        needs: tuple[str, ...],
        place: str | None = None,
        site_type: str | None = None,
    ) -> tuple:
        """One contact row; `rough_sleeping` by CHAIN's rule and `seen_on` the London day."""
        rng = self.rng
        contact_id = self.next_id
        self.next_id += 1
        if rng.random() < NO_PIN_SHARE:
            lat = lng = None
        else:
            lat, lng = jitter(rng, spot, CONTACT_JITTER)
        site = spot.site_type if site_type is None else site_type
        if rng.random() < 0.03:  # left blank on a busy night: the compliance scores notice
            site = ""
        if rng.random() < JOINT_SHARE:
            self.worker_contacts.append(contact_id)
            self.worker_users.append(recorder)
            if partner is not None and partner != recorder:
                self.worker_contacts.append(contact_id)
                self.worker_users.append(partner)
        # Sent from the phone at once, or when back in signal, or typed up after the shift.
        created = min(self.now, seen_at + SENT_AFTER[int(rng.random() * len(SENT_AFTER))])
        return (
            contact_id,
            self.ctx.uuid(rng),
            self.area_id,
            service_id,
            recorder,
            seen_at,
            london_day(seen_at),
            person_id,
            description,
            lat,
            lng,
            spot.place if place is None else place,
            spot.district_id,
            site,
            seen_doing,
            self.actions(seen_doing),
            self.json(needs),
            counts_as_rough_sleeping(self.services[service_id], seen_doing),
            None,
            created,
            created,
        )

    def insert(self, rows: Iterator[tuple], total: int, desc: str, *, bulk: bool = False) -> int:
        """Insert contact rows, then the workers named on them; keep the id sequence ahead of them.

        `bulk` loads them without keys and indexes, put back afterwards (worth it for many rows).
        """
        through = StreetContact.workers.through
        with loading(StreetContact, through) if bulk else nullcontext():
            count = self.ctx.insert_rows(StreetContact, self.COLUMNS, rows, total=total, desc=desc)
            self.ctx.insert_rows(
                through,
                ["streetcontact_id", "user_id"],
                zip(self.worker_contacts, self.worker_users, strict=True),
                total=len(self.worker_contacts),
                desc="workers named on contacts",
            )
        self.worker_contacts = array("q")
        self.worker_users = array("q")
        if connection.vendor == "postgresql":
            # Ids were given here: move the sequence past them for contacts recorded later.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [StreetContact]):
                    cursor.execute(sql)
        return count


def _staff(service_ids: list[int]) -> dict[int, list[int]]:
    staff: dict[int, list[int]] = {}
    for user_id, service_id in (
        Membership.objects.filter(service_id__in=service_ids, role__in=[Role.CONTRIBUTOR, Role.MANAGER])
        .filter(ended_at__isnull=True)
        .order_by("pk")
        .values_list("user_id", "service_id")
    ):
        staff.setdefault(service_id, []).append(user_id)
    return staff


def volume_for(ctx: DemoContext) -> Volume:
    """The scale's volume; an unknown scale gets `area`'s per person."""
    if ctx.scale.name in VOLUMES:
        return VOLUMES[ctx.scale.name]
    area = VOLUMES["area"]
    return Volume(area.contacts * ctx.scale.people // 30_000, area.years, area.alerts_per_district, area.hotspots)


def build_contacts(ctx: DemoContext) -> None:
    """Street contacts to the scale's volume, spread over its years as CHAIN's are."""
    rng = ctx.random("outreach.contacts")
    volume = volume_for(ctx)
    place = geography(ctx, volume)
    services = {
        s.pk: s
        for s in Service.objects.filter(
            organisation__area=ctx.area, kind__in=[ServiceKind.OUTREACH, ServiceKind.DROP_IN]
        ).order_by("pk")
    }
    staff = _staff(list(services))
    outreach = [pk for pk, s in services.items() if s.kind == ServiceKind.OUTREACH and pk in staff]
    day_centres = [pk for pk, s in services.items() if s.kind == ServiceKind.DROP_IN and pk in staff]
    if not outreach:
        return
    # Teams that go out to other teams' districts, and those who cover a district.
    open_door = [pk for pk in outreach if not services[pk].hidden_work] or outreach
    featured = [3.0 if services[pk].name == OUTREACH_SERVICE else 1.0 for pk in open_door]
    covering: dict[int, list[int]] = {}
    for pk in open_door:
        if services[pk].district_id is not None:
            covering.setdefault(services[pk].district_id, []).append(pk)

    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=round(volume.years * 365.25))
    span = (today - first_day).days
    target = volume.contacts
    maker = ContactMaker(ctx, rng, services, staff)

    # --- who: people outreach has episodes with, some others, and the not yet identified ---
    subjects: list[Subject] = []
    seen_people: set[int] = set()
    for person_id, service_id, started, ended, restriction, nrpf in (
        Episode.objects.filter(service_id__in=outreach, person__area=ctx.area)
        .order_by("pk")
        .values_list(
            "person_id",
            "service_id",
            "started_on",
            "ended_on",
            "person__restriction",
            "person__no_recourse_to_public_funds",
        )
        .iterator(chunk_size=ctx.batch_size)
    ):
        if person_id in seen_people:
            continue
        seen_people.add(person_id)
        subjects.append(
            Subject(
                person_id,
                service_id,
                restriction == Restriction.NONE,
                "",
                episode=(started, ended),
                nrpf=bool(nrpf),
            )
        )
    with_episode = len(subjects)
    # Others the teams can see: hostel residents and day-centre regulars back on the street.
    others = [
        (pk, nrpf)
        for pk, nrpf in Person.objects.filter(area=ctx.area, restriction=Restriction.NONE)
        .order_by("pk")
        .values_list("pk", "no_recourse_to_public_funds")
        .iterator(chunk_size=ctx.batch_size)
        if pk not in seen_people
    ]
    for pk, nrpf in rng.sample(others, min(len(others), round(with_episode * OTHERS_SHARE))):
        subjects.append(Subject(pk, rng.choices(open_door, weights=featured)[0], True, "", nrpf=bool(nrpf)))
    del others, seen_people

    day_centre_target = round(target * DAY_CENTRE_SHARE) if day_centres else 0
    unidentified_target = round(target * UNIDENTIFIED_SHARE)
    identified_target = target - day_centre_target - unidentified_target

    # How often each is seen: once, a few times, or many nights (the last carry the volume).
    regular: list[tuple[Subject, float]] = []
    fixed = 0
    for subject in subjects:
        roll = rng.random()
        if roll < 0.34:
            subject.kind, subject.contacts = "once", 1
        elif roll < 0.70:
            subject.kind, subject.contacts = "few", rng.randrange(2, 7)
            subject.density = rng.uniform(0.15, 0.7)
        else:
            subject.kind = "regular"
            subject.density = rng.uniform(0.3, 0.85)
            regular.append((subject, math.exp(rng.gauss(0, 1.0))))
            continue
        fixed += subject.contacts
    # Share the rest among the regulars by weight, none beyond what their years can hold.
    least = 7
    capped: dict[int, int] = {}
    for _ in range(4):
        free = [(i, w) for i, (_, w) in enumerate(regular) if i not in capped]
        room = identified_target - fixed - sum(capped.values()) - least * len(free)
        scale = max(room, 0) / (sum(w for _, w in free) or 1)
        for i, w in free:
            cap = int(span * 0.6 * regular[i][0].density)
            if least + w * scale > cap:
                capped[i] = max(least, cap)
    for i, (subject, w) in enumerate(regular):
        subject.contacts = capped.get(i) or least + _rounded(rng, w * scale)

    unidentified: list[Subject] = []
    planned = 0
    while planned < unidentified_target:
        roll = rng.random()
        n = 1 if roll < 0.5 else rng.randrange(2, 5) if roll < 0.85 else rng.randrange(5, 16)
        n = min(n, unidentified_target - planned)
        base = rng.choice(subjects) if subjects else None
        service_id = base.service_id if base and base.ordinary else rng.choices(open_door, weights=featured)[0]
        unidentified.append(
            Subject(None, service_id, True, "unidentified", n, rng.uniform(0.3, 0.8), description=description(rng))
        )
        planned += n

    def home_district(subject: Subject) -> int:
        own = services[subject.service_id].district_id
        return own if own is not None and rng.random() < 0.7 else place.district(rng)

    def spell_service(subject: Subject, district_id: int) -> int:
        """Mostly the subject's own team; an ordinary person met elsewhere, that district's."""
        if not subject.ordinary or rng.random() < 0.75:
            return subject.service_id
        teams = covering.get(district_id)
        return rng.choice(teams) if teams else subject.service_id

    def spells(subject: Subject) -> list[tuple[datetime.date, int, int]]:
        """(first night, nights, contacts) for each spell out, in order."""
        n = subject.contacts
        if subject.kind == "once":
            count = 1
        elif subject.kind == "few":
            count = 2 if rng.random() < 0.25 else 1
        elif subject.kind == "regular":
            count = 1 if rng.random() < 0.55 else rng.randrange(2, 6)
        else:
            count = 1
        count = min(count, n)
        cuts = sorted(rng.sample(range(1, n), count - 1)) if count > 1 else []
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
        nights = [max(m, round(m / subject.density)) if m > 1 else 1 for m in parts]
        # Returners come back after months or years away: more than a quarter, so the
        # figures see them as returners rather than stock.
        gaps = [min(2000, max(100, int(rng.lognormvariate(math.log(300), 0.8)))) for _ in parts[1:]]
        length = sum(nights) + sum(gaps)
        if length > span:
            squeeze = max(0.0, (span - sum(nights)) / (sum(gaps) or 1))
            gaps = [int(g * squeeze) for g in gaps]
            if sum(nights) > span:
                nights = [max(1, int(d * span / sum(nights))) for d in nights]
                parts = [min(m, d) for m, d in zip(parts, nights, strict=True)]
            length = sum(nights) + sum(gaps)
        # Careers start at any time, more often lately; the part of one still going past today
        # comes round to the start of the records (see `on_the_calendar`), so the years near
        # either end are as full as the rest.
        start = growth_day(rng, first_day, today)
        end = start + datetime.timedelta(days=length - 1)
        if subject.episode is not None and end >= subject.episode[0] - EPISODE_ERA:
            # Out about when a team's episode with them began: the last spell reaches into it,
            # and for some the team is working with now it runs to the last few weeks. Only
            # careers already near those years move, so the years' totals keep their shape.
            started, ended = subject.episode
            if ended is None and rng.random() < 0.25:
                end = today - datetime.timedelta(days=int(rng.expovariate(1 / 45)))
            elif end < started:
                end = min(today, started + datetime.timedelta(days=rng.randrange(30)))
            start = max(first_day, end - datetime.timedelta(days=length - 1))
        out = []
        for i, (m, d) in enumerate(zip(parts, nights, strict=True)):
            out.append((start, d, m))
            start += datetime.timedelta(days=d + (gaps[i] if i < len(gaps) else 0))
        return out

    def on_the_calendar(day: datetime.date) -> datetime.date:
        """A day past today comes round to the start of the records: time runs on a circle."""
        return first_day + datetime.timedelta(days=(day - first_day).days % (span + 1))

    def needs_of(subject: Subject) -> tuple[str, ...]:
        codes = [code for code, share in NEEDS if rng.random() < share]
        if subject.nrpf:
            codes.append(ObservedNeed.NRPF)
        return tuple(codes)

    def street_rows() -> Iterator[tuple]:
        for subject in [*subjects, *unidentified]:
            home = home_district(subject)
            profile = needs_of(subject)
            for first_night, nights, count in spells(subject):
                district_id = home if rng.random() < 0.8 else place.district(rng)
                spot = place.spot(rng, district_id)
                service_id = spell_service(subject, district_id)
                team = staff[service_id]
                usual = rng.choice(team)
                for offset in sorted(rng.sample(range(nights), count)):
                    day = on_the_calendar(first_night + datetime.timedelta(days=offset))
                    daytime = rng.random() < 0.15
                    here = spot if rng.random() < 0.8 else place.spot(rng, district_id)
                    recorder = usual if rng.random() < 0.6 else rng.choice(team)
                    roll = rng.random()
                    needs = (profile or (ObservedNeed.NONE_SEEN,)) if roll < 0.55 else ()
                    yield maker.row(
                        service_id=service_id,
                        recorder=recorder,
                        partner=rng.choice(team),
                        seen_at=maker.moment(day, daytime),
                        person_id=subject.person_id,
                        description=subject.description,
                        spot=here,
                        seen_doing=maker.seen_doing(here, daytime),
                        needs=needs,
                    )

    def day_centre_rows() -> Iterator[tuple]:
        """Day centres' contacts with people they work with: at the centre, in opening hours."""
        visits = [
            (person_id, service_id, max(started, first_day), ended or today)
            for person_id, service_id, started, ended in Episode.objects.filter(
                service_id__in=day_centres, person__area=ctx.area
            )
            .order_by("pk")
            .values_list("person_id", "service_id", "started_on", "ended_on")
            if (ended or today) >= first_day
        ]
        if not visits:
            return
        # Each centre is where the district's busiest spot is: in the town centre.
        busiest = {pk: max(found, key=lambda s: s.weight) for pk, found in place.spots.items()}
        for _ in range(day_centre_target):
            person_id, service_id, started, ended = rng.choice(visits)
            spot = busiest[services[service_id].district_id or place.district_ids[0]]
            day = started + datetime.timedelta(days=rng.randrange((ended - started).days + 1))
            roll = rng.random()
            seen_doing = (
                SeenDoing.DAY_CENTRE
                if roll < 0.75
                else SeenDoing.SITTING_OR_WALKING
                if roll < 0.9
                else SeenDoing.BEDDED_DOWN  # found outside before opening: still not a verified sighting
            )
            team = staff[service_id]
            yield maker.row(
                service_id=service_id,
                recorder=rng.choice(team),
                partner=None,
                seen_at=maker.moment(day, True),
                person_id=person_id,
                description="",
                spot=spot,
                seen_doing=seen_doing,
                needs=(),
                place=services[service_id].name,
                site_type=SiteType.OTHER,
            )

    def rows() -> Iterator[tuple]:
        yield from street_rows()
        yield from day_centre_rows()

    maker.insert(rows(), total=target, desc="street contacts", bulk=True)


# --- alerts -------------------------------------------------------------------------------------

OUTCOMES = [
    (AlertOutcome.FOUND, 45),
    (AlertOutcome.NOT_FOUND, 30),
    (AlertOutcome.ALREADY_KNOWN, 12),
    (AlertOutcome.NOT_ROUGH_SLEEPING, 8),
    (AlertOutcome.OUTSIDE_AREA, 5),
]
# Reports come in through the day, most on the way to work and in the evening.
HOURS = [7, 7, 8, 8, 8, 9, 9, 10, 11, 12, 13, 14, 15, 16, 17, 17, 18, 18, 19, 20, 21, 22, 23]
ALERT_COLUMNS = [
    "public_id",
    "area_id",
    "source",
    "external_id",
    "received_at",
    "seen_at",
    "latitude",
    "longitude",
    "location",
    "district_id",
    "description",
    "reporter_is_person",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "status",
    "assigned_service_id",
    "assigned_to_id",
    "assigned_at",
    "outcome",
    "outcome_at",
    "outcome_by_id",
    "contact_id",
    "reporter_told_at",
    "created_at",
    "updated_at",
]


def build_alerts(ctx: DemoContext) -> None:
    """Alerts over the last year, a few a day, most dealt with; the last days' still open."""
    stream = ctx.random("outreach.alerts")
    fake = ctx.faker("outreach.alerts")
    volume = volume_for(ctx)
    place = geography(ctx, volume)
    outreach_all = {
        s.pk: s for s in Service.objects.filter(organisation__area=ctx.area, kind=ServiceKind.OUTREACH).order_by("pk")
    }
    staff = _staff(list(outreach_all))
    # The hidden team's work stays hidden: alerts go to the teams everyone knows.
    teams = [pk for pk, s in outreach_all.items() if pk in staff and not s.hidden_work]
    if not teams:
        return
    central = next((pk for pk in teams if outreach_all[pk].name == OUTREACH_SERVICE), teams[0])
    by_district: dict[int, list[int]] = {}
    for pk in teams:
        if outreach_all[pk].district_id is not None:
            by_district.setdefault(outreach_all[pk].district_id, []).append(pk)
    # People each team is working with now, for alerts about someone already known.
    known: dict[int, list[int]] = {}
    for person_id, service_id in (
        Episode.objects.filter(service_id__in=teams, ended_on__isnull=True, person__restriction=Restriction.NONE)
        .order_by("pk")
        .values_list("person_id", "service_id")
    ):
        known.setdefault(service_id, []).append(person_id)

    now = timezone.now()
    today = timezone.localdate()
    maker = ContactMaker(ctx, stream, outreach_all, staff)
    contacts: list[tuple] = []
    alerts: list[tuple] = []
    sequence = {AlertSource.PARTNER: 0, AlertSource.IMPORT: 0}

    def alert(received: datetime.datetime, district_id: int, fresh: bool = False) -> tuple:
        # Each alert draws from its own generator: whether it is still open depends on the
        # time of the build, and that must not change every alert after it.
        rng = random.Random(stream.getrandbits(64))
        maker.rng = rng
        spot = place.spot(rng, district_id)
        source = AlertSource.PUBLIC if fresh else rng.choices(list(AlertSource), weights=(72, 23, 5))[0]
        external_id = ""
        if source != AlertSource.PUBLIC:
            sequence[source] += 1
            day = london_day(received)
            external_id = (
                f"SL-{day:%Y%m%d}-{sequence[source]:05d}"
                if source == AlertSource.PARTNER
                else f"IMP-{sequence[source]:06d}"
            )
        if rng.random() < 0.05 and not fresh:  # an address only; the team places it
            lat = lng = None
            alert_district = None
        else:
            lat, lng = jitter(rng, spot, ALERT_JITTER)
            alert_district = district_id
        noun = description(rng).split(",")[0].lower()
        whom = "someone" if noun == "person" else f"a {noun}"
        text = rng.choice(ALERT_DESCRIPTIONS).format(
            who=whom.capitalize(), whom=whom, noun=noun, item=rng.choice(ALERT_ITEMS)
        )
        by_self = source == AlertSource.PUBLIC and rng.random() < 0.04
        name = fake.name() if source == AlertSource.PUBLIC and rng.random() < 0.5 else ""
        email = f"{name.split()[0].lower()}.{rng.randrange(10, 99)}@example.com" if name and rng.random() < 0.7 else ""
        phone = f"07700 900{rng.randrange(1000):03d}" if source == AlertSource.PUBLIC and rng.random() < 0.25 else ""
        seen = received - datetime.timedelta(minutes=rng.randrange(5, 600)) if rng.random() < 0.9 else None
        age = now - received
        team = rng.choice(by_district.get(district_id) or [central])
        workers = staff[team]
        status, assigned_at, assigned_to, outcome, outcome_at, outcome_by, contact_id, told = (
            AlertStatus.NEW, None, None, "", None, None, None, None,
        )  # fmt: skip
        response = datetime.timedelta(hours=min(48.0, max(1.0, rng.lognormvariate(math.log(10), 0.8))))
        if fresh:
            pass
        elif received + response <= now and (age > datetime.timedelta(hours=72) or rng.random() < 0.5):
            status = AlertStatus.CLOSED
            outcome_at = received + response
            assigned_at = received + response * rng.uniform(0.05, 0.5)
            assigned_to = rng.choice(workers)
            outcome_by = assigned_to
            outcome = rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0]
            if outcome == AlertOutcome.FOUND:
                people = known.get(team)
                person_id = rng.choice(people) if people and rng.random() < 0.45 else None
                found_at = max(assigned_at, outcome_at - datetime.timedelta(minutes=rng.randrange(5, 60)))
                roll = rng.random()
                seen_doing = (
                    SeenDoing.BEDDED_DOWN
                    if roll < 0.8
                    else SeenDoing.SITTING_OR_WALKING
                    if roll < 0.92
                    else SeenDoing.BEGGING
                )
                row = maker.row(
                    service_id=team,
                    recorder=outcome_by,
                    partner=rng.choice(workers),
                    seen_at=found_at,
                    person_id=person_id,
                    description="" if person_id else description(rng),
                    spot=spot,
                    seen_doing=seen_doing,
                    needs=(),
                )
                contacts.append(row)
                contact_id = row[0]
            if (email or phone) and rng.random() < 0.75:
                told = min(now, outcome_at + datetime.timedelta(hours=rng.uniform(1, 30)))
        elif age > datetime.timedelta(hours=2) and rng.random() < 0.6:
            status = AlertStatus.ASSIGNED
            assigned_at = received + min(age, response) * rng.uniform(0.1, 0.6)
            assigned_to = rng.choice(workers) if rng.random() < 0.8 else None
        updated = max(t for t in (received, assigned_at, outcome_at, told) if t is not None)
        return (
            ctx.uuid(rng),
            ctx.area.pk,
            source,
            external_id,
            received,
            seen,
            lat,
            lng,
            spot.place if rng.random() < 0.6 else f"near {spot.place}",
            alert_district,
            text,
            by_self,
            name,
            email,
            phone,
            status,
            team if status != AlertStatus.NEW else None,
            assigned_to,
            assigned_at,
            outcome,
            outcome_at,
            outcome_by,
            contact_id,
            told,
            received,
            updated,
        )

    def received_on(day: datetime.date, hour: int) -> datetime.datetime:
        local = datetime.datetime(day.year, day.month, day.day, hour, stream.randrange(60), tzinfo=LONDON)
        return local.astimezone(UTC)

    daily = volume.alerts_per_district * len(place.district_ids)
    for back in range(365, -1, -1):
        day = today - datetime.timedelta(days=back)
        # More calls in the cold months.
        winter = 1 + 0.35 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)
        for _ in range(_rounded(stream, daily * winter * stream.uniform(0.6, 1.4))):
            received = received_on(day, stream.choice(HOURS))
            district_id = place.district(stream)
            if received <= now:
                alerts.append(alert(received, district_id))
    # Whatever the year brought, the central team's queue has something new from overnight.
    home = outreach_all[central].district_id or place.district_ids[0]
    for hour in (1, 3, 6):
        received = received_on(today, hour)
        if received > now:  # before dawn: last night's
            received -= ONE_DAY
        alerts.append(alert(received, home, fresh=True))
    alerts.sort(key=lambda row: row[4])

    if contacts:
        maker.insert(iter(contacts), total=len(contacts), desc="contacts from alerts")
    ctx.insert_rows(Alert, ALERT_COLUMNS, iter(alerts), total=len(alerts), desc="alerts")


STEPS = [
    Step("outreach.outlines", 50, build_outlines, "District outlines, so map pins fall in districts"),
    Step("outreach.contacts", 52, build_contacts, "Street contacts over the years, and the workers named"),
    Step("outreach.alerts", 54, build_alerts, "Alerts from the public and a partner platform over the last year"),
]
