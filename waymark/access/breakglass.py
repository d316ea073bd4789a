"""Break-glass: reading, with a reason, what the access model would otherwise withhold.

The lookups here are what other apps ask ("has this user broken the glass on
this person?"). Requesting one is `break_glass()` in access.services_record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from waymark.access.constants import Restriction
from waymark.access.models import BreakGlass, BreakGlassScope

__all__ = ["BreakGlassScope", "active_glass", "glass_people_q"]


def active_glass(user: Any, person: Any, scope: str) -> BreakGlass | None:
    """The user's unexpired break-glass on this person for `scope`, if any.

    None for a hidden person, even when the glass was broken before they were hidden:
    break-glass never reveals a hidden record.
    """
    if not getattr(user, "is_authenticated", False) or person is None:
        return None
    if getattr(person, "restriction", None) == Restriction.HIDDEN:
        return None
    return (
        _unexpired(user, scope)
        .filter(person=person)
        .exclude(person__restriction=Restriction.HIDDEN)
        .order_by("-expires_at")
        .first()
    )


def glass_people_q(user: Any, scope: str, prefix: str = "") -> Q:
    """People (or, with `prefix`, rows pointing at people) the user holds unexpired glass on; never hidden ones."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    people = _unexpired(user, scope).exclude(person__restriction=Restriction.HIDDEN).values("person_id")
    return Q(**{f"{prefix}pk__in": people})


def _unexpired(user: Any, scope: str) -> Any:
    """Unexpired glass the user broke for a service they still write for: a worker
    moved to look-up only, or out of the service, loses it at once."""
    from waymark.access.rules import context_for

    writing = sorted(context_for(user).writing_service_ids)
    return BreakGlass.objects.filter(user=user, scope=scope, expires_at__gt=timezone.now(), service_id__in=writing)
