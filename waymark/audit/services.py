"""Writing to the audit log. Every app records through `record()`."""

from __future__ import annotations

from typing import Any

from waymark.audit.models import AuditEvent, AuditKind
from waymark.core.context import current_actor


def record(
    kind: AuditKind | str,
    action: str,
    *,
    obj: Any = None,
    person: Any = None,
    user: Any = None,
    service: Any = None,
    ip_address: str | None = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Who, for which service and from where default to the current request."""
    actor = current_actor()
    user = user if user is not None else actor.user
    service = service if service is not None else actor.service
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEvent.objects.create(
        kind=kind,
        action=action[:200],
        user_id=user.pk if user is not None else None,
        username=(user.get_username() if user is not None else username)[:150],
        service_id=service.pk if service is not None else None,
        service_name=(service.name if service is not None else "")[:200],
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(getattr(obj, "public_id", None) or getattr(obj, "pk", "") or "") if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        person_id=person.public_id if person is not None else None,
        person_reference=getattr(person, "reference", "") if person is not None else "",
        ip_address=ip_address if ip_address is not None else actor.ip_address,
        detail=detail or {},
    )


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields that changed, as {field: [old, new]}, for an audit event's detail."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
