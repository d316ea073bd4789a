"""Episodes and case notes: who is working with a person, and what they wrote.

Every change here is validated, atomic and audited; the pages and the API call
these functions and nothing else. Who may read a note's text is decided in
`access.rules` (`note_text_readable` / `note_text_q`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from waymark.access import rules
from waymark.access.breakglass import active_glass
from waymark.access.constants import FLAG_NOT_WORKING_WITH, WRITING_ROLES, Visibility
from waymark.access.models import Membership, Service, User
from waymark.audit.models import AuditKind
from waymark.audit.services import record
from waymark.casework import timeline
from waymark.casework.models import CaseNote, EndReason, Episode, NoteKind
from waymark.people.models import Person

if TYPE_CHECKING:
    from waymark.people.services import PersonView

__all__ = [
    "NoteFilters",
    "NotesRead",
    "StaleRecord",
    "amend_note",
    "change_key_worker",
    "end_episode",
    "episodes_of",
    "key_worker_choices",
    "key_worker_choices_for",
    "notes_for",
    "notes_queryset",
    "open_people_for_episodes",
    "record_notes_seen",
    "services_to_start",
    "start_episode",
    "timeline_for",
    "write_note",
]

BODY_MAX = 20_000
MENTIONS_MAX = 20


class StaleRecord(Exception):
    """Someone else changed the record since it was read; nothing was saved."""

    message = "Someone else changed this episode since you opened it. Check it and make your change again."

    def __str__(self) -> str:
        return self.message


# --- who may do what ----------------------------------------------------------------------


# Dates before this are typing mistakes (0001 for 2001), not casework.
EARLIEST = datetime.date(1990, 1, 1)


def _can_write_for(user: Any, service: Service | None) -> bool:
    ctx = rules.context_for(user)
    return service is not None and service.pk in ctx.writing_service_ids


def _require_writer(user: Any, service: Service | None, *, area_admin_may: bool = False) -> None:
    """A contributor or manager at `service` (or, where allowed, an area admin of its area)."""
    ctx = rules.context_for(user)
    if not ctx.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if service is None:
        raise PermissionDenied("Choose the service you are acting for first.")
    if service.pk in ctx.writing_service_ids:
        return
    if area_admin_may and ctx.is_area_admin and service.organisation.area_id == ctx.area_id:
        return
    raise PermissionDenied("Only a worker or manager of this service can do this.")


def _is_active_writer(user: User | None, service: Service) -> bool:
    if user is None:
        return False
    return Membership.objects.active().filter(user=user, service=service, role__in=sorted(WRITING_ROLES)).exists()


def _today() -> datetime.date:
    return timezone.localdate()


def _bump(episode: Episode, version: int | None, **changes: Any) -> Episode:
    """Save `changes` only if the episode is still at `version`; else StaleRecord."""
    expected = episode.version if version is None else version
    updated = Episode.objects.filter(pk=episode.pk, version=expected).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise StaleRecord()
    episode.refresh_from_db()
    return episode


# --- episodes ------------------------------------------------------------------------------------


def episodes_of(view: PersonView) -> QuerySet[Episode]:
    """The services working (and who worked) with a person the user has opened.

    Takes the PersonView from `people.services.open_person`, which has already
    applied the access model to the person, so the check is not run twice.
    Open episodes first, then the most recent.
    """
    return (
        Episode.objects.filter(person=view.person)
        .select_related("service__organisation", "key_worker")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "-id")
    )


def open_people_for_episodes(user: Any) -> QuerySet[Person]:
    """People a user may start an episode with: those they see in full, and those
    registered by one of their services (a refuge starts work with a protected
    person it has just registered before it can see them in full)."""
    ctx = rules.context_for(user)
    if not ctx.is_authenticated or ctx.area_id is None:
        return Person.objects.none()
    own = Q(registered_by_service_id__in=sorted(ctx.service_ids), area_id=ctx.area_id)
    return Person.objects.filter(rules.person_q(ctx, Visibility.FULL) | own)


def services_to_start(user: Any) -> QuerySet[Service]:
    """Services a user may start an episode for: their writing services; an area admin, any in the area."""
    ctx = rules.context_for(user)
    services = Service.objects.select_related("organisation").filter(is_active=True)
    if ctx.is_area_admin and ctx.area_id is not None:
        return services.filter(organisation__area_id=ctx.area_id)
    return services.filter(pk__in=sorted(ctx.writing_service_ids))


def key_worker_choices(service: Service) -> QuerySet[User]:
    """Who may be a service's key worker: its active contributors and managers."""
    members = Membership.objects.active().filter(service=service, role__in=sorted(WRITING_ROLES))
    return User.objects.filter(pk__in=members.values("user_id")).order_by("first_name", "last_name", "username")


def key_worker_choices_for(services: QuerySet[Service]) -> QuerySet[User]:
    """Key workers for a choice of services: the active contributors and managers of any of them."""
    members = Membership.objects.active().filter(service__in=services, role__in=sorted(WRITING_ROLES))
    return User.objects.filter(pk__in=members.values("user_id")).order_by("first_name", "last_name", "username")


def _check_key_worker(key_worker: User | None, service: Service) -> None:
    if key_worker is not None and not _is_active_writer(key_worker, service):
        raise ValidationError({"key_worker": "Choose a current worker or manager of this service."})


@transaction.atomic
def start_episode(
    user: Any,
    person: Person,
    service: Service,
    *,
    started_on: datetime.date,
    key_worker: User | None = None,
    reason: str = "",
) -> Episode:
    """Start a service working with a person: what gives the service the full record.

    The user must be a worker or manager of the service (an area admin may start
    one for any service of the area) and see the person in full, or have
    registered them. One open episode per service and person; a person returning
    later gets a new episode and the old one stays as history.
    """
    _require_writer(user, service, area_admin_may=True)
    if not open_people_for_episodes(user).filter(pk=person.pk).exists():
        raise Http404("No such person")
    errors: dict[str, str] = {}
    if started_on > _today():
        errors["started_on"] = "The start date must be today or in the past."
    elif started_on < EARLIEST:
        errors["started_on"] = f"The start date must be in {EARLIEST.year} or later."
    if len(reason) > 200:
        errors["reason"] = "Give the reason in 200 characters or fewer."
    if Episode.objects.filter(person=person, service=service, ended_on__isnull=True).exists():
        errors["service"] = f"{service.name} is already working with this person. End that episode first."
    if errors:
        raise ValidationError(errors)
    _check_key_worker(key_worker, service)
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                person=person, service=service, key_worker=key_worker, started_on=started_on, start_reason=reason
            )
    except IntegrityError as exc:  # two starts at once: the constraint keeps one open episode
        raise ValidationError(
            {"service": f"{service.name} is already working with this person. End that episode first."}
        ) from exc
    record(
        AuditKind.CREATE,
        f"Started an episode of {service.name} with {person.reference}",
        obj=episode,
        user=user,
        person=person,
        detail={
            "service": str(service.public_id),
            "started_on": started_on.isoformat(),
            "key_worker": key_worker.get_username() if key_worker else None,
            "reason": reason,
        },
    )
    return episode


@transaction.atomic
def change_key_worker(user: Any, episode: Episode, key_worker: User | None, *, version: int | None = None) -> Episode:
    """Give an open episode a new key worker (or none). Refused if the episode changed since `version`."""
    _require_writer(user, episode.service, area_admin_may=True)
    if not episode.is_open:
        raise ValidationError({"key_worker": "This episode has ended; its key worker cannot change."})
    _check_key_worker(key_worker, episode.service)
    old = episode.key_worker
    episode = _bump(episode, version, key_worker=key_worker)
    record(
        AuditKind.CHANGE,
        f"Changed the key worker of {episode.service.name} for {episode.person.reference}",
        obj=episode,
        user=user,
        person=episode.person,
        detail={"key_worker": [old.get_username() if old else None, key_worker.get_username() if key_worker else None]},
    )
    return episode


@transaction.atomic
def end_episode(
    user: Any,
    episode: Episode,
    *,
    ended_on: datetime.date,
    reason: str,
    detail: str = "",
    version: int | None = None,
) -> Episode:
    """End an open episode on a date (not before it started, not in the future) with a reason from `EndReason`."""
    _require_writer(user, episode.service, area_admin_may=True)
    errors: dict[str, str] = {}
    if not episode.is_open:
        errors["ended_on"] = "This episode has already ended."
    elif ended_on > _today():
        errors["ended_on"] = "The end date must be today or in the past."
    elif ended_on < episode.started_on:
        errors["ended_on"] = f"The end date must be on or after the start date, {episode.started_on:%-d %B %Y}."
    if reason not in EndReason.values:
        errors["reason"] = "Choose why the episode ended."
    if reason == EndReason.OTHER and not detail.strip():
        errors["detail"] = "Say why the episode ended."
    if errors:
        raise ValidationError(errors)
    episode = _bump(episode, version, ended_on=ended_on, end_reason=reason, end_detail=detail.strip())
    record(
        AuditKind.CHANGE,
        f"Ended the episode of {episode.service.name} with {episode.person.reference}",
        obj=episode,
        user=user,
        person=episode.person,
        detail={"ended_on": ended_on.isoformat(), "reason": reason, "detail": detail.strip()},
    )
    return episode


# --- case notes ------------------------------------------------------------------------------------


def _mentioned(user: Any, person: Person, references: Iterable[str]) -> list[Person]:
    """The people a note mentions, by reference, each one the user may see."""
    wanted = sorted({ref.strip().upper() for ref in references if ref and ref.strip()})
    if len(wanted) > MENTIONS_MAX:
        raise ValidationError({"mentions": f"Mention at most {MENTIONS_MAX} people in one note."})
    if person.reference in wanted:
        raise ValidationError({"mentions": "A note does not need to mention the person it is about."})
    found = list(Person.objects.visible_to(user).filter(reference__in=wanted).only("pk", "reference"))
    missing = sorted(set(wanted) - {p.reference for p in found})
    if missing:
        raise ValidationError({"mentions": f"No one you may see has the reference {', '.join(missing)}."})
    return found


def _check_note(contact_at: datetime.datetime, kind: str, body: str) -> None:
    errors: dict[str, str] = {}
    if contact_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["contact_at"] = "The contact must be now or in the past."
    elif contact_at.date() < EARLIEST:
        errors["contact_at"] = f"The contact must be in {EARLIEST.year} or later."
    if kind not in NoteKind.values:
        errors["kind"] = "Choose the type of contact."
    if not body.strip():
        errors["body"] = "Write what happened."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Write the note in {BODY_MAX:,} characters or fewer."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def write_note(
    user: Any,
    person: Person,
    service: Service | None,
    *,
    contact_at: datetime.datetime,
    kind: str,
    body: str,
    private_to_service: bool = False,
    mentions: Iterable[str] = (),
) -> CaseNote:
    """Write and sign off a case note for a person the acting service works with.

    `service` is the service the user acts for: they must be a worker or manager
    there and it must have an open episode with the person. Mentions are other
    people's references (WM-XXXXX), stored as links, never as copied details.
    """
    _require_writer(user, service)
    assert service is not None
    if not Person.objects.visible_to(user).filter(pk=person.pk).exists():
        raise Http404("No such person")
    if not Episode.objects.filter(person=person, service=service, ended_on__isnull=True).exists():
        raise PermissionDenied(f"{service.name} is not working with this person. Start an episode first.")
    _check_note(contact_at, kind, body)
    mentioned = _mentioned(user, person, mentions)
    note = CaseNote.objects.create(
        person=person,
        service=service,
        author=user,
        contact_at=contact_at,
        kind=kind,
        body=body,
        private_to_service=private_to_service,
        signed_off_at=timezone.now(),
    )
    note.mentions.set(mentioned)
    record(
        AuditKind.CREATE,
        f"Wrote a case note for {person.reference}",
        obj=note,
        user=user,
        person=person,
        detail={"kind": kind, "private_to_service": private_to_service, "mentions": [p.reference for p in mentioned]},
    )
    return note


@transaction.atomic
def amend_note(
    user: Any,
    note: CaseNote,
    *,
    body: str,
    kind: str | None = None,
    contact_at: datetime.datetime | None = None,
    private_to_service: bool | None = None,
    mentions: Iterable[str] | None = None,
) -> CaseNote:
    """Correct a signed-off note: a new note that `amends` it; the original stays, unchanged and readable.

    Only a worker or manager of the service that wrote the note may amend it.
    Fields not given are carried over from the note amended.
    """
    _require_writer(user, note.service)
    if not CaseNote.objects.visible_to(user).filter(pk=note.pk).exists():
        raise Http404("No such note")
    person = note.person
    kind = note.kind if kind is None else kind
    contact_at = note.contact_at if contact_at is None else contact_at
    _check_note(contact_at, kind, body)
    references = [p.reference for p in note.mentions.all()] if mentions is None else list(mentions)
    mentioned = _mentioned(user, person, references)
    amendment = CaseNote.objects.create(
        person=person,
        service=note.service,
        author=user,
        contact_at=contact_at,
        kind=kind,
        body=body,
        private_to_service=note.private_to_service if private_to_service is None else private_to_service,
        signed_off_at=timezone.now(),
        amends=note,
    )
    amendment.mentions.set(mentioned)
    record(
        AuditKind.CREATE,
        f"Wrote an amendment to a case note for {person.reference}",
        obj=amendment,
        user=user,
        person=person,
        detail={"amends": str(note.public_id), "kind": kind, "mentions": [p.reference for p in mentioned]},
    )
    record(
        AuditKind.CHANGE,
        f"Amended a case note for {person.reference}; the original is kept",
        obj=note,
        user=user,
        person=person,
        detail={"amended_by": str(amendment.public_id)},
    )
    return amendment


@dataclass(frozen=True)
class NoteFilters:
    """What the notes of a person are narrowed to; every field optional."""

    kind: str = ""
    service: Service | None = None


@dataclass(frozen=True)
class NotesRead:
    """A person's notes as one user may read them, and how the read was flagged."""

    notes: QuerySet[CaseNote]
    # Mainstay's rule: none of the user's services has an open episode with the person.
    not_working_with: bool
    # The user's unexpired notes break-glass on the person, when it is what lets them read.
    glass: Any = None


def notes_queryset(user: Any) -> QuerySet[CaseNote]:
    """Notes the user may know exist, annotated with `text_readable`, ready to show.

    Mentions come as `visible_mentions`: only people the user may see, by reference.
    """
    return (
        CaseNote.objects.visible_to(user)
        .with_text_access(user)
        .select_related("service__organisation", "author", "amends", "person")
        .prefetch_related(
            Prefetch(
                "mentions",
                queryset=Person.objects.visible_to(user).only("pk", "public_id", "reference").order_by("reference"),
                to_attr="visible_mentions",
            ),
            Prefetch(
                "amendments",
                queryset=CaseNote.objects.only("pk", "public_id", "signed_off_at", "amends_id").order_by(
                    "signed_off_at", "pk"
                ),
                to_attr="amended_by",
            ),
        )
        .order_by("-contact_at", "-id")
    )


def notes_for(user: Any, view: PersonView, filters: NoteFilters | None = None) -> NotesRead:
    """A person's notes for a user who has opened them (`open_person`), newest first. Audited.

    The read is flagged when none of the user's services works with the person
    (Mainstay's rule), and recorded as a break-glass read when the user's notes
    break-glass is what lets them read the shared notes.
    """
    filters = filters or NoteFilters()
    person = view.person
    ctx = rules.context_for(user)
    open_services = set(
        Episode.objects.filter(person=person, ended_on__isnull=True).values_list("service_id", flat=True)
    )
    not_working_with = not (ctx.service_ids & open_services)
    glass = None
    if not (ctx.writing_service_ids & open_services):
        glass = active_glass(user, person, "notes")
    notes = notes_queryset(user).filter(person=person)
    if filters.kind:
        notes = notes.filter(kind=filters.kind)
    if filters.service is not None:
        notes = notes.filter(service=filters.service)
    _record_notes_read(user, person, not_working_with=not_working_with, glass=glass)
    return NotesRead(notes=notes, not_working_with=not_working_with, glass=glass)


def _record_notes_read(user: Any, person: Person, *, not_working_with: bool, glass: Any) -> None:
    detail: dict[str, Any] = {}
    if not_working_with:
        detail["flag"] = FLAG_NOT_WORKING_WITH
    if glass is not None:
        detail["break_glass"] = str(glass.public_id)
    record(
        AuditKind.BREAK_GLASS if glass is not None else AuditKind.READ,
        f"Read the case notes of {person.reference}" + (" under break-glass" if glass is not None else ""),
        user=user,
        person=person,
        obj=person,
        detail=detail,
    )


def record_notes_seen(user: Any, notes: list[CaseNote], action: str = "Listed case notes") -> None:
    """Audit notes read outside a person's notes page (the API): one event for the lot.

    Flagged as on the page: people none of the user's services works with are
    listed under `not_working_with`, and a read the user's notes break-glass
    allowed is recorded as a break-glass read.
    """
    from waymark.access.models import BreakGlass

    people = {note.person_id: note.person for note in notes}
    if not people:
        return
    ctx = rules.context_for(user)
    open_rows = Episode.objects.filter(person_id__in=list(people), ended_on__isnull=True).values_list(
        "person_id", "service_id"
    )
    working, writing = set(), set()
    for person_id, service_id in open_rows:
        if service_id in ctx.service_ids:
            working.add(person_id)
        if service_id in ctx.writing_service_ids:
            writing.add(person_id)
    detail: dict[str, Any] = {"people": sorted(p.reference for p in people.values())}
    flagged = sorted(p.reference for pk, p in people.items() if pk not in working)
    if flagged:
        detail["flag"] = FLAG_NOT_WORKING_WITH
        detail[FLAG_NOT_WORKING_WITH] = flagged
    glass_people = (
        set(
            BreakGlass.objects.filter(
                user=user, scope="notes", expires_at__gt=timezone.now(), person_id__in=list(set(people) - writing)
            ).values_list("person_id", flat=True)
        )
        if getattr(user, "is_authenticated", False)
        else set()
    )
    if glass_people:
        detail["break_glass"] = sorted(people[pk].reference for pk in glass_people)
    only = next(iter(people.values())) if len(people) == 1 else None
    record(
        AuditKind.BREAK_GLASS if glass_people else AuditKind.READ,
        action if only is None else f"{action} of {only.reference}",
        user=user,
        person=only,
        detail=detail,
    )


def timeline_for(
    user: Any, view: PersonView, kind: str = "", service: Service | None = None, page: str | None = None
) -> timeline.TimelinePage:
    """A page of a person's activity the user may see, newest first; `page` is the previous page's cursor.

    Empty for a protected record seen only as existing. Raises ValidationError for
    a kind or cursor that is not one of ours.
    """
    if not view.is_full:
        # A protected record the user may only know exists shows whom to contact, not its history.
        return timeline.TimelinePage(entries=[], kind=kind, service=service)
    try:
        return timeline.read(user, view, kind=kind, service=service, cursor=page)
    except ValueError as exc:
        raise ValidationError({"kind" if "kind" in str(exc) else "cursor": str(exc)}) from exc


def can_write_notes(user: Any, service: Service | None, open_service_ids: Iterable[int]) -> bool:
    """Whether the user, acting for `service`, may write a note (buttons on pages use this)."""
    return _can_write_for(user, service) and service is not None and service.pk in set(open_service_ids)
