"""A person: one record across every service in the area.

Only a name or a description is required: people on the street do not always
give more. Every other detail is optional and can be added as trust builds.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models

from waymark.access.constants import Restriction
from waymark.core.models import PublicModel, VersionedModel
from waymark.people.querysets import PersonQuerySet

# No 0/O or 1/I, so a reference read out over the phone is not misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "WM-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


class BirthDatePrecision(models.TextChoices):
    """How much of a date of birth is known. A partial date is stored as its first day."""

    EXACT = "exact", "Exact date"
    MONTH = "month", "Month and year"
    YEAR = "year", "Year only"
    ESTIMATED = "estimated", "Estimated age"
    UNKNOWN = "unknown", "Not known"


class ImmigrationStatus(models.TextChoices):
    UNKNOWN = "", "Not known"
    BRITISH_IRISH = "british_irish", "British or Irish citizen"
    SETTLED = "settled", "Settled status or indefinite leave"
    PRE_SETTLED = "pre_settled", "Pre-settled status"
    REFUGEE = "refugee", "Refugee or humanitarian protection"
    ASYLUM_SEEKER = "asylum_seeker", "Asylum seeker"
    LIMITED_LEAVE = "limited_leave", "Limited leave (visa)"
    NO_STATUS = "no_status", "No current status"


# The fields match keys are made from; saving any of them rewrites the keys.
KEY_FIELDS = frozenset(
    {"first_name", "last_name", "known_as"}
    | {"date_of_birth", "birth_date_precision", "estimated_age", "age_estimated_on"}
)


class Person(VersionedModel):
    """Someone the services work with. Only a name or a description is required."""

    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    first_name = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=200, blank=True)
    known_as = models.CharField(max_length=200, blank=True)
    description = models.TextField(
        blank=True, help_text="For someone not yet identified, e.g. 'man, 40s, green sleeping bag'."
    )
    # A partial date of birth is stored as its first day (1 March 1980 for "March
    # 1980"); `birth_date_precision` says how much of it is known.
    date_of_birth = models.DateField(null=True, blank=True)
    birth_date_precision = models.CharField(
        max_length=10, choices=BirthDatePrecision.choices, default=BirthDatePrecision.UNKNOWN
    )
    estimated_age = models.PositiveSmallIntegerField(null=True, blank=True)
    age_estimated_on = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=100, blank=True, help_text="As they describe it.")
    pronouns = models.CharField(max_length=50, blank=True)
    nationality = models.CharField(max_length=100, blank=True)
    immigration_status = models.CharField(
        max_length=20, choices=ImmigrationStatus.choices, default=ImmigrationStatus.UNKNOWN, blank=True
    )
    # None: not known. Kept apart from the status because it decides what help is possible.
    no_recourse_to_public_funds = models.BooleanField(null=True, blank=True)
    languages = models.CharField(max_length=200, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    safe_contact = models.TextField(blank=True, help_text="A safe way to reach them, and anything to avoid.")
    last_settled_address = models.TextField(blank=True)
    local_connection = models.ForeignKey(
        "access.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
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

    def save(self, *args: Any, match_keys: bool = True, **kwargs: Any) -> None:
        """Save, and keep the person's match keys in step with their names and date of birth.

        `match_keys=False` leaves the keys to the caller (the register and edit
        services write them once, after the other names).
        """
        if self.area_id is None and self.registered_by_service_id is not None:
            self.area_id = self.registered_by_service.organisation.area_id
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if match_keys and (update_fields is None or KEY_FIELDS & set(update_fields)):
            from waymark.people.matching import refresh_keys

            refresh_keys(self)

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        if self.known_as and self.known_as != self.first_name:
            name = f"{name} ({self.known_as})" if name else self.known_as
        return name or self.description[:60] or self.reference


class OtherName(PublicModel):
    """A name the person has used: a previous surname, an alias, another spelling."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    first_name = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="e.g. 'maiden name', 'street name'.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class MatchKey(models.Model):
    """One blocking key of a person, for the duplicate check and search.

    An inverted index kept by `people.matching`: normalised and phonetic forms of
    every name the person has used, nickname roots and date-of-birth forms. A
    candidate is anyone sharing a key; scoring then ranks them. The same table
    serves SQLite and PostgreSQL, so both find the same candidates.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="match_keys")
    area = models.ForeignKey("access.Area", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)

    class Meta:
        # With the person in the index, finding candidates never reads the table
        # (an index-only scan on PostgreSQL). On PostgreSQL the key column is
        # collated "C" (migration 0003), so key ranges compare bytes as SQLite does.
        indexes = [models.Index(fields=["area", "key", "person"], name="matchkey_area_key")]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="matchkey_unique")]

    def __str__(self) -> str:
        return self.key
