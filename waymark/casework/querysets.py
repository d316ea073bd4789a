"""Episode querysets, filtered through the access model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from waymark.access import rules

if TYPE_CHECKING:
    from waymark.access.models import User


class EpisodeQuerySet(models.QuerySet):
    def open(self) -> EpisodeQuerySet:
        return self.filter(ended_on__isnull=True)

    def visible_to(self, user: User) -> EpisodeQuerySet:
        """Episodes of people the user may see. Who works with a person is what a
        partner needs first, so this follows the person's visibility, not the episode's."""
        ctx = rules.context_for(user)
        return self.filter(rules.person_q(ctx, rules.Visibility.EXISTS, prefix="person__"))
