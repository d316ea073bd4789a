"""Episode and case-note querysets, filtered through the access model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import BooleanField, Case, Value, When

from waymark.access import rules

if TYPE_CHECKING:
    from collections.abc import Iterable

    from waymark.access.models import User
    from waymark.people.models import Person


class EpisodeQuerySet(models.QuerySet):
    def open(self) -> EpisodeQuerySet:
        return self.filter(ended_on__isnull=True)

    def visible_to(self, user: User) -> EpisodeQuerySet:
        """Episodes of people the user may see. Who works with a person is what a
        partner needs first, so this follows the person's visibility, not the episode's."""
        ctx = rules.context_for(user)
        return self.filter(rules.person_q(ctx, rules.Visibility.EXISTS, prefix="person__"))

    def of_opened_people(self, people: Iterable[Person]) -> EpisodeQuerySet:
        """Episodes of people the caller has already read through `Person.objects.visible_to(user)`.

        Who works with a person follows the person's visibility, so a page of
        visible people needs no second pass through the access filter.
        """
        return self.filter(person_id__in=[person.pk for person in people])


class CaseNoteQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CaseNoteQuerySet:
        """Notes of people the user may know exist. That a note exists (when, kind,
        service) follows the person; who may read its text is `with_text_access`."""
        ctx = rules.context_for(user)
        return self.filter(rules.person_q(ctx, rules.Visibility.EXISTS, prefix="person__"))

    def with_text_access(self, user: User) -> CaseNoteQuerySet:
        """Annotate `text_readable`: whether the user may read the body and mentions.

        Only for querysets already filtered by `visible_to(user)`.
        """
        readable = rules.note_text_q(rules.context_for(user), user)
        return self.annotate(
            text_readable=Case(When(readable, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
