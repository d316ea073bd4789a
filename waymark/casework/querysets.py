"""Episode and case-note querysets, filtered through the access model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When

from waymark.access import rules
from waymark.access.constants import Restriction

if TYPE_CHECKING:
    from collections.abc import Iterable

    from waymark.access.models import User
    from waymark.people.models import Person


def seen_in_full_q(ctx: rules.AccessContext, user: User) -> Q:
    """Rows whose person the user sees in full, among people already visible to them.

    A protected person seen only as "a record exists" shows whom to contact and
    nothing of their history, unless the user broke the glass on their identity.
    """
    from waymark.access.breakglass import glass_people_q

    if ctx.is_area_admin:
        return Q(pk__isnull=False)
    full = Q(person__restriction=Restriction.NONE) | glass_people_q(user, "identity", prefix="person__")
    if ctx.service_ids:
        full |= rules.working_with_q(ctx, prefix="person__")
    return full


class EpisodeQuerySet(models.QuerySet):
    def open(self) -> EpisodeQuerySet:
        return self.filter(ended_on__isnull=True)

    def visible_to(self, user: User) -> EpisodeQuerySet:
        """Episodes of people the user may see. Who works with a person is what a
        partner needs first, so this follows the person's visibility, not the episode's.

        For a protected person the user may only know exists, only the open episodes
        (whom to contact): their past services and dates are their history.
        """
        ctx = rules.context_for(user)
        exists = rules.person_q(ctx, rules.Visibility.EXISTS, prefix="person__")
        if ctx.is_area_admin:
            return self.filter(exists)
        return self.filter(exists & (Q(ended_on__isnull=True) | seen_in_full_q(ctx, user)))

    def with_full_person(self, user: User) -> EpisodeQuerySet:
        """Annotate `full_person`: whether the user sees the episode's person in full.

        Only for querysets already filtered by `visible_to(user)`.
        """
        full = seen_in_full_q(rules.context_for(user), user)
        return self.annotate(
            full_person=Case(When(full, then=Value(True)), default=Value(False), output_field=BooleanField())
        )

    def of_opened_people(self, people: Iterable[Person]) -> EpisodeQuerySet:
        """Episodes of people the caller has already read through `Person.objects.visible_to(user)`.

        Who works with a person follows the person's visibility, so a page of
        visible people needs no second pass through the access filter.
        """
        return self.filter(person_id__in=[person.pk for person in people])


class CaseNoteQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CaseNoteQuerySet:
        """Notes of people the user sees in full (or unlocked with identity glass)."""
        ctx = rules.context_for(user)
        return self.filter(rules.person_q(ctx, rules.Visibility.EXISTS, prefix="person__") & seen_in_full_q(ctx, user))

    def with_text_access(self, user: User) -> CaseNoteQuerySet:
        """Annotate `text_readable`: whether the user may read the body and mentions.

        Only for querysets already filtered by `visible_to(user)`.
        """
        readable = rules.note_text_q(rules.context_for(user), user)
        return self.annotate(
            text_readable=Case(When(readable, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
