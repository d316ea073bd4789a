"""Street contacts on a person's timeline: a `contacts` source for the casework timeline registry.

Registered when the app is ready (`OutreachConfig.ready`). Entries come only through
`StreetContact.objects.visible_to(user)`, so a contact with a protected or hidden
person reaches only those who see the person in full, as their case notes do.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from waymark.casework.timeline import Entry, SortKey, Source, after_q, register
from waymark.outreach.models import SeenDoing, StreetContact

# Ranked above notes (30): a contact and a note written at the same minute show the
# contact first, as it happened first in the street.
CONTACT_RANK = 40
KIND = "contact"

# How each thing seen reads in a sentence: "bedded down at the bus station".
SEEN_PHRASES: dict[str, str] = {
    SeenDoing.BEDDED_DOWN: "bedded down",
    SeenDoing.TENT_OR_VEHICLE: "in a tent or vehicle",
    SeenDoing.SITTING_OR_WALKING: "sitting or walking about",
    SeenDoing.BEGGING: "begging",
    SeenDoing.DAY_CENTRE: "at a day centre",
}


def contact_title(contact: StreetContact) -> str:
    """What was seen and where: "Bedded down at bus station".

    The timeline shows the kind ("Street contact") and the service beside it, so the
    entry reads "Street contact · Northway Street Team · Bedded down at bus station".
    """
    phrase = SEEN_PHRASES.get(contact.seen_doing, contact.get_seen_doing_display().lower())  # type: ignore[attr-defined]
    where = contact.place or (contact.district.name if contact.district_id and contact.district else "")
    if where:
        # "at a day centre at …" reads badly; the place follows a comma instead.
        phrase = f"{phrase}, {where}" if phrase.startswith("at ") else f"{phrase} at {where}"
    return phrase[:1].upper() + phrase[1:]


def fetch(
    user: Any, view: Any, *, service_id: int | None, after: SortKey | None, limit: int, kind: str = ""
) -> list[Entry]:
    """A person's street contacts the user may see, newest first, after the cursor."""
    contacts = (
        StreetContact.objects.visible_to(user)
        .filter(person=view.person)
        .filter(after_q("seen_at", CONTACT_RANK, after))
        .select_related("service", "district")
        .only(
            "id",
            "public_id",
            "person_id",
            "seen_at",
            "seen_doing",
            "place",
            "district_id",
            "district__name",
            "service__name",
            "service__public_id",
        )
        .order_by("-seen_at", "-id")
    )
    if service_id is not None:
        contacts = contacts.filter(service_id=service_id)
    return [
        Entry(
            key=SortKey(contact.seen_at, CONTACT_RANK, contact.pk),
            kind=KIND,
            kind_label="Street contact",
            service=contact.service,
            title=contact_title(contact),
            url=reverse("outreach:contact_detail", args=[contact.public_id]),
            obj=contact,
        )
        for contact in contacts[:limit]
    ]


SOURCE = register(Source("contacts", CONTACT_RANK, {KIND: "Street contacts"}, fetch))
