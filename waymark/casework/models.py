"""Episodes: a service working with a person. An open episode is what
"working with" means throughout the access model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from waymark.casework.querysets import EpisodeQuerySet
from waymark.core.models import VersionedModel


class Episode(VersionedModel):
    """A period in which one service works with one person."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="episodes")
    service = models.ForeignKey("access.Service", on_delete=models.PROTECT, related_name="episodes")
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="key_episodes"
    )
    started_on = models.DateField()
    start_reason = models.CharField(max_length=200, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["service", "person"], name="episode_service_person"),
            models.Index(fields=["person", "service"], condition=Q(ended_on__isnull=True), name="episode_open"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service"], condition=Q(ended_on__isnull=True), name="episode_one_open_per_service"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} with {self.person_id} from {self.started_on}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None
