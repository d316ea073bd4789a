"""The access rules, in one place.

Two forms of the same rules:

* `person_visibility(ctx, facts)` is a pure function over plain values; the
  tests state the rules against it.
* `person_q(ctx, level)` is the same rule as one `Q`, applied as `pk__in`
  subqueries so joins never duplicate rows (as NetBox's `restrict()` does).

A property test checks the two agree on random data, so a change to one
without the other fails.

The rules, most generous first:

1. Anonymous or inactive users see nothing; analysts see aggregates only.
2. Area admins see every record in their area.
3. A service working with the person (an open episode) sees the full record.
4. A `hidden` person is invisible to everyone else.
5. Otherwise a user sees people linked (registered by, or any episode with) a
   service of one of their own organisations and, when one of their
   organisations has a current sharing agreement, people linked to any
   organisation that has one too. For such people the record is full when
   unrestricted and "exists, contact …" when `protected`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from waymark.access.constants import WRITING_ROLES, Restriction, Role, ServiceKind, Visibility

__all__ = [
    "AccessContext",
    "PersonFacts",
    "Visibility",
    "context_for",
    "full_among_visible_q",
    "person_q",
    "person_visibility",
]


@dataclass(frozen=True)
class AccessContext:
    """What the rules need to know about a user, read once per request."""

    user_id: int | None = None
    area_id: int | None = None
    service_ids: frozenset[int] = frozenset()
    writing_service_ids: frozenset[int] = frozenset()
    manager_service_ids: frozenset[int] = frozenset()
    organisation_ids: frozenset[int] = frozenset()
    area_roles: frozenset[str] = frozenset()
    # True when at least one of the user's organisations has a current agreement.
    shares: bool = False
    # Services whose people the user may reach: their own organisations' and, when
    # they share, every sharing organisation's. Read once per request so queries
    # filter on plain ids instead of joining agreements and organisations per row.
    reach_service_ids: frozenset[int] = frozenset()
    # Every service in the user's area, so the reach's complement is known.
    area_service_ids: frozenset[int] = frozenset()
    # The user's street outreach services (alerts, maps, figures), read with the
    # memberships so outreach pages need no query to ask.
    outreach_service_ids: frozenset[int] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_area_admin(self) -> bool:
        return Role.AREA_ADMIN in self.area_roles

    @property
    def is_coordinator(self) -> bool:
        return Role.COORDINATOR in self.area_roles

    @property
    def is_analyst_only(self) -> bool:
        return self.area_roles == {Role.ANALYST} and not self.service_ids


ANONYMOUS = AccessContext()


@dataclass(frozen=True)
class PersonFacts:
    """What the rules need to know about a person."""

    restriction: str = Restriction.NONE
    area_id: int | None = None
    open_service_ids: frozenset[int] = frozenset()
    # Organisations of the registering service and of every episode, open or closed.
    linked_organisation_ids: frozenset[int] = field(default_factory=frozenset)
    # Which of those organisations have a current sharing agreement.
    linked_sharing_organisation_ids: frozenset[int] = field(default_factory=frozenset)


def person_visibility(ctx: AccessContext, facts: PersonFacts) -> Visibility:
    """How much of a person the user may see; the pure statement of the rules above."""
    if not ctx.is_authenticated or facts.area_id != ctx.area_id:
        return Visibility.NONE
    if ctx.is_area_admin:
        return Visibility.FULL
    if ctx.service_ids & facts.open_service_ids:
        return Visibility.FULL
    if facts.restriction == Restriction.HIDDEN:
        return Visibility.NONE
    linked = bool(ctx.organisation_ids & facts.linked_organisation_ids) or (
        ctx.shares and bool(facts.linked_sharing_organisation_ids)
    )
    if not linked:
        return Visibility.NONE
    return Visibility.FULL if facts.restriction == Restriction.NONE else Visibility.EXISTS


def context_for(user: Any, on: Any = None) -> AccessContext:
    """Read a user's memberships and agreements into an AccessContext.

    Cached on the user object for the life of the request; agreements are read
    from the database each time, so an expiry takes effect without a restart.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_waymark_access_context", None)
    if cached is not None and on is None:
        return cached
    Membership = apps.get_model("access", "Membership")
    memberships = list(Membership.objects.active().filter(user=user).select_related("service__organisation"))
    rows = [(m.role, m.service_id, m.service.organisation_id if m.service else None) for m in memberships]
    service_ids = frozenset(s for _, s, _ in rows if s is not None)
    organisation_ids = {o for _, _, o in rows if o is not None}
    area_roles = frozenset(r for r, s, _ in rows if s is None)
    # A coordinator acts for their employer; an analyst never reaches person records.
    if Role.COORDINATOR in area_roles and user.organisation_id:
        organisation_ids.add(user.organisation_id)
    shares, reach, area_services = False, frozenset[int](), frozenset[int]()
    if organisation_ids and Role.AREA_ADMIN not in area_roles:
        shares, reach, area_services = _reach(user.area_id, organisation_ids, on or timezone.localdate())
    ctx = AccessContext(
        user_id=user.pk,
        area_id=user.area_id,
        service_ids=service_ids,
        writing_service_ids=frozenset(s for r, s, _ in rows if s is not None and r in WRITING_ROLES),
        manager_service_ids=frozenset(s for r, s, _ in rows if s is not None and r == Role.MANAGER),
        organisation_ids=frozenset(organisation_ids),
        area_roles=area_roles,
        shares=shares,
        reach_service_ids=reach,
        area_service_ids=area_services,
        outreach_service_ids=frozenset(
            m.service_id for m in memberships if m.service is not None and m.service.kind == ServiceKind.OUTREACH
        ),
    )
    if on is None:
        user._waymark_access_context = ctx
        # The service objects come with the memberships; the header and the current
        # service use them without another query.
        services = {m.service_id: m.service for m in memberships if m.service is not None}
        user._waymark_services = sorted(services.values(), key=lambda service: (service.name, service.pk))
    return ctx


def _reach(area_id: int | None, organisation_ids: set[int], on: Any) -> tuple[bool, frozenset[int], frozenset[int]]:
    """Whether the user's organisations share, the services whose people they reach, and all the area's."""
    SharingAgreement = apps.get_model("access", "SharingAgreement")
    Service = apps.get_model("access", "Service")
    sharing = set(
        SharingAgreement.objects.current(on)
        .filter(organisation__area_id=area_id, organisation__is_active=True)
        .values_list("organisation_id", flat=True)
    )
    shares = bool(sharing & organisation_ids)
    reach_orgs = organisation_ids | sharing if shares else organisation_ids
    services = list(Service.objects.filter(organisation__area_id=area_id).values_list("pk", "organisation_id"))
    reach = frozenset(pk for pk, org in services if org in reach_orgs)
    return shares, reach, frozenset(pk for pk, _ in services)


def working_with_q(ctx: AccessContext, prefix: str = "") -> Q:
    """People (or, with `prefix`, rows pointing at people) with an open episode at one of the user's services."""
    Episode = apps.get_model("casework", "Episode")
    working = Episode.objects.filter(service_id__in=ctx.service_ids, ended_on__isnull=True)
    return Q(**{f"{prefix}pk__in": working.values("person_id")})


def _registered_in_reach(ctx: AccessContext, prefix: str) -> Q:
    """Registered by a service in the reach, written with the shorter list of ids.

    A person's area is their registering service's area (Person.save), so within
    the area "not registered outside the reach" is the same test.
    """
    outside = ctx.area_service_ids - ctx.reach_service_ids
    if len(outside) < len(ctx.reach_service_ids):
        return ~Q(**{f"{prefix}registered_by_service_id__in": sorted(outside)})
    return Q(**{f"{prefix}registered_by_service_id__in": sorted(ctx.reach_service_ids)})


def _linked_by_episode(ctx: AccessContext) -> Any:
    """People registered outside the user's reach who have an episode inside it.

    Registration settles almost every row; this subquery covers the rest. It is
    written from the smaller side: the episodes of the reach when the reach is
    small, else those of people registered by the few services outside it. At
    metro scale PostgreSQL still hash-joins every episode in the reach to build
    it (about 20 ms for 200,000 episodes, docs/performance.md); a per-person list
    of linked services would remove that.
    """
    Episode = apps.get_model("casework", "Episode")
    reach = sorted(ctx.reach_service_ids)
    outside = sorted(ctx.area_service_ids - ctx.reach_service_ids)
    if len(reach) <= len(outside):
        episodes = Episode.objects.filter(service_id__in=reach)
    else:
        episodes = Episode.objects.filter(person__registered_by_service_id__in=outside, service_id__in=reach)
    return episodes.values("person_id")


def person_q(ctx: AccessContext, level: Visibility, prefix: str = "") -> Q:
    """The people a user sees at `level` or above, as one Q on Person.

    With `prefix` (e.g. "person__") the same Q applies to a model that points at
    a person, so other person-data querysets filter by a join, not a subquery.
    """
    if not ctx.is_authenticated or ctx.area_id is None:
        return Q(pk__in=[])
    in_area = Q(**{f"{prefix}area_id": ctx.area_id})
    if ctx.is_area_admin:
        return in_area
    allowed = [Restriction.NONE] if level == Visibility.FULL else [Restriction.NONE, Restriction.PROTECTED]
    clauses = []
    if ctx.service_ids:
        clauses.append(working_with_q(ctx, prefix))
    if ctx.reach_service_ids:
        linked = _registered_in_reach(ctx, prefix) | Q(**{f"{prefix}pk__in": _linked_by_episode(ctx)})
        clauses.append(Q(**{f"{prefix}restriction__in": allowed}) & linked)
    if not clauses:
        return Q(pk__in=[])
    return in_area & reduce(or_, clauses)


def full_among_visible_q(ctx: AccessContext) -> Q:
    """Of people already filtered by `person_q(ctx, EXISTS)`, those seen in full.

    Cheaper than `person_q(ctx, FULL)`: among visible people an unrestricted one
    is always seen in full, and a restricted one only by a service working with them.
    """
    if ctx.is_area_admin:
        return Q(pk__isnull=False)
    if not ctx.service_ids:
        return Q(restriction=Restriction.NONE)
    return Q(restriction=Restriction.NONE) | working_with_q(ctx)


def facts_for(person: Any) -> PersonFacts:
    """Read one person's facts for `person_visibility` (a few small queries)."""
    Episode = apps.get_model("casework", "Episode")
    Organisation = apps.get_model("access", "Organisation")
    episodes = list(
        Episode.objects.filter(person=person).values_list("service_id", "service__organisation_id", "ended_on")
    )
    registered_org = person.registered_by_service.organisation_id
    linked = {registered_org} | {org for _, org, _ in episodes}
    sharing = set(
        Organisation.objects.with_current_agreement().filter(pk__in=linked, is_active=True).values_list("pk", flat=True)
    )
    return PersonFacts(
        restriction=person.restriction,
        area_id=person.area_id,
        open_service_ids=frozenset(s for s, _, ended in episodes if ended is None),
        linked_organisation_ids=frozenset(linked),
        linked_sharing_organisation_ids=frozenset(sharing),
    )


def visibility_of(user: Any, person: Any) -> Visibility:
    """How much of this person the user may see."""
    return person_visibility(context_for(user), facts_for(person))


# --- Case notes ---------------------------------------------------------------------
# Who may read a note's text (common.md, "Decisions"). Everyone else who can see the
# person sees only that the note exists: when, its kind, which service and that
# service's contact. The pure function and the Q are twins; a property test checks
# they agree, so change both or neither.
#
# 1. A writer (contributor or manager) at the authoring service reads it.
# 2. A note marked `private_to_service` is read by no one else.
# 3. A writer at a service with an open episode with the person reads it.
# 4. A user holding an unexpired `notes` break-glass on the person reads it.


@dataclass(frozen=True)
class NoteFacts:
    """What the note rule needs to know about one note."""

    service_id: int
    private_to_service: bool = False
    # Services with an open episode with the note's person.
    open_service_ids: frozenset[int] = frozenset()
    # Whether the user holds an unexpired `notes` break-glass on the note's person.
    notes_glass: bool = False


def note_text_readable(ctx: AccessContext, facts: NoteFacts) -> bool:
    """Whether the user may read a note's text (and mentions); the pure statement of the rule."""
    if not ctx.is_authenticated:
        return False
    if facts.service_id in ctx.writing_service_ids:
        return True
    if facts.private_to_service:
        return False
    if ctx.writing_service_ids & facts.open_service_ids:
        return True
    return facts.notes_glass


def note_text_q(ctx: AccessContext, user: Any, prefix: str = "") -> Q:
    """The same rule as one Q on CaseNote (or, with `prefix`, on a model pointing at a note).

    Only for notes already filtered to people the user may see.
    """
    from waymark.access.breakglass import glass_people_q

    if not ctx.is_authenticated:
        return Q(pk__in=[])
    Episode = apps.get_model("casework", "Episode")
    shared = Q(**{f"{prefix}private_to_service": False})
    clauses = [shared & glass_people_q(user, "notes", prefix=f"{prefix}person__")]
    writing = sorted(ctx.writing_service_ids)
    if writing:
        working = Episode.objects.filter(service_id__in=writing, ended_on__isnull=True).values("person_id")
        clauses.append(Q(**{f"{prefix}service_id__in": writing}))
        clauses.append(shared & Q(**{f"{prefix}person_id__in": working}))
    return reduce(or_, clauses)


def note_facts_for(note: Any, user: Any) -> NoteFacts:
    """Read one note's facts for `note_text_readable` (two small queries)."""
    from waymark.access.breakglass import active_glass

    Episode = apps.get_model("casework", "Episode")
    open_services = Episode.objects.filter(person_id=note.person_id, ended_on__isnull=True).values_list(
        "service_id", flat=True
    )
    return NoteFacts(
        service_id=note.service_id,
        private_to_service=note.private_to_service,
        open_service_ids=frozenset(open_services),
        notes_glass=active_glass(user, note.person, "notes") is not None,
    )
