"""Reading people through the access model, with every read audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from waymark.access.constants import Visibility
from waymark.audit.models import AuditKind
from waymark.audit.services import record
from waymark.people.models import Person


@dataclass(frozen=True)
class PersonView:
    """A person as one user may see them."""

    person: Person
    visibility: Visibility
    # Set when the user sees more than the rules allow because they broke the glass;
    # pages flag it.
    broken_glass: Any = None

    @property
    def is_full(self) -> bool:
        return self.visibility == Visibility.FULL


def people_for(user: Any, query: str = "") -> QuerySet[Person]:
    """People the user may know of, optionally narrowed by name or reference."""
    people = Person.objects.visible_to(user).with_full_access(user).select_related("registered_by_service")
    query = query.strip()
    if query:
        # Protected identities must not be findable by name by those who see only that they exist.
        people = people.filter(Q(full_access=True) | Q(reference__iexact=query))
        people = people.filter(
            Q(reference__iexact=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(known_as__icontains=query)
        )
    return people


def open_person(user: Any, public_id: UUID | str) -> PersonView:
    """One person as the user may see them; raises Http404 when they may not. Audited."""
    person = (
        Person.objects.visible_to(user)
        .with_full_access(user)
        .select_related("registered_by_service__organisation")
        .filter(public_id=public_id)
        .first()
    )
    if person is None:
        raise Http404("No such person")
    visibility = Visibility.FULL if person.full_access else Visibility.EXISTS
    record(
        AuditKind.READ,
        f"Opened the record of {person.reference}" + ("" if visibility == Visibility.FULL else " (limited)"),
        obj=person,
        person=person,
        detail={"visibility": visibility.label},
    )
    return PersonView(person=person, visibility=visibility)
