"""The append-only audit log.

No foreign keys: an event must outlive the user, service or person it names
(erasure of a person deletes their record, never the trail of who read it).
On PostgreSQL a trigger refuses UPDATE and DELETE; the model refuses them too.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AuditImmutable(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditKind(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    LOGOUT = "logout", "Signed out"
    MFA = "mfa", "Multi-factor authentication"
    READ = "read", "Read a record"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    ADMIN = "admin", "Administration"
    BREAK_GLASS = "break_glass", "Break-glass read"
    API_TOKEN = "api_token", "API token"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutable("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("Audit events cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditImmutable("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """Who did what, acting for which service, to which record and person, when, from where."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=AuditKind.choices, db_index=True)
    action = models.CharField(max_length=200, help_text="What happened, in words.")
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    service_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    service_name = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True, help_text="The record's public id.")
    object_repr = models.CharField(max_length=200, blank=True)
    person_id = models.UUIDField(null=True, blank=True, db_index=True, help_text="The person's public id.")
    person_reference = models.CharField(max_length=12, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["kind", "occurred_at"], name="audit_kind_time")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.username or 'anonymous'}: {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditImmutable("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("Audit events cannot be deleted.")
