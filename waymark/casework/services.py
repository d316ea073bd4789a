"""Episodes: who is working with a person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from waymark.casework.models import Episode

if TYPE_CHECKING:
    from waymark.people.services import PersonView


def episodes_of(view: PersonView) -> QuerySet[Episode]:
    """The services working (and who worked) with a person the user has opened.

    Takes the PersonView from `people.services.open_person`, which has already
    applied the access model to the person, so the check is not run twice.
    """
    return (
        Episode.objects.filter(person=view.person)
        .select_related("service__organisation", "key_worker")
        .order_by("ended_on", "-started_on")
    )
