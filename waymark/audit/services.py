"""Writing to the audit log (every app records through `record()`), and reading it for area admins."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.timezone import localtime

from waymark.access import rules
from waymark.audit.models import AuditEvent, AuditKind
from waymark.core.context import current_actor


def _describe(obj: Any) -> str:
    """How the log names a record. A person is named by reference only: the log is
    append-only, so a name written here could never be erased with the record."""
    if obj is None:
        return ""
    reference = getattr(obj, "reference", None)
    return str(reference if reference else obj)[:200]


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
        object_repr=_describe(obj),
        person_id=person.public_id if person is not None else None,
        person_reference=getattr(person, "reference", "") if person is not None else "",
        ip_address=ip_address if ip_address is not None else actor.ip_address,
        detail=detail or {},
    )


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields that changed, as {field: [old, new]}, for an audit event's detail."""
    return {
        name: [_plain(before.get(name)), _plain(value)] for name, value in after.items() if before.get(name) != value
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


# --- reading the log (area admins) ---------------------------------------------

LONDON = ZoneInfo("Europe/London")

CSV_HEADER = [
    "When (Europe/London)",
    "Kind",
    "Action",
    "Username",
    "User id",
    "Service",
    "Service id",
    "Record type",
    "Record id",
    "Record",
    "Person reference",
    "Person id",
    "Address",
    "Detail",
]


@dataclass(frozen=True)
class AuditFilters:
    """What an area admin narrowed the log to; every field optional."""

    username: str = ""
    person: str = ""
    service: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_detail(self) -> dict[str, str]:
        """The filters in use, as plain strings for an audit event's detail."""
        return {name: str(value) for name, value in asdict(self).items() if value not in ("", None)}


def events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """Audit events an area admin may read: those of their area's users and services.

    Events carry no foreign keys, so the area is found through the ids of its
    users and services (and, for failed sign-ins, which have no user id, the
    usernames of its users). Everyone who is not an area admin is refused.
    """
    from waymark.access.models import Service, User

    ctx = rules.context_for(user)
    if not ctx.is_area_admin or ctx.area_id is None:
        raise PermissionDenied("Only an area admin can read the audit log.")
    area_users = User.objects.filter(area_id=ctx.area_id)
    area_services = Service.objects.filter(organisation__area_id=ctx.area_id)
    return AuditEvent.objects.filter(
        Q(user_id__in=area_users.values("pk"))
        | Q(service_id__in=area_services.values("pk"))
        | Q(user_id__isnull=True, username__in=area_users.values("username"))
    )


def london_day_start(day: date) -> datetime:
    """Midnight at the start of a day in Europe/London, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LONDON)


def filter_events(events: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Narrow audit events by user, person, service, kind and an inclusive London date range."""
    if filters.username:
        events = events.filter(username__iexact=filters.username)
    if filters.person:
        try:
            events = events.filter(person_id=UUID(filters.person))
        except ValueError:
            events = events.filter(person_reference__iexact=filters.person)
    if filters.service:
        events = events.filter(service_name__icontains=filters.service)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.date_from:
        events = events.filter(occurred_at__gte=london_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=london_day_start(filters.date_to + timedelta(days=1)))
    return events


def search_events(user: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The area admin's view of the log, filtered, newest first."""
    return filter_events(events_visible_to(user), filters).order_by("-occurred_at", "-id")


def _csv_safe(value: Any) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets; names
    # typed by users end up here, so such cells are quoted as text.
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def export_events(user: Any, filters: AuditFilters, chunk_size: int = 2000) -> Iterator[str]:
    """Record the export, then yield the filtered log as CSV lines, a chunk of rows at a time.

    The export is audited before the first row is read, so even an abandoned
    download leaves a trace. Rows are read with a database iterator, so a
    large log is never held in memory.
    """
    events = search_events(user, filters)
    record(AuditKind.EXPORT, "Exported the audit log as CSV", detail={"filters": filters.as_detail()})
    return _csv_lines(events, chunk_size)


def _csv_lines(events: QuerySet[AuditEvent], chunk_size: int) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    columns = (
        "occurred_at",
        "kind",
        "action",
        "username",
        "user_id",
        "service_name",
        "service_id",
        "object_type",
        "object_id",
        "object_repr",
        "person_reference",
        "person_id",
        "ip_address",
        "detail",
    )
    for row in events.values_list(*columns).iterator(chunk_size=chunk_size):
        values = list(row)
        values[0] = localtime(values[0], LONDON).strftime("%Y-%m-%d %H:%M:%S")
        values[-1] = json.dumps(values[-1], sort_keys=True) if values[-1] else ""
        yield writer.writerow([_csv_safe(value) for value in values])
