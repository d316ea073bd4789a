"""Record protection: changing a person's restriction, break-glass, who looked, service notices.

Every function here checks permission itself, validates, runs in one
transaction and audits; the pages (`views_record.py`) and the API
(`api_record.py`) only translate to and from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from waymark.access import rules
from waymark.access.breakglass import active_glass
from waymark.access.constants import FLAG_NOT_WORKING_WITH, Restriction, Visibility
from waymark.access.models import BreakGlass, BreakGlassReason, BreakGlassScope, Service, ServiceNotice
from waymark.audit.models import AuditEvent, AuditKind
from waymark.audit.services import london_day_start, record
from waymark.core.context import current_actor

__all__ = [
    "FLAG_NOT_WORKING_WITH",
    "GLASS_HOURS",
    "GlassFilters",
    "RestrictionChange",
    "StaleVersion",
    "break_glass",
    "break_glass_blocker",
    "can_break_glass",
    "can_see_who_looked",
    "change_restriction",
    "export_flagged_reads",
    "export_glass_reads",
    "flagged_reads_for",
    "glass_person",
    "glass_reads_for",
    "mark_notice_read",
    "notice_message",
    "notices_for",
    "restriction_permission",
    "services_to_notify",
    "unread_notice_count",
]

# How long a break-glass lasts: long enough for one emergency, short enough to need asking again.
GLASS_HOURS = 4
# The detail an audited read carries when the reader's services do not work with the person (Mainstay's rule).
# An explanation this short rarely says why; "Other" needs more, as nothing else explains it.
EXPLANATION_MIN = 10
EXPLANATION_MIN_OTHER = 25
EXPLANATION_MAX = 2000
REASON_MAX = 1000

# What a service linked to a person (but not working with them) sees at each restriction.
_LINKED_SEES = {
    Restriction.NONE: Visibility.FULL,
    Restriction.PROTECTED: Visibility.EXISTS,
    Restriction.HIDDEN: Visibility.NONE,
}


class StaleVersion(Exception):
    """Someone else changed the record since the caller read it (a 409 in the API)."""

    def __init__(self, message: str = "Someone else changed this record since you opened it.") -> None:
        super().__init__(message)
        self.message = message


# --- who may act, and for which service ------------------------------------------------


def _acting_service(user: Any, service: Service | None) -> Service | None:
    """The service the user acts for: the one given, else the request's current one."""
    if service is not None:
        return service
    actor = current_actor()
    if actor.service is not None and getattr(actor.user, "pk", None) == getattr(user, "pk", None):
        return actor.service
    return None


def _episodes(person: Any) -> list[tuple[int, bool]]:
    """(service id, is open) for every episode of the person, open or closed."""
    Episode = apps.get_model("casework", "Episode")
    rows = Episode.objects.filter(person=person).values_list("service_id", "ended_on")
    return [(service_id, ended is None) for service_id, ended in rows]


def _open_service_ids(person: Any) -> set[int]:
    return {service_id for service_id, is_open in _episodes(person) if is_open}


@dataclass(frozen=True)
class RestrictionPermission:
    """Whether a user may change a person's restriction, acting for which service, and whether a reason is required."""

    allowed: bool
    service: Service | None = None
    reason_required: bool = False
    message: str = ""


def restriction_permission(user: Any, person: Any, service: Service | None = None) -> RestrictionPermission:
    """Who may change a restriction: a worker or manager of a service working with the person
    (an open episode), acting for it; or an area admin, who must give a reason."""
    ctx = rules.context_for(user)
    if not ctx.is_authenticated or person.area_id != ctx.area_id:
        return RestrictionPermission(False, message="You cannot change this record's restriction.")
    working = ctx.writing_service_ids & _open_service_ids(person)
    acting = _acting_service(user, service)
    if working:
        if acting is None or acting.pk in working:
            chosen = acting or Service.objects.filter(pk__in=working).order_by("name", "pk").first()
            return RestrictionPermission(True, service=chosen)
        if not ctx.is_area_admin:
            names = ", ".join(Service.objects.filter(pk__in=working).order_by("name").values_list("name", flat=True))
            return RestrictionPermission(
                False, message=f"Switch to {names} to change this record's restriction: you are acting for {acting}."
            )
    if ctx.is_area_admin:
        return RestrictionPermission(True, service=None, reason_required=True)
    return RestrictionPermission(
        False,
        message=(
            "Only a service working with this person, or an area admin giving a reason, can change its restriction."
        ),
    )


# --- changing a restriction ---------------------------------------------------------------


def notice_message(reference: str, new_restriction: str) -> str:
    """What a service that will see less is told: what it can no longer see, never why."""
    if new_restriction == Restriction.HIDDEN:
        return f"The record {reference} is now hidden: it no longer appears for your service."
    return f"The record {reference} is now protected: you will see only that a record exists and whom to contact."


def services_to_notify(person: Any, old: str, new: str) -> list[Service]:
    """Services linked to the person (registering, or any episode) that see less after the change.

    A service working with the person (an open episode) sees the full record
    whatever the restriction, so it loses nothing and is not told.
    """
    if _LINKED_SEES[Restriction(new)] >= _LINKED_SEES[Restriction(old)]:
        return []
    episodes = _episodes(person)
    open_ids = {s for s, is_open in episodes if is_open}
    linked = {person.registered_by_service_id} | {s for s, _ in episodes}
    return list(Service.objects.filter(pk__in=linked - open_ids).order_by("name", "pk"))


@dataclass(frozen=True)
class RestrictionChange:
    """The outcome of a change: the person as saved, and the services told."""

    person: Any
    old: str
    new: str
    notified: list[Service] = field(default_factory=list)


@transaction.atomic
def change_restriction(
    user: Any,
    person: Any,
    new_restriction: str,
    reason: str = "",
    version: int | None = None,
    service: Service | None = None,
) -> RestrictionChange:
    """Change a person's restriction (none, protected, hidden).

    Allowed for a worker or manager acting for a service working with the
    person, or for an area admin giving a reason. A stale `version` raises
    StaleVersion. Every other linked service that will see less gets a notice
    saying what it can no longer see, never why. Audited as a change.
    """
    permission = restriction_permission(user, person, service)
    if not permission.allowed:
        raise PermissionDenied(permission.message)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if new_restriction not in Restriction.values:
        errors["restriction"] = "Choose none, protected or hidden."
    if permission.reason_required and not reason:
        errors["reason"] = "Give the reason for the change: area admins must say why."
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"Give the reason in at most {REASON_MAX} characters."
    if errors:
        raise ValidationError(errors)
    Person = apps.get_model("people", "Person")
    # Lock the row so two changes cannot both pass the version check.
    current = Person.objects.select_for_update().get(pk=person.pk)
    if version is not None and version != current.version:
        raise StaleVersion(
            "Someone else changed this record since you opened it. "
            f"Its restriction is now {current.get_restriction_display().lower()}; check it and choose again."
        )
    old = current.restriction
    if old == new_restriction:
        raise ValidationError({"restriction": f"The record is already {current.get_restriction_display().lower()}."})
    now = timezone.now()
    Person.objects.filter(pk=current.pk).update(restriction=new_restriction, version=F("version") + 1, updated_at=now)
    current.refresh_from_db()
    notified = services_to_notify(current, old, new_restriction)
    message = notice_message(current.reference, new_restriction)
    ServiceNotice.objects.bulk_create([ServiceNotice(service=s, message=message) for s in notified])
    detail: dict[str, Any] = {
        "changes": {"restriction": [old, new_restriction]},
        "notified_services": [s.name for s in notified],
    }
    if reason:
        detail["reason"] = reason
    if permission.reason_required:
        detail["as_area_admin"] = True
    record(
        AuditKind.CHANGE,
        f"Changed the restriction of {current.reference} from {old} to {new_restriction}",
        obj=current,
        person=current,
        service=permission.service,
        detail=detail,
    )
    # Keep the caller's object in step, as a save would.
    person.restriction, person.version, person.updated_at = current.restriction, current.version, current.updated_at
    return RestrictionChange(person=current, old=old, new=new_restriction, notified=notified)


# --- break-glass ----------------------------------------------------------------------------


def _glass_service(user: Any, service: Service | None) -> Service | None:
    """The writing service the user breaks the glass for, or None if they write for none."""
    ctx = rules.context_for(user)
    acting = _acting_service(user, service)
    if acting is not None:
        return acting if acting.pk in ctx.writing_service_ids else None
    if not ctx.writing_service_ids:
        return None
    return Service.objects.filter(pk__in=ctx.writing_service_ids).order_by("name", "pk").first()


def can_break_glass(user: Any, service: Service | None = None) -> bool:
    """Whether the user, acting for their current service, may ask to break the glass at all."""
    return _glass_service(user, service) is not None


def _glass_candidates(user: Any) -> QuerySet:
    Person = apps.get_model("people", "Person")
    return (
        Person.objects.visible_to(user)
        .with_full_access(user)
        .exclude(restriction=Restriction.HIDDEN)
        .select_related("registered_by_service__organisation")
    )


def _visible_person(user: Any, person: Any) -> Any:
    """The person as the user may see them (annotated `full_access`), or Http404.

    A hidden person is answered exactly as a missing one: break-glass never reveals them.
    """
    found = _glass_candidates(user).filter(pk=getattr(person, "pk", None)).first()
    if found is None:
        raise Http404("No such person")
    return found


def glass_person(user: Any, public_id: Any) -> Any:
    """A person the user may ask to break the glass on, by public id; Http404 for hidden, unknown or unseen."""
    try:
        found = _glass_candidates(user).filter(public_id=public_id).first()
    except ValidationError:  # not a UUID
        found = None
    if found is None:
        raise Http404("No such person")
    return found


def _withheld_notes_exist(user: Any, person: Any) -> bool:
    """Whether some note text on this person is withheld from the user and a notes glass would show it.

    Text is read by writers at the authoring service and, unless private, by
    writers at a service working with the person; the glass shows non-private notes only.
    """
    ctx = rules.context_for(user)
    if ctx.writing_service_ids & _open_service_ids(person):
        return False
    CaseNote = apps.get_model("casework", "CaseNote")
    return (
        CaseNote.objects.filter(person=person, private_to_service=False)
        .exclude(service_id__in=ctx.writing_service_ids)
        .exists()
    )


def break_glass_blocker(user: Any, person: Any, scope: str, service: Service | None = None) -> str | None:
    """Why a break-glass request would be refused or pointless, or None when it may go ahead.

    Raises Http404 for a person the user may not know of (hidden ones included).
    `person` must come from `_visible_person` or carry `full_access`; other callers
    pass any Person and it is looked up again.
    """
    if not hasattr(person, "full_access"):
        person = _visible_person(user, person)
    if _glass_service(user, service) is None:
        return (
            "Only a worker or manager acting for their service can break the glass. "
            "Viewers, analysts and area-wide roles cannot."
        )
    if scope not in BreakGlassScope.values:
        return "Choose what you need to see: the person's identity or their case notes."
    existing = active_glass(user, person, scope)
    if existing is not None:
        until = timezone.localtime(existing.expires_at).strftime("%H:%M")
        what = existing.get_scope_display().lower()
        return f"You already broke the glass on this record for {what}; it lasts until {until}."
    if scope == BreakGlassScope.IDENTITY and person.full_access:
        return "You can already see who this person is: there is nothing to unlock."
    if scope == BreakGlassScope.NOTES and not person.full_access and active_glass(user, person, "identity") is None:
        # A protected person's notes would say who they are; unlock the identity first.
        return "This record is protected: break the glass on who the person is first, then on their notes."
    if scope == BreakGlassScope.NOTES and not _withheld_notes_exist(user, person):
        return "There are no case notes on this record that you cannot already read."
    return None


@transaction.atomic
def break_glass(
    user: Any,
    person: Any,
    scope: str,
    reason: str,
    explanation: str,
    service: Service | None = None,
) -> BreakGlass:
    """Let a worker read, for GLASS_HOURS, what the access model would withhold, after giving a reason.

    Only contributors and managers acting for their service; the person must be
    visible to them and never hidden (a hidden or unknown person is Http404).
    `identity` unlocks a protected person seen only as "a record exists";
    `notes` unlocks note text withheld from them. A pointless request is refused.
    Audited as BREAK_GLASS; the owning services' managers and area admins see it
    on the "who looked" page.
    """
    visible = _visible_person(user, person)
    acting = _glass_service(user, service)
    if acting is None:
        raise PermissionDenied(break_glass_blocker(user, visible, scope, service))
    errors: dict[str, str] = {}
    if scope not in BreakGlassScope.values:
        errors["scope"] = "Choose what you need to see: the person's identity or their case notes."
    if reason not in BreakGlassReason.values:
        errors["reason"] = "Choose the reason you need to see this."
    explanation = (explanation or "").strip()
    minimum = EXPLANATION_MIN_OTHER if reason == BreakGlassReason.OTHER else EXPLANATION_MIN
    if not explanation:
        errors["explanation"] = "Explain why you need to see this now."
    elif len(explanation) < minimum:
        errors["explanation"] = f"Explain in at least {minimum} characters why you need to see this now" + (
            ": 'Other' needs a full explanation." if reason == BreakGlassReason.OTHER else "."
        )
    elif len(explanation) > EXPLANATION_MAX:
        errors["explanation"] = f"Keep the explanation to {EXPLANATION_MAX} characters or fewer."
    if errors:
        raise ValidationError(errors)
    blocker = break_glass_blocker(user, visible, scope, acting)
    if blocker:
        raise ValidationError({"scope": blocker})
    glass = BreakGlass.objects.create(
        user=user,
        service=acting,
        person=visible,
        area_id=visible.area_id,
        scope=scope,
        reason=reason,
        explanation=explanation,
        expires_at=timezone.now() + timedelta(hours=GLASS_HOURS),
    )
    record(
        AuditKind.BREAK_GLASS,
        f"Broke the glass on {visible.reference} ({glass.get_scope_display().lower()})",
        obj=glass,
        person=visible,
        user=user,
        service=acting,
        detail={
            "event": "granted",
            "glass": str(glass.public_id),
            "scope": scope,
            "reason": reason,
            "explanation": explanation,
            "expires_at": glass.expires_at.isoformat(),
        },
    )
    return glass


# --- who looked -------------------------------------------------------------------------------


def can_see_who_looked(user: Any) -> bool:
    """Service managers (for the people their services own) and area admins (for the whole area)."""
    ctx = rules.context_for(user)
    return ctx.is_authenticated and (ctx.is_area_admin or bool(ctx.manager_service_ids))


def _owned_people(ctx: rules.AccessContext) -> QuerySet:
    """People a manager's services own: registered by them, or with any episode at them."""
    Person = apps.get_model("people", "Person")
    Episode = apps.get_model("casework", "Episode")
    managed = sorted(ctx.manager_service_ids)
    return Person.objects.filter(
        Q(registered_by_service_id__in=managed)
        | Q(pk__in=Episode.objects.filter(service_id__in=managed).values("person_id"))
    )


@dataclass(frozen=True)
class GlassFilters:
    """What the who-looked lists are narrowed to; every field optional."""

    date_from: date | None = None
    date_to: date | None = None
    # The service acting when the record was read.
    service: Service | None = None

    def as_detail(self) -> dict[str, str]:
        return {
            name: (value.name if isinstance(value, Service) else str(value))
            for name, value in asdict(self).items()
            if value is not None
        }


def _require_who_looked(user: Any) -> tuple[rules.AccessContext, int]:
    """The user's access context and area, or PermissionDenied for anyone but managers and area admins."""
    ctx = rules.context_for(user)
    if not can_see_who_looked(user) or ctx.area_id is None:
        raise PermissionDenied("Only service managers and area admins can see who looked at records.")
    return ctx, ctx.area_id


def glass_reads_for(user: Any, filters: GlassFilters | None = None) -> QuerySet[BreakGlass]:
    """Break-glass reads the user may review, newest first.

    Area admins see their whole area's; a service manager sees those on people
    their services own. Everyone else is refused (PermissionDenied).
    """
    ctx, area_id = _require_who_looked(user)
    filters = filters or GlassFilters()
    glasses = BreakGlass.objects.filter(area_id=area_id)
    if not ctx.is_area_admin:
        glasses = glasses.filter(person_id__in=_owned_people(ctx).values("pk"))
    if filters.date_from:
        glasses = glasses.filter(created_at__gte=london_day_start(filters.date_from))
    if filters.date_to:
        glasses = glasses.filter(created_at__lt=london_day_start(filters.date_to + timedelta(days=1)))
    if filters.service is not None:
        glasses = glasses.filter(service=filters.service)
    return glasses.select_related("user", "service", "person").order_by("-created_at", "-id")


def flagged_reads_for(user: Any, filters: GlassFilters | None = None) -> QuerySet[AuditEvent]:
    """Reads flagged by Mainstay's rule (the reader's services do not work with the person), newest first.

    Same audience as `glass_reads_for`: area admins for the area, managers for people their services own.
    """
    from waymark.audit.services import events_visible_to

    ctx, _ = _require_who_looked(user)
    filters = filters or GlassFilters()
    events = AuditEvent.objects.filter(
        kind__in=[AuditKind.READ, AuditKind.BREAK_GLASS], detail__flag=FLAG_NOT_WORKING_WITH
    )
    if ctx.is_area_admin:
        events = events & events_visible_to(user)
    else:
        events = events.filter(person_id__in=_owned_people(ctx).values("public_id"))
    if filters.date_from:
        events = events.filter(occurred_at__gte=london_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=london_day_start(filters.date_to + timedelta(days=1)))
    if filters.service is not None:
        events = events.filter(service_id=filters.service.pk)
    return events.order_by("-occurred_at", "-id")


def _csv_safe(value: Any) -> str:
    # Spreadsheets run a cell starting with = + - @ as a formula; free text ends up here.
    text = "" if value is None else str(value)
    return "'" + text if text and text[0] in "=+-@\t\r" else text


def _csv_rows(header: list[str], rows: Iterator[list[Any]]) -> Iterator[str]:
    import csv

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_csv_safe(value) for value in row])


def _london(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


GLASS_CSV_HEADER = [
    "When (UK time)",
    "Username",
    "Name",
    "Acting for",
    "Person reference",
    "Scope",
    "Reason",
    "Explanation",
    "Lasts until (UK time)",
]
FLAGGED_CSV_HEADER = ["When (UK time)", "Username", "Acting for", "Person reference", "What"]


def export_glass_reads(user: Any, filters: GlassFilters | None = None) -> Iterator[str]:
    """Record the export, then yield the break-glass reads the user may review as CSV lines."""
    glasses = glass_reads_for(user, filters)
    record(
        AuditKind.EXPORT,
        "Exported break-glass reads as CSV",
        detail={"filters": (filters or GlassFilters()).as_detail(), "list": "break_glass"},
    )
    rows = (
        [
            _london(g.created_at),
            g.user.username,
            g.user.display_name,
            g.service.name,
            g.person.reference,
            g.get_scope_display(),
            g.get_reason_display(),
            g.explanation,
            _london(g.expires_at),
        ]
        for g in glasses.iterator(chunk_size=500)
    )
    return _csv_rows(GLASS_CSV_HEADER, rows)


def export_flagged_reads(user: Any, filters: GlassFilters | None = None) -> Iterator[str]:
    """Record the export, then yield the flagged reads the user may review as CSV lines."""
    events = flagged_reads_for(user, filters)
    record(
        AuditKind.EXPORT,
        "Exported flagged reads as CSV",
        detail={"filters": (filters or GlassFilters()).as_detail(), "list": FLAG_NOT_WORKING_WITH},
    )
    columns = ("occurred_at", "username", "service_name", "person_reference", "action")
    rows = ([_london(row[0]), *row[1:]] for row in events.values_list(*columns).iterator(chunk_size=500))
    return _csv_rows(FLAGGED_CSV_HEADER, rows)


# --- service notices ----------------------------------------------------------------------------


def notices_for(user: Any, unread_only: bool = False) -> QuerySet[ServiceNotice]:
    """Notices to the user's services, newest first (every member of a service reads its notices)."""
    ctx = rules.context_for(user)
    if not ctx.service_ids:
        return ServiceNotice.objects.none()
    notices = ServiceNotice.objects.filter(service_id__in=sorted(ctx.service_ids))
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return notices.select_related("service").order_by("-created_at", "-id")


def unread_notice_count(user: Any) -> int:
    """How many notices to the user's services are unread, for the header link."""
    return notices_for(user, unread_only=True).order_by().count()


@transaction.atomic
def mark_notice_read(user: Any, notice: ServiceNotice) -> ServiceNotice:
    """Mark a notice to one of the user's services as read. Another service's notice is Http404."""
    if not notices_for(user).filter(pk=notice.pk).exists():
        raise Http404("No such notice")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at", "updated_at"])
    return notice
