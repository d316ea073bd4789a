"""A person's latest activity: every source merged, newest first.

Each source (case notes, episodes started, episodes ended; later contacts,
assessments, referrals) knows how to fetch its own entries for one person,
newest first, after a cursor. A page asks every source for `size + 1`
entries and merges them, so a page costs one query per source whatever the
size of the record. The cursor is the last entry's sort key, so pages stay
stable while new activity arrives.

A source gets the user and the person's view and must return only what the
user may see: notes come through `CaseNote.objects.visible_to(user)`, and the
text of a note is never part of an entry (it is read on the notes page,
where reads are flagged and audited).
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.urls import reverse

LONDON = ZoneInfo("Europe/London")
PAGE_SIZE = 20


@dataclass(frozen=True, order=True)
class SortKey:
    """Where an entry sits: newest first, then by source rank, then by id (all descending)."""

    at: datetime.datetime
    rank: int
    id: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.rank}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> SortKey:
        """Read a cursor; raises ValueError for anything not made by `encode`."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            at, rank, id_ = raw.split("|")
            when = datetime.datetime.fromisoformat(at)
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError("Not a timeline cursor.") from exc
        if when.tzinfo is None or not 1900 <= when.year <= 9000:
            # Far dates overflow when converted to UTC or compared in the database.
            raise ValueError("Not a timeline cursor.")
        return cls(when, int(rank), int(id_))


@dataclass(frozen=True)
class Entry:
    """One thing that happened, as the user may see it."""

    key: SortKey
    kind: str
    kind_label: str
    service: Any
    title: str
    # When the entry is a date only (an episode starting), not a time.
    all_day: bool = False
    url: str = ""
    obj: Any = None

    @property
    def at(self) -> datetime.datetime:
        return self.key.at


@dataclass(frozen=True)
class Source:
    """A kind of activity and how to fetch it.

    `fetch(user, view, service_id, after, limit)` returns up to `limit` entries,
    newest first, strictly after the cursor `after` (None: from the newest).
    """

    name: str
    rank: int
    kinds: dict[str, str]
    fetch: Callable[..., list[Entry]]


_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add a source of activity (later issues add contacts, assessments, referrals)."""
    if any(s.name == source.name or s.rank == source.rank for s in _SOURCES):
        raise ValueError(f"A timeline source named {source.name} or ranked {source.rank} is already registered.")
    _SOURCES.append(source)
    return source


def sources() -> list[Source]:
    return list(_SOURCES)


def kinds() -> dict[str, str]:
    """Every kind of entry, for the filter: {value: label}."""
    return {kind: label for source in _SOURCES for kind, label in source.kinds.items()}


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    next_cursor: str | None = None
    kind: str = ""
    service: Any = None
    services: list[Any] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def after_q(time_field: str, rank: int, after: SortKey | None) -> Q:
    """Rows of a source ranked `rank` that sort after the cursor (newest first)."""
    if after is None:
        return Q()
    if rank < after.rank:
        return Q(**{f"{time_field}__lte": after.at})
    if rank > after.rank:
        return Q(**{f"{time_field}__lt": after.at})
    return Q(**{f"{time_field}__lt": after.at}) | Q(**{time_field: after.at, "id__lt": after.id})


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight in London at the start of `day`: where a dated event sits in the timeline."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=LONDON)


def after_day_q(date_field: str, rank: int, after: SortKey | None) -> Q:
    """`after_q` for a source whose rows carry a date: placed at the day's London midnight."""
    if after is None:
        return Q()
    local = after.at.astimezone(LONDON)
    day = local.date()
    at_midnight = local == day_start(day)
    # A row of day d sits at midnight(d): it is before the cursor time when d < day, or
    # d == day and the cursor is later in that day; equal times fall to rank and id.
    before = Q(**{f"{date_field}__lt": day}) if at_midnight else Q(**{f"{date_field}__lte": day})
    if not at_midnight or rank > after.rank:
        return before
    if rank < after.rank:
        return Q(**{f"{date_field}__lte": day})
    return before | Q(**{date_field: day, "id__lt": after.id})


def merge(batches: Iterable[list[Entry]], limit: int) -> tuple[list[Entry], bool]:
    """The newest `limit` entries of all batches, and whether there are more."""
    merged = sorted((e for batch in batches for e in batch), key=lambda e: e.key, reverse=True)
    return merged[:limit], len(merged) > limit


def read(
    user: Any,
    view: Any,
    *,
    kind: str = "",
    service: Any = None,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
) -> TimelinePage:
    """One page of a person's activity, newest first; one query per source that can match.

    `kind` is one of `kinds()` (or empty for all); `service` a Service (or None);
    `cursor` the `next_cursor` of the previous page. Raises ValueError for a
    cursor or kind that is not ours.
    """
    if kind and kind not in kinds():
        raise ValueError("Choose a kind of activity from the list.")
    after = SortKey.decode(cursor) if cursor else None
    batches = []
    for source in _SOURCES:
        if kind and kind not in source.kinds:
            continue
        entries = source.fetch(
            user, view, service_id=service.pk if service else None, after=after, limit=size + 1, kind=kind
        )
        batches.append(entries)
    entries, more = merge(batches, size)
    return TimelinePage(
        entries=entries,
        next_cursor=entries[-1].key.encode() if more and entries else None,
        kind=kind,
        service=service,
    )


# --- the sources this issue brings -------------------------------------------------------------

NOTE_RANK = 30
EPISODE_END_RANK = 20
EPISODE_START_RANK = 10


def _notes(
    user: Any, view: Any, *, service_id: int | None, after: SortKey | None, limit: int, kind: str = ""
) -> list[Entry]:
    from waymark.casework.models import CaseNote

    notes: QuerySet[CaseNote] = (
        CaseNote.objects.visible_to(user)
        .filter(person=view.person)
        .filter(after_q("contact_at", NOTE_RANK, after))
        .select_related("service")
        .only(
            "id",
            "public_id",
            "person_id",
            "contact_at",
            "kind",
            "amends_id",
            "private_to_service",
            "service__name",
            "service__public_id",
            "service__contact_phone",
            "service__contact_email",
        )
        .order_by("-contact_at", "-id")
    )
    if service_id is not None:
        notes = notes.filter(service_id=service_id)
    url = reverse("casework:notes", args=[view.person.public_id])
    return [
        Entry(
            key=SortKey(note.contact_at, NOTE_RANK, note.pk),
            kind="note",
            kind_label="Case note",
            service=note.service,
            title=f"{note.get_kind_display()}{' (amendment)' if note.amends_id else ''}",
            url=f"{url}#note-{note.public_id}",
            obj=note,
        )
        for note in notes[:limit]
    ]


def _episode_source(date_field: str, rank: int, entry_kind: str, label: str, verb: str) -> Callable[..., list[Entry]]:
    def fetch(
        user: Any, view: Any, *, service_id: int | None, after: SortKey | None, limit: int, kind: str = ""
    ) -> list[Entry]:
        from waymark.casework.models import Episode

        episodes = (
            Episode.objects.visible_to(user)
            .filter(person=view.person, **{f"{date_field}__isnull": False})
            .filter(after_day_q(date_field, rank, after))
            .select_related("service")
            .order_by(f"-{date_field}", "-id")
        )
        if service_id is not None:
            episodes = episodes.filter(service_id=service_id)
        return [
            Entry(
                key=SortKey(day_start(getattr(episode, date_field)), rank, episode.pk),
                kind=entry_kind,
                kind_label=label,
                service=episode.service,
                title=f"{episode.service.name} {verb}"
                + (f": {episode.end_reason}" if date_field == "ended_on" and episode.end_reason else ""),
                all_day=True,
                obj=episode,
            )
            for episode in episodes[:limit]
        ]

    return fetch


register(Source("notes", NOTE_RANK, {"note": "Case notes"}, _notes))
register(
    Source(
        "episode_ended",
        EPISODE_END_RANK,
        {"episode_ended": "Episodes ended"},
        _episode_source("ended_on", EPISODE_END_RANK, "episode_ended", "Episode ended", "stopped working with them"),
    )
)
register(
    Source(
        "episode_started",
        EPISODE_START_RANK,
        {"episode_started": "Episodes started"},
        _episode_source(
            "started_on", EPISODE_START_RANK, "episode_started", "Episode started", "started working with them"
        ),
    )
)
