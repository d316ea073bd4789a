"""Outreach maps: a team's recent contacts and open alerts, a person's locations over time,
and hotspot cells of where people were seen rough sleeping.

Pages and API endpoints both call these functions and nothing else, so the rules
are the same wherever a map is drawn:

* Points come only through `StreetContact.objects.visible_to(user)` and
  `Alert.objects.visible_to(user)`, and a hidden person is never a point on any
  map, for anyone: a hidden person's whereabouts are the most dangerous thing the
  record holds.
* Hotspots are aggregates over every rough-sleeping contact of the user's area
  (hidden people included, as counts only), grouped in the database on a grid of
  `CELL_SIZE` degrees. Analysts see only cells of `ANALYST_MIN_PEOPLE` people or
  more; nobody sees a point on the hotspot map.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, IntegerField, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Cast, Floor
from django.http import Http404
from django.urls import reverse
from django.utils import dateformat, timezone

from waymark.access import rules
from waymark.access.breakglass import BreakGlassScope, active_glass
from waymark.access.constants import Restriction, Role, ServiceKind
from waymark.access.models import District, Service
from waymark.audit.models import AuditKind
from waymark.audit.services import record
from waymark.outreach.models import (
    Alert,
    AlertStatus,
    DistrictBoundary,
    SeenDoing,
    SiteType,
    StreetContact,
)
from waymark.outreach.periods import Period, london_today, parse_period, quarter_of
from waymark.people.models import Person

# --- settings of the maps -------------------------------------------------------------

# The hotspot grid: cells this many degrees of latitude by longitude (about 550 m by
# 330 m in England). Large enough that a cell is a street or a park, not a doorway.
CELL_SIZE = Decimal("0.005")
# Latitudes have six decimal places, so `lat / CELL_SIZE` is a multiple of 0.0002;
# adding this much less than that puts a point on a cell's edge in the cell above it
# even where the database divides in floating point (SQLite) rather than exactly.
_CELL_NUDGE = Decimal("0.0000001")
# Analysts see a cell only when it holds at least this many people (statistical disclosure).
ANALYST_MIN_PEOPLE = 5
# Most cells a hotspot layer returns (the busiest first).
MAX_CELLS = 5000
# Shades of the hotspot layer, lightest to darkest.
SHADES = 5
# The longest period a hotspot layer covers, in years of 366 days.
MAX_PERIOD_YEARS = 5

# The team map's choice of "recent".
TEAM_DAYS = (1, 7, 28)
DEFAULT_TEAM_DAYS = 7
# Most points on the team map: the newest contacts, the oldest open alerts.
MAX_TEAM_CONTACTS = 1000
MAX_TEAM_ALERTS = 300
# Most contacts on a person's map: the newest, drawn in time order.
MAX_PERSON_CONTACTS = 500

_DESCRIPTION_SHOWN = 140


# --- links to the contacts' and alerts' pages ----------------------------------------------


def _link_maker(url_name: str) -> Callable[[UUID], str]:
    """A function giving the page of a record by public id: the route is reversed once for a map's points."""
    marker = "00000000-0000-0000-0000-000000000000"
    template = reverse(url_name, args=[marker]).replace(marker, "{}")
    return lambda public_id: template.format(public_id)


def contact_url(public_id: UUID) -> str:
    """The page of one street contact."""
    return reverse("outreach:contact_detail", args=[public_id])


def alert_url(public_id: UUID) -> str:
    """The page of one alert."""
    return reverse("outreach:alert_detail", args=[public_id])


def _when(moment: datetime.datetime | None) -> str:
    return dateformat.format(timezone.localtime(moment), "D j M Y, H:i") if moment else ""


def _coordinate(value: Any) -> float:
    return round(float(value), 6)


def _default_bounds(area_id: int | None) -> list[list[float]] | None:
    """The area's drawn districts as [[south, west], [north, east]], for an empty map; None if none are drawn."""
    if area_id is None:
        return None
    box = DistrictBoundary.objects.filter(district__area_id=area_id).aggregate(
        south=Min("min_lat"), west=Min("min_lng"), north=Max("max_lat"), east=Max("max_lng")
    )
    if box["south"] is None:
        return None
    return [[box["south"], box["west"]], [box["north"], box["east"]]]


def _not_hidden() -> Q:
    """Contacts that may be points: of someone not yet identified, or of a person who is not hidden."""
    return Q(person__isnull=True) | ~Q(person__restriction=Restriction.HIDDEN)


# --- the team map ----------------------------------------------------------------------


def mappable_services(user: Any) -> QuerySet[Service]:
    """Services whose team map the user may open: their own; any in the area for admins and coordinators."""
    ctx = rules.context_for(user)
    if not ctx.is_authenticated or ctx.area_id is None:
        return Service.objects.none()
    if ctx.is_area_admin or ctx.is_coordinator:
        return Service.objects.filter(organisation__area_id=ctx.area_id, is_active=True)
    return Service.objects.filter(pk__in=sorted(ctx.service_ids))


def choose_team(user: Any, public_id: UUID | str | None = None, acting: Service | None = None) -> Service:
    """The service whose map to draw: the one asked for, else the acting service, else the user's first.

    Raises PermissionDenied when the user may not map the service asked for, or has
    none to map (analysts: the team map shows points, and they see aggregates only).
    """
    services = mappable_services(user)
    if public_id not in (None, ""):
        try:
            wanted = UUID(str(public_id))
        except ValueError as exc:
            raise ValidationError({"service": "Give the service's id (a UUID)."}) from exc
        chosen = services.filter(public_id=wanted).first()
        if chosen is None:
            raise PermissionDenied("You can see the map of a team you work in (area admins and coordinators: any).")
        return chosen
    if acting is not None:
        ctx = rules.context_for(user)
        # The acting service is one of the user's own; admins and coordinators may map any in the area.
        if acting.pk in ctx.service_ids or services.filter(pk=acting.pk).exists():
            return acting
    # An outreach team first: theirs is the map most people open this page for.
    chosen = (
        services.filter(kind=ServiceKind.OUTREACH).order_by("name", "pk").first()
        or services.order_by("name", "pk").first()
    )
    if chosen is None:
        raise PermissionDenied("The team map is for members of a service, coordinators and area admins.")
    return chosen


def clean_days(value: Any) -> int:
    """The team map's period in days: 1, 7 or 28 (7 when not given)."""
    if value in (None, ""):
        return DEFAULT_TEAM_DAYS
    try:
        days = int(str(value))
    except ValueError:
        days = 0
    if days not in TEAM_DAYS:
        raise ValidationError({"days": "Choose 1, 7 or 28 days."})
    return days


@dataclass
class TeamMap:
    """A team's recent contacts and the open alerts, as the user may see them."""

    service: Service
    days: int
    contacts: list[StreetContact]
    alerts: list[Alert]
    contacts_truncated: bool = False
    alerts_truncated: bool = False
    default_bounds: list[list[float]] | None = None

    def geojson(self) -> dict[str, Any]:
        """Both layers as one GeoJSON FeatureCollection; `properties.kind` tells them apart."""
        contact_link = _link_maker("outreach:contact_detail")
        alert_link = _link_maker("outreach:alert_detail")
        features = [contact_feature(c, contact_link) for c in self.contacts]
        features += [alert_feature(a, alert_link) for a in self.alerts]
        return {
            "type": "FeatureCollection",
            "features": features,
            "meta": {
                "service": str(self.service.public_id),
                "service_name": self.service.name,
                "days": self.days,
                "contacts": len(self.contacts),
                "alerts": len(self.alerts),
                "contacts_truncated": self.contacts_truncated,
                "alerts_truncated": self.alerts_truncated,
                "default_bounds": self.default_bounds,
            },
        }


def who_was_met(contact: StreetContact) -> str:
    """How a contact names the person: their name for someone identified, else the description."""
    person = contact.person
    if person is None:
        return f"Not yet identified: {contact.description}" if contact.description else "Not yet identified"
    return person.display_name


def contact_feature(contact: StreetContact, link: Callable[[UUID], str] = contact_url) -> dict[str, Any]:
    """One contact as a GeoJSON point, with what its popup and table row show."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [_coordinate(contact.longitude), _coordinate(contact.latitude)]},
        "properties": {
            "kind": "contact",
            "id": str(contact.public_id),
            "seen_at": contact.seen_at.isoformat(),
            "when": _when(contact.seen_at),
            "place": contact.place,
            "seen_doing": SeenDoing(contact.seen_doing).label if contact.seen_doing in SeenDoing.values else "",
            "who": who_was_met(contact),
            "person": str(contact.person.public_id) if contact.person is not None else None,
            "service_name": contact.service.name,
            "url": link(contact.public_id),
        },
    }


def alert_feature(alert: Alert, link: Callable[[UUID], str] = alert_url) -> dict[str, Any]:
    """One open alert as a GeoJSON point."""
    description = alert.description
    if len(description) > _DESCRIPTION_SHOWN:
        description = description[: _DESCRIPTION_SHOWN - 1].rstrip() + "…"
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [_coordinate(alert.longitude), _coordinate(alert.latitude)]},
        "properties": {
            "kind": "alert",
            "id": str(alert.public_id),
            "received_at": alert.received_at.isoformat(),
            "when": _when(alert.seen_at or alert.received_at),
            "place": alert.location,
            "status": AlertStatus(alert.status).label if alert.status in AlertStatus.values else alert.status,
            "description": description,
            "url": link(alert.public_id),
        },
    }


def team_map(user: Any, service: Service, days: int = DEFAULT_TEAM_DAYS) -> TeamMap:
    """A team's contacts of the last `days` days and the open alerts the user may see, with pins.

    The service must come from `choose_team`. Contacts follow the person's
    visibility; a hidden person's contacts are never points. At most
    `MAX_TEAM_CONTACTS` contacts (newest) and `MAX_TEAM_ALERTS` alerts (oldest).
    """
    if days not in TEAM_DAYS:
        raise ValidationError({"days": "Choose 1, 7 or 28 days."})
    since = timezone.now() - datetime.timedelta(days=days)
    contacts = list(
        StreetContact.objects.visible_to(user)
        .filter(_not_hidden(), service=service, seen_at__gte=since, latitude__isnull=False, longitude__isnull=False)
        .select_related("person", "service")
        .only(
            "public_id",
            "seen_at",
            "place",
            "seen_doing",
            "description",
            "latitude",
            "longitude",
            "person__public_id",
            "person__first_name",
            "person__last_name",
            "person__known_as",
            "person__description",
            "person__reference",
            "service__name",
        )
        .order_by("-seen_at", "-id")[: MAX_TEAM_CONTACTS + 1]
    )
    alerts = list(
        Alert.objects.visible_to(user)
        .exclude(status=AlertStatus.CLOSED)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .only("public_id", "received_at", "seen_at", "location", "description", "status", "latitude", "longitude")
        .order_by("received_at", "id")[: MAX_TEAM_ALERTS + 1]
    )
    return TeamMap(
        service=service,
        days=days,
        contacts=contacts[:MAX_TEAM_CONTACTS],
        alerts=alerts[:MAX_TEAM_ALERTS],
        contacts_truncated=len(contacts) > MAX_TEAM_CONTACTS,
        alerts_truncated=len(alerts) > MAX_TEAM_ALERTS,
        default_bounds=_default_bounds(service.organisation.area_id) if not contacts and not alerts else None,
    )


# --- a person's locations ----------------------------------------------------------------


@dataclass
class PersonMap:
    """Where one person was met, oldest first, numbered in that order."""

    person: Person
    contacts: list[StreetContact]
    unplaced: int = 0
    truncated: bool = False
    broken_glass: Any = None
    default_bounds: list[list[float]] | None = None

    def geojson(self) -> dict[str, Any]:
        """Numbered points in time order (`properties.number`), and the person's id and reference."""
        link = _link_maker("outreach:contact_detail")
        features = []
        for number, contact in enumerate(self.contacts, start=1):
            feature = contact_feature(contact, link)
            feature["properties"]["number"] = number
            features.append(feature)
        return {
            "type": "FeatureCollection",
            "features": features,
            "meta": {
                "person": str(self.person.public_id),
                "reference": self.person.reference,
                "points": len(self.contacts),
                "unplaced": self.unplaced,
                "truncated": self.truncated,
                "default_bounds": self.default_bounds,
            },
        }


def person_for_map(user: Any, public_id: UUID | str) -> tuple[Person, Any]:
    """The person whose locations the user may see, and the break-glass that allows it (or None).

    Http404 unless the user sees the person in full (or broke the glass on their
    identity): a protected person the user only knows exists, and any hidden
    person, are "no such person" here, as is a made-up id.
    """
    person = (
        Person.objects.visible_to(user)
        .with_full_access(user)
        .exclude(restriction=Restriction.HIDDEN)
        .filter(public_id=public_id)
        .first()
    )
    if person is None:
        raise Http404("No such person")
    glass = None
    if not getattr(person, "full_access", False):
        glass = active_glass(user, person, BreakGlassScope.IDENTITY)
        if glass is None:
            raise Http404("No such person")
    return person, glass


def person_map(user: Any, public_id: UUID | str) -> PersonMap:
    """A person's contacts with a pin, oldest first (the newest `MAX_PERSON_CONTACTS`). Audited as a read."""
    person, glass = person_for_map(user, public_id)
    rows = list(
        StreetContact.objects.visible_to(user)
        .filter(person=person)
        .select_related("person", "service")
        .order_by("-seen_at", "-id")[: MAX_PERSON_CONTACTS + 1]
    )
    truncated = len(rows) > MAX_PERSON_CONTACTS
    rows = rows[:MAX_PERSON_CONTACTS]
    placed = [c for c in rows if c.latitude is not None and c.longitude is not None]
    placed.reverse()
    record(
        AuditKind.BREAK_GLASS if glass is not None else AuditKind.READ,
        f"Viewed the map of where {person.reference} was met" + (" under break-glass" if glass is not None else ""),
        obj=person,
        person=person,
        detail={"map": "locations", "points": len(placed), **({"break_glass": str(glass.public_id)} if glass else {})},
    )
    return PersonMap(
        person=person,
        contacts=placed,
        unplaced=len(rows) - len(placed),
        truncated=truncated,
        broken_glass=glass,
        default_bounds=_default_bounds(person.area_id) if not placed else None,
    )


# --- hotspots ------------------------------------------------------------------------------

HOTSPOTS_REFUSED = "Hotspot maps are for outreach teams, coordinators, analysts and area admins."


def may_see_hotspots(user: Any) -> bool:
    """Area admins, coordinators, analysts and members of an outreach service, for their own area."""
    ctx = rules.context_for(user)
    if not ctx.is_authenticated or ctx.area_id is None:
        return False
    if ctx.is_area_admin or ctx.is_coordinator or Role.ANALYST in ctx.area_roles:
        return True
    return bool(ctx.outreach_service_ids)


def cells_only_of_many(user: Any) -> bool:
    """Whether the user sees only cells of `ANALYST_MIN_PEOPLE` or more: an analyst with no other way in."""
    ctx = rules.context_for(user)
    return Role.ANALYST in ctx.area_roles and not (ctx.is_area_admin or ctx.is_coordinator or ctx.service_ids)


@dataclass(frozen=True)
class Cell:
    """One grid cell of a hotspot layer and who was seen rough sleeping in it."""

    row: int  # floor(latitude / CELL_SIZE)
    column: int  # floor(longitude / CELL_SIZE)
    people: int  # distinct identified people
    unidentified: int  # contacts with someone not yet identified
    contacts: int
    district_name: str = ""
    shade: int = 1

    @property
    def south(self) -> float:
        return float(self.row * CELL_SIZE)

    @property
    def north(self) -> float:
        return float((self.row + 1) * CELL_SIZE)

    @property
    def west(self) -> float:
        return float(self.column * CELL_SIZE)

    @property
    def east(self) -> float:
        return float((self.column + 1) * CELL_SIZE)

    @property
    def centre(self) -> tuple[float, float]:
        return round((self.south + self.north) / 2, 6), round((self.west + self.east) / 2, 6)


@dataclass
class HotspotFilters:
    """What narrows a hotspot layer, as chosen (already checked against the user's area)."""

    period: Period
    district: District | None = None
    site_type: str = ""

    @property
    def site_type_label(self) -> str:
        return SiteType(self.site_type).label if self.site_type in SiteType.values else ""


@dataclass
class Hotspots:
    """A hotspot layer: cells by number of people, busiest first."""

    filters: HotspotFilters
    cells: list[Cell]
    min_people: int = 1
    truncated: bool = False
    # Rough-sleeping contacts in the period with no pin; None for analysts.
    unplaced: int | None = None
    breaks: list[int] = field(default_factory=list)
    default_bounds: list[list[float]] | None = None

    @property
    def shades(self) -> list[tuple[int, int, int]]:
        """(shade, lowest, highest) number of people for each shade in use, for the key."""
        result, low = [], self.min_people
        for shade, high in enumerate(self.breaks, start=1):
            result.append((shade, low, high))
            low = high + 1
        return result

    def geojson(self) -> dict[str, Any]:
        """Each cell as a GeoJSON polygon (a rectangle), with counts and its shade (1 lightest)."""
        features = []
        for cell in self.cells:
            south, west, north, east = cell.south, cell.west, cell.north, cell.east
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
                    },
                    "properties": {
                        "kind": "cell",
                        "people": cell.people,
                        "unidentified": cell.unidentified,
                        "contacts": cell.contacts,
                        "district_name": cell.district_name,
                        "shade": cell.shade,
                        "bounds": [[south, west], [north, east]],
                        "centre": list(cell.centre),
                    },
                }
            )
        filters = self.filters
        return {
            "type": "FeatureCollection",
            "features": features,
            "meta": {
                "start": filters.period.start.isoformat(),
                "end": filters.period.end.isoformat(),
                "period": filters.period.label,
                "district": str(filters.district.public_id) if filters.district else None,
                "site_type": filters.site_type or None,
                "cell_size": float(CELL_SIZE),
                "min_people": self.min_people,
                "cells": len(self.cells),
                "truncated": self.truncated,
                "unplaced": self.unplaced,
                "shades": [{"shade": s, "from": low, "to": high} for s, low, high in self.shades],
                "default_bounds": self.default_bounds,
            },
        }


def hotspot_filters(
    user: Any,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    district: str | None = None,
    site_type: str | None = None,
) -> HotspotFilters:
    """Check what the user asked for: the period, a district of their area (by id), a kind of place."""
    errors: dict[str, Any] = {}
    # By default, the quarter so far.
    chosen_period = quarter_of(london_today())
    try:
        chosen_period = parse_period(period, start, end, default=chosen_period, longest_years=MAX_PERIOD_YEARS)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    chosen_district = None
    if district:
        try:
            chosen_district = hotspot_districts(user).filter(public_id=UUID(str(district))).first()
        except ValueError:
            chosen_district = None
        if chosen_district is None:
            errors["district"] = "Choose a district of your area."
    if site_type and site_type not in SiteType.values:
        errors["site_type"] = "Choose a kind of place from the list."
    if errors:
        raise ValidationError(errors)
    return HotspotFilters(period=chosen_period, district=chosen_district, site_type=site_type or "")


def shade_breaks(most: int, least: int = 1) -> list[int]:
    """The highest number of people of each shade: up to `SHADES` equal steps from `least` to `most`."""
    if most < least:
        return []
    span = most - least + 1
    breaks = sorted({least - 1 + math.ceil(span * step / SHADES) for step in range(1, SHADES + 1)})
    return [b for b in breaks if b >= least]


def _cell_index(name: str) -> Cast:
    return Cast(Floor(F(name) / Value(CELL_SIZE) + Value(_CELL_NUDGE)), output_field=IntegerField())


def hotspot_contacts(user: Any, filters: HotspotFilters) -> QuerySet[StreetContact]:
    """Every rough-sleeping contact of the user's area in the period and filters (hidden people
    included: these are only ever counted). Not for listing: never show these rows."""
    ctx = rules.context_for(user)
    if ctx.area_id is None:
        return StreetContact.objects.none()
    contacts = StreetContact.objects.filter(
        area_id=ctx.area_id,
        rough_sleeping=True,
        seen_on__gte=filters.period.start,
        seen_on__lte=filters.period.end,
    )
    if filters.district is not None:
        contacts = contacts.filter(district_id=filters.district.pk)
    if filters.site_type:
        contacts = contacts.filter(site_type=filters.site_type)
    return contacts


def hotspots(user: Any, filters: HotspotFilters) -> Hotspots:
    """Where people were seen rough sleeping: contacts grouped into `CELL_SIZE` cells in the database.

    Each cell counts distinct people and, separately, contacts with someone not
    yet identified. Analysts get only cells of `ANALYST_MIN_PEOPLE` people or more
    (the rest are left out, not rounded); no one gets a point. PermissionDenied
    for users who are not area admins, coordinators, analysts or outreach workers.
    """
    if not may_see_hotspots(user):
        raise PermissionDenied(HOTSPOTS_REFUSED)
    least = ANALYST_MIN_PEOPLE if cells_only_of_many(user) else 1
    contacts = hotspot_contacts(user, filters)
    grouped = (
        contacts.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(cell_row=_cell_index("latitude"), cell_column=_cell_index("longitude"))
        .values("cell_row", "cell_column")
        .annotate(
            people=Count("person_id", distinct=True),
            unidentified=Count("id", filter=Q(person__isnull=True)),
            contacts=Count("id"),
            low_district=Min("district_id"),
            high_district=Max("district_id"),
        )
        .order_by("-people", "-contacts", "cell_row", "cell_column")
    )
    if least > 1:
        grouped = grouped.filter(people__gte=least)
    rows = list(grouped[: MAX_CELLS + 1])
    truncated = len(rows) > MAX_CELLS
    rows = rows[:MAX_CELLS]
    district_ids = {r["low_district"] for r in rows if r["low_district"] is not None}
    names = dict(District.objects.filter(pk__in=sorted(district_ids)).values_list("pk", "name")) if rows else {}
    most = max((r["people"] for r in rows), default=0)
    breaks = shade_breaks(most, least)
    cells = []
    for r in rows:
        same_district = r["low_district"] is not None and r["low_district"] == r["high_district"]
        shade = next((i for i, b in enumerate(breaks, start=1) if r["people"] <= b), 1)
        cells.append(
            Cell(
                row=int(r["cell_row"]),
                column=int(r["cell_column"]),
                people=r["people"],
                unidentified=r["unidentified"],
                contacts=r["contacts"],
                district_name=names.get(r["low_district"], "") if same_district else "",
                shade=shade,
            )
        )
    unplaced = None
    if least == 1:
        unplaced = contacts.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True)).count()
    ctx = rules.context_for(user)
    return Hotspots(
        filters=filters,
        cells=cells,
        min_people=least,
        truncated=truncated,
        unplaced=unplaced,
        breaks=breaks,
        default_bounds=_default_bounds(ctx.area_id) if not cells else None,
    )


def hotspot_districts(user: Any) -> QuerySet[District]:
    """The districts a hotspot layer can be narrowed to: the user's area's."""
    ctx = rules.context_for(user)
    return District.objects.filter(area_id=ctx.area_id).order_by("name") if ctx.area_id else District.objects.none()
