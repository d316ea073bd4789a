"""A person: one record across every service in the area.

This holds the fields the access model needs; registration, identifiers and
the duplicate check build on it.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models

from waymark.access.constants import Restriction
from waymark.core.models import VersionedModel
from waymark.people.querysets import PersonQuerySet

# No 0/O or 1/I, so a reference read out over the phone is not misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "WM-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


class Person(VersionedModel):
    """Someone the services work with. Only a name or a description is required."""

    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    first_name = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=200, blank=True)
    known_as = models.CharField(max_length=200, blank=True)
    description = models.TextField(
        blank=True, help_text="For someone not yet identified, e.g. 'man, 40s, green sleeping bag'."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    restriction = models.CharField(max_length=10, choices=Restriction.choices, default=Restriction.NONE)
    registered_by_service = models.ForeignKey(
        "access.Service", on_delete=models.PROTECT, related_name="registered_people"
    )
    # The registering service's area, kept on the row so every access check starts
    # from an indexed column instead of two joins.
    area = models.ForeignKey("access.Area", on_delete=models.PROTECT, related_name="people", editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            # Lists walk this index in order and stop after a page, whatever the area's size.
            models.Index(fields=["area", "last_name", "first_name", "id"], name="person_area_name"),
            # The API's cursor pages, newest first.
            models.Index(fields=["area", "-created_at", "-id"], name="person_area_newest"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.area_id is None and self.registered_by_service_id is not None:
            self.area_id = self.registered_by_service.organisation.area_id
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        if self.known_as and self.known_as != self.first_name:
            name = f"{name} ({self.known_as})" if name else self.known_as
        return name or self.description[:60] or self.reference
