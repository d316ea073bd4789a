"""Demo episodes: which services are, and were, working with each person.

Every person has an episode with the service that registered them; about a
third have a second with another service (outreach to a hostel, say). Refuge
residents and the hidden service's people mostly stay open with that service,
which is what lets it see them at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone

from waymark.access.constants import Restriction, Role, ServiceKind
from waymark.access.models import Membership, Service
from waymark.casework.models import Episode
from waymark.core.demo import DemoContext, Step
from waymark.people.models import Person

START_REASONS = {
    ServiceKind.OUTREACH: ["Found sleeping rough", "Referral from the public", "Known from a previous contact"],
    ServiceKind.HOSTEL: ["Referred by outreach", "Housing options referral", "Discharged from hospital"],
    ServiceKind.FLOATING_SUPPORT: ["New tenancy", "Tenancy at risk", "Referred by a housing officer"],
    ServiceKind.HEALTH_CASE_MANAGEMENT: ["Referred by A&E", "Referred by a GP", "Referred by outreach"],
    ServiceKind.DROP_IN: ["Walked in", "Referred by outreach"],
    ServiceKind.REFUGE: ["Self-referral", "Referred by the police", "Referred by a helpline"],
    ServiceKind.HOUSING_OPTIONS: ["Presented as homeless", "Threatened with homelessness"],
    ServiceKind.OTHER: ["Self-referral", "Referred by a partner"],
}
END_REASONS = [
    "Moved into own tenancy",
    "Moved to supported housing",
    "Lost contact",
    "Evicted",
    "Moved out of the area",
    "Reconnected with family",
    "Admitted to hospital",
    "Went to prison",
    "Support no longer needed",
]


def build_episodes(ctx: DemoContext) -> None:
    """An episode per person with their registering service, and some with a second service."""
    rng = ctx.random("casework.episodes")
    services = list(
        Service.objects.filter(organisation__area=ctx.area)
        .order_by("pk")
        .values_list("pk", "kind", "restricted", "hidden_work")
    )
    kind_of = {pk: ServiceKind(kind) for pk, kind, _, _ in services}
    # Second episodes go to open-door services: never a refuge or the hidden service by chance.
    onward = [pk for pk, _, restricted, hidden in services if not restricted and not hidden]
    workers: dict[int, list[int]] = {}
    for user_id, service_id in (
        Membership.objects.filter(service_id__in=kind_of, role=Role.CONTRIBUTOR)
        .order_by("pk")
        .values_list("user_id", "service_id")
    ):
        workers.setdefault(service_id, []).append(user_id)
    today = timezone.localdate()
    people = Person.objects.filter(registered_by_service__organisation__area=ctx.area).order_by("pk")
    total = people.count()

    def episode(person_id: int, service_id: int, open_chance: float, not_before: datetime.date) -> Episode:
        span = max((today - not_before).days, 1)
        started = not_before + datetime.timedelta(days=rng.randrange(span))
        is_open = rng.random() < open_chance
        ended = None if is_open else min(today, started + datetime.timedelta(days=rng.randrange(7, 400)))
        staff = workers.get(service_id)
        return Episode(
            person_id=person_id,
            service_id=service_id,
            key_worker_id=rng.choice(staff) if staff and (is_open or rng.random() < 0.5) else None,
            started_on=started,
            start_reason=rng.choice(START_REASONS[kind_of[service_id]]),
            ended_on=ended,
            end_reason="" if is_open else rng.choice(END_REASONS),
            public_id=ctx.uuid(rng),
        )

    def episodes() -> Iterator[Episode]:
        three_years_ago = today - datetime.timedelta(days=3 * 365)
        for person_id, service_id, restriction in people.values_list(
            "pk", "registered_by_service_id", "restriction"
        ).iterator(chunk_size=ctx.batch_size):
            first = episode(person_id, service_id, 0.85 if restriction != Restriction.NONE else 0.55, three_years_ago)
            yield first
            if restriction == Restriction.NONE and rng.random() < 0.35:
                other = rng.choice(onward)
                if other != service_id:
                    yield episode(person_id, other, 0.5, first.started_on)

    ctx.bulk_create(Episode, episodes(), desc=f"episodes of {total:,} people")


STEPS = [Step("casework.episodes", 40, build_episodes, "Episodes: services working with people")]
