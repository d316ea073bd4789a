"""Base models shared by every app."""

from __future__ import annotations

import uuid

from django.db import models


class PublicModel(models.Model):
    """A record with a UUID for URLs and the API; the integer key stays internal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(PublicModel):
    """An editable record that refuses a stale save (see core.services.save_versioned)."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
