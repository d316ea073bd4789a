"""The mobile shift: what the one-screen contact form offers a worker in the street.

Reads only, through the access model: the people the team met recently (to pick
with one tap), the colleagues who may be out with them and the area's districts.
Recording goes through `services.record_contact`, as everywhere else.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from waymark.access import rules
from waymark.access.models import District, Membership, Service, User
from waymark.outreach.services import contacts_for
from waymark.people.models import Person

RECENT_DAYS = 14
# Enough people to cover a shift's round; more would not fit one screen's scroll.
RECENT_PEOPLE = 30
# Contacts read to find those people: a busy team meets the same people many times.
RECENT_CONTACTS_READ = 400
TEAM_MAX = 40


@dataclass(frozen=True)
class RecentPerson:
    """Someone the team met recently, with where they were last seen (for sorting by distance)."""

    public_id: uuid.UUID
    reference: str
    name: str
    seen_at: datetime.datetime
    place: str
    latitude: float | None
    longitude: float | None


def can_record_on_shift(user: Any, service: Service | None) -> bool:
    """Whether the user may record contacts for the service they are acting for (a worker or manager of it)."""
    if service is None:
        return False
    return service.pk in rules.context_for(user).writing_service_ids


def recent_people(user: Any, service: Service, *, now: datetime.datetime | None = None) -> list[RecentPerson]:
    """People the team met in the last fortnight, most recently met first, each once.

    Follows the contacts' own visibility and keeps only people the user may open
    in full, so the list never names a protected or hidden person to someone who
    could not pick them anyway. Bounded: reads at most RECENT_CONTACTS_READ contacts.
    """
    since = (now or timezone.now()) - datetime.timedelta(days=RECENT_DAYS)
    rows = (
        contacts_for(user)
        .filter(service=service, person__isnull=False, seen_at__gte=since)
        .filter(person__in=Person.objects.fully_visible_to(user).values("pk"))
        .select_related(None)
        .select_related("person")
        .only(
            "seen_at",
            "place",
            "latitude",
            "longitude",
            "person__public_id",
            "person__reference",
            "person__first_name",
            "person__last_name",
            "person__known_as",
            "person__description",
        )
        .order_by("-seen_at", "-id")[:RECENT_CONTACTS_READ]
    )
    found: dict[int, RecentPerson] = {}
    for row in rows:
        person = row.person
        if person is None or person.pk in found:
            continue
        found[person.pk] = RecentPerson(
            public_id=person.public_id,
            reference=person.reference,
            name=person.display_name,
            seen_at=row.seen_at,
            place=row.place,
            latitude=float(row.latitude) if row.latitude is not None else None,
            longitude=float(row.longitude) if row.longitude is not None else None,
        )
        if len(found) >= RECENT_PEOPLE:
            break
    return list(found.values())


def teammates(user: Any, service: Service) -> QuerySet[User]:
    """The service's other active workers and managers: who may have been out with the user."""
    members = Membership.objects.active().filter(service=service).exclude(user=user).values("user_id")
    return User.objects.filter(pk__in=members).order_by("first_name", "last_name", "username")[:TEAM_MAX]


def districts_for(user: Any) -> QuerySet[District]:
    """The user's area's districts, to choose one when the pin cannot say."""
    area_id = rules.context_for(user).area_id
    if area_id is None:
        return District.objects.none()
    return District.objects.filter(area_id=area_id).order_by("name")


def person_for_shift(user: Any, chosen: str, reference: str) -> Person | None:
    """The person picked from the recent list (a public id) or typed as a reference, or None.

    `chosen` "new" (someone else, or not yet identified) or empty means no pick.

    Only people the user may open in full; anyone else gets the same message as a
    reference that does not exist, so the answer never tells that a record is there.
    """
    people = Person.objects.fully_visible_to(user)
    if chosen and chosen != "new":
        try:
            key = uuid.UUID(chosen)
        except ValueError:
            raise ValidationError({"person": "Choose someone from the list."}) from None
        person = people.filter(public_id=key).first()
        if person is None:
            raise ValidationError({"person": "Choose someone from the list."})
        return person
    reference = reference.strip().upper()
    if not reference:
        return None
    person = people.filter(reference=reference).first()
    if person is None:
        raise ValidationError(
            {"reference": "No one you can see has that reference. Check it, or describe them instead."}
        )
    return person
