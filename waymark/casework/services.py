"""Episodes: who is working with a person."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from waymark.casework.models import Episode


def episodes_of(user: Any, person: Any) -> QuerySet[Episode]:
    """The services working (and who worked) with a person, as the user may see them."""
    return (
        Episode.objects.visible_to(user)
        .filter(person=person)
        .select_related("service__organisation", "key_worker")
        .order_by("ended_on", "-started_on")
    )
