"""Street contacts: recording them, linking someone not yet identified to a record, and reading them.

Every change is validated, atomic and audited here; pages and API endpoints call
these functions and nothing else writes a contact.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from waymark.access import rules
from waymark.access.constants import ServiceKind
from waymark.access.models import District, Service, User
from waymark.audit.models import AuditKind
from waymark.audit.services import record
from waymark.outreach import geo
from waymark.outreach.models import ROUGH_SLEEPING, ActionTaken, ObservedNeed, SeenDoing, SiteType, StreetContact
from waymark.people.models import Person

LONDON = ZoneInfo("Europe/London")
# Dates before this are typing mistakes, not outreach.
EARLIEST = datetime.date(1990, 1, 1)
# A phone's clock may run a little fast.
CLOCK_SKEW = datetime.timedelta(minutes=5)
DESCRIPTION_MAX = 200
PLACE_MAX = 200


def counts_as_rough_sleeping(service: Service, seen_doing: str) -> bool:
    """CHAIN's rule: seen bedded down (or in a tent or vehicle) by an outreach service.

    Only outreach teams verify rough sleeping; a day centre or hostel seeing
    someone is a contact, not a verified sighting.
    """
    return service.kind == ServiceKind.OUTREACH and seen_doing in ROUGH_SLEEPING


def london_day(moment: datetime.datetime) -> datetime.date:
    """The calendar day in Europe/London of an aware moment: what figures count by."""
    return moment.astimezone(LONDON).date()


@dataclass
class ContactDetails:
    """What a worker enters about one contact; validated by `record_contact`."""

    seen_at: datetime.datetime
    seen_doing: str
    person: Person | None = None
    description: str = ""
    latitude: Any = None
    longitude: Any = None
    place: str = ""
    district: District | None = None
    site_type: str = ""
    actions: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    workers: list[User] = field(default_factory=list)
    idempotency_key: uuid.UUID | None = None


def _require_writer(user: Any, service: Service | None) -> rules.AccessContext:
    ctx = rules.context_for(user)
    if not ctx.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if service is None:
        raise PermissionDenied("Choose the service you are acting for first.")
    if service.pk not in ctx.writing_service_ids:
        raise PermissionDenied("Only a worker or manager of this service can record contacts for it.")
    return ctx


def _decimal(value: Any, name: str, errors: dict[str, str]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors[name] = f"Give the {name} as a number, e.g. 53.480759."
        return None
    return number


def _clean_codes(values: Iterable[str], choices: Any, name: str, errors: dict[str, str]) -> list[str]:
    codes = list(dict.fromkeys(str(v) for v in values if str(v).strip()))
    unknown = [c for c in codes if c not in choices.values]
    if unknown:
        errors[name] = f"Choose from the list: {', '.join(unknown[:3])} is not one of them."
    return codes


def _validate(ctx: rules.AccessContext, service: Service, details: ContactDetails) -> dict[str, Any]:
    """The fields to store, or ValidationError naming each thing to fix."""
    errors: dict[str, str] = {}
    seen_at = details.seen_at
    if seen_at is None:
        errors["seen_at"] = "Give the date and time you met them."
    elif timezone.is_naive(seen_at):
        seen_at = timezone.make_aware(seen_at, LONDON)
    if seen_at is not None and "seen_at" not in errors:
        if seen_at > timezone.now() + CLOCK_SKEW:
            errors["seen_at"] = "The contact must be now or in the past."
        elif seen_at.year < EARLIEST.year or london_day(seen_at) < EARLIEST:
            errors["seen_at"] = f"The contact must be in {EARLIEST.year} or later."
    if details.seen_doing not in SeenDoing.values:
        errors["seen_doing"] = "Choose what they were doing when you met them."
    description = (details.description or "").strip()
    if details.person is None and not description:
        errors["person"] = "Choose the person, or describe them if you do not know who they are yet."
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description to {DESCRIPTION_MAX} characters."
    place = (details.place or "").strip()
    if len(place) > PLACE_MAX:
        errors["place"] = f"Keep the place to {PLACE_MAX} characters."
    latitude = _decimal(details.latitude, "latitude", errors)
    longitude = _decimal(details.longitude, "longitude", errors)
    if (latitude is None) != (longitude is None) and not errors.keys() & {"latitude", "longitude"}:
        errors["latitude"] = "Give both latitude and longitude, or neither."
    elif latitude is not None and longitude is not None and not geo.valid_point(latitude, longitude):
        errors["latitude"] = "That point is not on the map: latitude −90 to 90, longitude −180 to 180."
    if details.site_type and details.site_type not in SiteType.values:
        errors["site_type"] = "Choose the kind of place from the list."
    actions = _clean_codes(details.actions, ActionTaken, "actions", errors)
    needs = _clean_codes(details.needs, ObservedNeed, "needs", errors)
    district = details.district
    if district is not None and district.area_id != ctx.area_id:
        errors["district"] = "Choose a district in your area."
    if not place and latitude is None:
        errors["place"] = "Drop a pin on the map or describe the place."
    if errors:
        raise ValidationError(errors)
    if district is None and latitude is not None and longitude is not None:
        district = geo.district_for(service.organisation.area_id, latitude, longitude)
    return {
        "seen_at": seen_at,
        "seen_on": london_day(seen_at),
        "description": description,
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "district": district,
        "site_type": details.site_type or "",
        "seen_doing": details.seen_doing,
        "actions": actions,
        "needs": needs,
    }


# Set on a Person by code that has just read it through `fully_visible_to(user)` (the API's
# person field), so recording a contact does not ask the same question twice.
CHECKED_FOR = "_fully_visible_to_user"


def mark_fully_visible(person: Person, user: Any) -> Person:
    """Note on this instance that it was read through `Person.objects.fully_visible_to(user)`."""
    setattr(person, CHECKED_FOR, user.pk)
    return person


def _check_person(user: Any, person: Person | None) -> None:
    if person is None or getattr(person, CHECKED_FOR, None) == user.pk:
        return
    if not Person.objects.fully_visible_to(user).filter(pk=person.pk).exists():
        # The same answer whether the record is hidden or does not exist.
        raise Http404("No such person")


def _check_workers(service: Service, workers: Iterable[User]) -> list[User]:
    from waymark.access.models import Membership

    chosen = list(dict.fromkeys(workers))
    allowed = set(
        Membership.objects.active().filter(service=service, user__in=chosen).values_list("user_id", flat=True)
    )
    strangers = [w for w in chosen if w.pk not in allowed]
    if strangers:
        raise ValidationError({"workers": "Choose workers from this team."})
    return chosen


@transaction.atomic
def record_contact(user: Any, service: Service | None, details: ContactDetails) -> tuple[StreetContact, bool]:
    """Record a street contact for the acting outreach (or other) service; returns (contact, created).

    With an idempotency key already used by this service, nothing new is saved and
    the earlier contact is returned with `created=False`: a phone resending what
    it had queued offline never makes a second contact. The district comes from
    the pin when not chosen. A contact by an outreach service where the person was
    bedded down (or in a tent or vehicle) counts them as seen rough sleeping.
    """
    ctx = _require_writer(user, service)
    assert service is not None
    if details.idempotency_key is not None:
        earlier = StreetContact.objects.filter(idempotency_key=details.idempotency_key).first()
        if earlier is not None:
            if earlier.service_id != service.pk:
                raise ValidationError({"idempotency_key": "This key was used for another service's contact."})
            return earlier, False
    _check_person(user, details.person)
    fields = _validate(ctx, service, details)
    workers = _check_workers(service, details.workers or [user])
    try:
        with transaction.atomic():
            contact = StreetContact.objects.create(
                area_id=service.organisation.area_id,
                service=service,
                recorded_by=user,
                person=details.person,
                rough_sleeping=counts_as_rough_sleeping(service, details.seen_doing),
                idempotency_key=details.idempotency_key,
                **fields,
            )
    except IntegrityError:
        # The same key sent twice at once: the other request saved it.
        earlier = StreetContact.objects.filter(idempotency_key=details.idempotency_key).first()
        if earlier is None:
            raise
        return earlier, False
    # A new contact has no workers yet: one INSERT, not the read-then-insert of `set()`.
    StreetContact.workers.through.objects.bulk_create(
        [StreetContact.workers.through(streetcontact=contact, user=worker) for worker in workers]
    )
    who = details.person.reference if details.person else "someone not yet identified"
    record(
        AuditKind.CREATE,
        f"Recorded a street contact with {who}",
        obj=contact,
        user=user,
        person=details.person,
        service=service,
        detail={"seen_doing": contact.seen_doing, "rough_sleeping": contact.rough_sleeping},
    )
    return contact, True


@transaction.atomic
def link_contact(user: Any, contact: StreetContact, person: Person) -> StreetContact:
    """Link a contact with someone not yet identified to their record, once they are known.

    Only a worker or manager of the service that recorded it may; the person must
    be one they see in full. A contact already linked is not re-linked here.
    """
    _require_writer(user, contact.service)
    if contact.person_id is not None:
        raise ValidationError({"person": "This contact is already linked to a record."})
    _check_person(user, person)
    locked = StreetContact.objects.select_for_update().get(pk=contact.pk)
    if locked.person_id is not None:
        raise ValidationError({"person": "Someone linked this contact while you were looking at it."})
    locked.person = person
    locked.version += 1
    locked.save(update_fields=["person", "version", "updated_at"])
    record(
        AuditKind.CHANGE,
        f"Linked a street contact to {person.reference}",
        obj=locked,
        user=user,
        person=person,
        service=contact.service,
        detail={"description": contact.description},
    )
    return locked


def contacts_for(user: Any) -> QuerySet[StreetContact]:
    """Every contact the user may see, newest first, with what lists show."""
    return (
        StreetContact.objects.visible_to(user)
        .select_related("service", "person", "district", "recorded_by")
        .order_by("-seen_at", "-id")
    )


def record_contact_read(user: Any, contact: StreetContact) -> None:
    """Audit that the user opened one contact: where and when someone was met is part of
    their record, so reading it is counted like reading the record itself."""
    who = contact.person.reference if contact.person else "someone not yet identified"
    record(
        AuditKind.READ,
        f"Read a street contact with {who}",
        obj=contact,
        user=user,
        person=contact.person,
        service=contact.service,
    )


def shift_contacts(user: Any, service: Service, day: datetime.date) -> QuerySet[StreetContact]:
    """A team's contacts on one day (Europe/London), newest first: the shift list."""
    return contacts_for(user).filter(service=service, seen_on=day)


def person_contacts(user: Any, person: Person) -> QuerySet[StreetContact]:
    """A person's contacts the user may see, newest first (none for a person not seen in full)."""
    return contacts_for(user).filter(person=person)


def outreach_services_for(user: Any) -> QuerySet[Service]:
    """Services the user can record contacts for (they are a worker or manager there)."""
    ctx = rules.context_for(user)
    return Service.objects.filter(pk__in=ctx.writing_service_ids, is_active=True).order_by("name")
