"""Person querysets: every read of people starts from `visible_to(user)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import BooleanField, Case, Value, When

from waymark.access import rules

if TYPE_CHECKING:
    from waymark.access.models import User


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> PersonQuerySet:
        """People the user may know exist (full record, or 'a record exists, contact…')."""
        return self.filter(rules.person_q(rules.context_for(user), rules.Visibility.EXISTS))

    def fully_visible_to(self, user: User) -> PersonQuerySet:
        """People whose shared record the user may open."""
        return self.filter(rules.person_q(rules.context_for(user), rules.Visibility.FULL))

    def with_full_access(self, user: User) -> PersonQuerySet:
        """Annotate `full_access`: whether the user may see the row's identity.

        Only for querysets already filtered by `visible_to(user)`.
        """
        full = rules.full_among_visible_q(rules.context_for(user))
        return self.annotate(
            full_access=Case(When(full, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
