"""Helpers shared by the street outreach tests: fixed London moments, contacts saved directly,
and one contact with each kind of person with who may see each."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tests.outreach.conftest import contact
from waymark.outreach.models import StreetContact
from waymark.outreach.services import LONDON

# A past day, with contacts at fixed London times, so tests never straddle midnight.
DAY = datetime.date(2025, 3, 12)


def at(hour: int, minute: int = 0, day: datetime.date = DAY) -> datetime.datetime:
    """A moment on `day` (by default DAY), London time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def stored_contact(
    cast, person=None, *, when: datetime.datetime, where: tuple[str, str] | None = None, **fields
) -> StreetContact:
    """A contact saved directly, not through the service layer: any service (the outreach team
    by default), any person, even those the team could not record themselves (hidden, protected,
    another area's). Seen rough sleeping (bedded down) unless `fields` say otherwise; `where` is
    the pin as (latitude, longitude) strings."""
    lat, lng = where or (None, None)
    fields.setdefault("area", cast.area)
    fields.setdefault("service", cast.outreach)
    fields.setdefault("place", "Doorway of 12 High Street")
    fields.setdefault("description", "" if person else "Man, 40s, green sleeping bag")
    fields.setdefault("seen_doing", "bedded_down")
    fields.setdefault("rough_sleeping", fields["seen_doing"] == "bedded_down")
    return StreetContact.objects.create(
        recorded_by=cast.outreach_worker,
        seen_at=when,
        seen_on=when.astimezone(LONDON).date(),
        person=person,
        latitude=Decimal(lat) if lat else None,
        longitude=Decimal(lng) if lng else None,
        **fields,
    )


def one_of_each_kind(cast, unknown_when: datetime.datetime | None = None) -> dict[str, StreetContact]:
    """A contact on DAY with each kind of person, recorded by the teams working with them; the one
    with someone not yet identified at `unknown_when` (by default also on DAY)."""
    return {
        "ordinary": contact(cast.outreach_worker, cast.outreach, person=cast.person, when=at(22)),
        "protected": contact(
            cast.refuge_worker, cast.refuge, person=cast.protected_person, when=at(21), place="REFUGE-DOOR"
        ),
        "hidden": contact(cast.refuge_worker, cast.refuge, person=cast.hidden_person, when=at(20), place="HIDDEN-DOOR"),
        "unknown": contact(
            cast.outreach_worker, cast.outreach, when=unknown_when or at(19), description="Man, 40s, green bag"
        ),
        "solo": contact(cast.solo_worker, cast.solo, person=cast.solo_person, when=at(18), place="SOLO-DOOR"),
    }


# Which of `one_of_each_kind` each user of the cast sees, in lists and on their own.
SEES = {
    "outreach_worker": {"ordinary", "unknown"},
    "hostel_worker": {"ordinary", "unknown"},
    "refuge_worker": {"ordinary", "protected", "hidden", "unknown"},
    "viewer": {"ordinary", "unknown"},
    "coordinator": {"ordinary", "unknown"},
    "area_admin": {"ordinary", "protected", "hidden", "unknown", "solo"},
    "solo_worker": {"solo"},
    "analyst": set(),
    "outsider": set(),
}
