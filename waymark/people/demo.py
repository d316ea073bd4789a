"""Demo people: registered by the area's services, in bulk.

Refuge residents are protected and the people of the service whose work is
hidden are hidden, as the access model expects. References are drawn from a
seeded permutation of the reference space, so they are unique without a
lookup per person and repeat with the seed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone

from waymark.access.constants import Restriction, ServiceKind
from waymark.access.models import Service
from waymark.core.demo import HOSTEL_SERVICE, OUTREACH_SERVICE, DemoContext, Step, stable_seed
from waymark.people.models import REFERENCE_ALPHABET, Person

REFERENCE_DIGITS = 5
REFERENCE_SPACE = len(REFERENCE_ALPHABET) ** REFERENCE_DIGITS  # 32**5 == 2**25
_MASK = REFERENCE_SPACE - 1

# How many people each kind of service registers, relative to the others.
REGISTERS = {
    ServiceKind.OUTREACH: 6,
    ServiceKind.HOSTEL: 4,
    ServiceKind.DROP_IN: 3,
    ServiceKind.HOUSING_OPTIONS: 3,
    ServiceKind.FLOATING_SUPPORT: 2,
    ServiceKind.HEALTH_CASE_MANAGEMENT: 2,
    ServiceKind.REFUGE: 1,
    ServiceKind.OTHER: 1,
}
# The demo logins' services get more, so their pages are full at every scale.
FEATURED = {OUTREACH_SERVICE: 4, HOSTEL_SERVICE: 3}

DESCRIPTIONS = [
    "green sleeping bag",
    "usually by the station entrance",
    "Scottish accent",
    "has a brown lurcher",
    "red rucksack",
    "sleeps near the canal",
    "walks with a stick",
    "Polish speaker",
    "wears a flat cap",
    "sits outside the supermarket",
]
NICKNAMES = ["Jock", "Taff", "Scouse", "Geordie", "Red", "Lofty", "Sparky", "Tiny", "Doc", "Smudge", "Chalky"]


def references(seed: int, taken: set[str] | frozenset[str] = frozenset()) -> Iterator[str]:
    """Unique references in a seeded, scrambled order; skips any already taken.

    An affine map then xorshift-multiply rounds, all bijections on 25 bits,
    so index i → reference is one-to-one and needs no memory.
    """
    mixer = stable_seed(seed, "people.references")
    a, b, c = (mixer | 1) & _MASK, (mixer >> 25) & _MASK, ((mixer >> 50) | 1) & _MASK
    for i in range(REFERENCE_SPACE):
        x = (a * i + b) & _MASK
        x ^= x >> 13
        x = (x * c) & _MASK
        x ^= x >> 11
        chars = []
        for _ in range(REFERENCE_DIGITS):
            x, digit = divmod(x, len(REFERENCE_ALPHABET))
            chars.append(REFERENCE_ALPHABET[digit])
        reference = "WM-" + "".join(chars)
        if reference not in taken:
            yield reference


def name_pool(values: Iterator[str], size: int) -> list[str]:
    """Distinct values in the order first seen: a seeded pool to draw from quickly."""
    pool: dict[str, None] = {}
    for value in values:
        pool.setdefault(value, None)
        if len(pool) >= size:
            break
    return list(pool)


def build_people(ctx: DemoContext) -> None:
    """People at the scale's count, each registered by one of the area's services."""
    rng = ctx.random("people.people")
    fake = ctx.faker("people.people")
    services = list(
        Service.objects.filter(organisation__area=ctx.area)
        .order_by("pk")
        .values_list("pk", "name", "kind", "restricted", "hidden_work")
    )
    weights = [
        (1.5 if hidden else REGISTERS[ServiceKind(kind)]) * FEATURED.get(name, 1)
        for _, name, kind, _, hidden in services
    ]
    restriction_of = {
        pk: Restriction.HIDDEN if hidden else Restriction.PROTECTED if restricted else Restriction.NONE
        for pk, _, _, restricted, hidden in services
    }
    women_only = {pk for pk, _, kind, _, _ in services if kind == ServiceKind.REFUGE}
    mostly_women = {pk for pk, *_, hidden in services if hidden}
    # Only street-facing services meet people before they give a name.
    street = {pk for pk, _, kind, _, _ in services if kind in (ServiceKind.OUTREACH, ServiceKind.DROP_IN)}
    # Drawing from pools is far faster than a Faker call per person, and as seeded.
    women = name_pool((fake.first_name_female() for _ in range(5000)), 400)
    men = name_pool((fake.first_name_male() for _ in range(5000)), 400)
    surnames = name_pool((fake.last_name() for _ in range(5000)), 500)
    taken = set(Person.objects.values_list("reference", flat=True)) if Person.objects.exists() else set()
    refs = references(ctx.seed, taken)
    today = timezone.localdate()
    count = ctx.scale.people

    def people() -> Iterator[Person]:
        for service_id in rng.choices([pk for pk, *_ in services], weights=weights, k=count):
            woman = service_id in women_only or rng.random() < (0.8 if service_id in mostly_women else 0.28)
            person = Person(
                reference=next(refs),
                public_id=ctx.uuid(rng),
                restriction=restriction_of[service_id],
                registered_by_service_id=service_id,
                area_id=ctx.area.pk,
            )
            if service_id in street and rng.random() < 0.15:
                # Not yet identified: outreach records a description until a name is given.
                age = rng.choice(["20s", "30s", "40s", "50s", "60s"])
                person.description = f"{'Woman' if woman else 'Man'}, {age}, {rng.choice(DESCRIPTIONS)}"
            else:
                person.first_name = rng.choice(women if woman else men)
                person.last_name = rng.choice(surnames)
                if rng.random() < 0.08 and not woman:
                    person.known_as = rng.choice(NICKNAMES)
                if rng.random() < 0.8:
                    age_days = int(rng.triangular(18, 75, 38) * 365.25)
                    person.date_of_birth = today - datetime.timedelta(days=age_days)
            yield person

    ctx.bulk_create(Person, people(), total=count, desc="people")


STEPS = [Step("people.people", 30, build_people, "People registered by the area's services")]
