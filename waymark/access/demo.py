"""Demo data for the access model: the area, its districts, organisations,
services, sharing agreements, users and memberships.

Fixed organisations and services come first, so every scale has the demo
logins' services, a restricted refuge, a service whose work is hidden, an
organisation whose agreement has expired and one that never signed. Invented
organisations and services fill the rest of the scale.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from waymark.access.constants import Role, ServiceKind
from waymark.access.models import Area, District, Membership, Organisation, Service, SharingAgreement, User
from waymark.core.demo import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    HOSTEL_SERVICE,
    LOOKUP_SERVICE,
    OUTREACH_SERVICE,
    REFUGE_SERVICE,
    DemoContext,
    Step,
)

# ONS codes are real; the people and organisations are invented.
GREATER_MANCHESTER = [
    ("Manchester", "E08000003"),
    ("Salford", "E08000006"),
    ("Trafford", "E08000009"),
    ("Stockport", "E08000007"),
    ("Bolton", "E08000001"),
    ("Bury", "E08000002"),
    ("Oldham", "E08000004"),
    ("Rochdale", "E08000005"),
    ("Tameside", "E08000008"),
    ("Wigan", "E08000010"),
]
LONDON = [
    (name, f"E090000{n:02d}")
    for n, name in enumerate(
        [
            "City of London",
            "Barking and Dagenham",
            "Barnet",
            "Bexley",
            "Brent",
            "Bromley",
            "Camden",
            "Croydon",
            "Ealing",
            "Enfield",
            "Greenwich",
            "Hackney",
            "Hammersmith and Fulham",
            "Haringey",
            "Harrow",
            "Havering",
            "Hillingdon",
            "Hounslow",
            "Islington",
            "Kensington and Chelsea",
            "Kingston upon Thames",
            "Lambeth",
            "Lewisham",
            "Merton",
            "Newham",
            "Redbridge",
            "Richmond upon Thames",
            "Southwark",
            "Sutton",
            "Tower Hamlets",
            "Waltham Forest",
            "Wandsworth",
            "Westminster",
        ],
        start=1,
    )
]
# For invented districts at national scale: English-sounding, not real places.
PLACE_ROOTS = [
    "Ash",
    "Bar",
    "Beck",
    "Brad",
    "Bram",
    "Brock",
    "Burn",
    "Cal",
    "Chad",
    "Cold",
    "Craw",
    "Dar",
    "Dun",
    "Elm",
    "Fen",
    "Ford",
    "Gold",
    "Hal",
    "Hart",
    "Haw",
    "Hol",
    "Kel",
    "Kings",
    "Lang",
    "Lea",
    "Mar",
    "Mel",
    "Mill",
    "Nor",
    "Oak",
    "Ock",
    "Pen",
    "Pid",
    "Red",
    "Rush",
    "Sal",
    "Sand",
    "Shel",
    "Stan",
    "Stock",
    "Thorn",
    "Tod",
    "Wal",
    "Wen",
    "West",
    "Whit",
    "Wick",
    "Wil",
    "Wood",
    "Wy",
]
PLACE_ENDINGS = [
    "bury",
    "by",
    "chester",
    "den",
    "field",
    "ford",
    "ham",
    "hurst",
    "ington",
    "ley",
    "minster",
    "mouth",
    "stead",
    "stow",
    "thorpe",
    "ton",
    "well",
    "wick",
    "worth",
    "bridge",
]
QUALIFIERS = ["North", "South", "East", "West", "Mid", "Upper", "Lower"]
SAINTS = ["Anne", "Barnabas", "Bride", "Columba", "George", "Giles", "Hilda", "Luke", "Martin", "Mungo", "Vincent"]
WORDS = [
    "Anchor",
    "Beacon",
    "Bridge",
    "Compass",
    "Cornerstone",
    "Crossroads",
    "Evergreen",
    "Fresh Start",
    "Horizon",
    "Keystone",
    "Lantern",
    "Lighthouse",
    "Milestone",
    "North Star",
    "Open Door",
    "Pathway",
    "Signpost",
    "Stepping Stones",
    "Threshold",
    "Turning Point",
    "Doorway",
    "Foundation",
    "Harbourside",
    "Hearth",
]

# Invented organisations: a name pattern and the kinds of service they run.
ORGANISATION_TYPES: list[tuple[str, int, list[str], list[ServiceKind]]] = [
    (
        "housing",
        5,
        ["{surname} Housing Trust", "{place} Housing Association", "{word} Homes"],
        [ServiceKind.HOSTEL, ServiceKind.HOSTEL, ServiceKind.FLOATING_SUPPORT],
    ),
    (
        "charity",
        6,
        ["{word} Project", "St {saint}'s Trust", "{place} Night Shelter", "{word} Trust", "{place} YMCA"],
        [ServiceKind.HOSTEL, ServiceKind.OUTREACH, ServiceKind.DROP_IN, ServiceKind.OTHER],
    ),
    (
        "health",
        1,
        ["{place} Community Health NHS Trust", "{place} Primary Care Network"],
        [ServiceKind.HEALTH_CASE_MANAGEMENT],
    ),
    ("council", 2, ["{place} Council"], [ServiceKind.HOUSING_OPTIONS, ServiceKind.OUTREACH]),
    (
        "womens_aid",
        1,
        ["{place} Women's Aid", "{word} Women's Centre"],
        [ServiceKind.REFUGE, ServiceKind.FLOATING_SUPPORT],
    ),
]

SERVICE_NAMES: dict[str, list[str]] = {
    ServiceKind.OUTREACH: ["{place} Street Outreach", "{word} Outreach Team", "{place} Rough Sleeper Team"],
    ServiceKind.HOSTEL: ["{surname} House", "St {saint}'s Court", "{street} Lodge", "{word} House"],
    ServiceKind.FLOATING_SUPPORT: ["{place} Floating Support", "{word} Tenancy Support"],
    ServiceKind.HEALTH_CASE_MANAGEMENT: ["{place} Homeless Health Team", "{place} Inclusion Health Service"],
    ServiceKind.DROP_IN: ["{place} Day Centre", "{word} Drop-in", "St {saint}'s Day Centre"],
    ServiceKind.REFUGE: ["{word} Refuge", "{place} Refuge"],
    ServiceKind.HOUSING_OPTIONS: ["{place} Housing Options", "{place} Homelessness Prevention Team"],
    ServiceKind.OTHER: ["{place} Advice Service", "{word} Employment Project", "{place} Resettlement Team"],
}
CASELOAD = {
    ServiceKind.OUTREACH: 30,
    ServiceKind.HOSTEL: 25,
    ServiceKind.FLOATING_SUPPORT: 15,
    ServiceKind.HEALTH_CASE_MANAGEMENT: 20,
    ServiceKind.DROP_IN: 40,
    ServiceKind.REFUGE: 10,
    ServiceKind.HOUSING_OPTIONS: 40,
    ServiceKind.OTHER: 25,
}
# Staff per service, relative: hostels run shifts, a refuge is small.
STAFFING = {
    ServiceKind.OUTREACH: 4,
    ServiceKind.HOSTEL: 6,
    ServiceKind.FLOATING_SUPPORT: 4,
    ServiceKind.HEALTH_CASE_MANAGEMENT: 3,
    ServiceKind.DROP_IN: 3,
    ServiceKind.REFUGE: 2,
    ServiceKind.HOUSING_OPTIONS: 5,
    ServiceKind.OTHER: 2,
}
JOB_TITLES = {
    ServiceKind.OUTREACH: "Outreach Worker",
    ServiceKind.HOSTEL: "Key Worker",
    ServiceKind.FLOATING_SUPPORT: "Support Worker",
    ServiceKind.HEALTH_CASE_MANAGEMENT: "Case Manager",
    ServiceKind.DROP_IN: "Day Centre Worker",
    ServiceKind.REFUGE: "Refuge Worker",
    ServiceKind.HOUSING_OPTIONS: "Housing Options Officer",
    ServiceKind.OTHER: "Advice Worker",
}
AREA_JOB_TITLES = {
    Role.COORDINATOR: "Rough Sleeping Coordinator",
    Role.AREA_ADMIN: "Systems Administrator",
    Role.ANALYST: "Data Analyst",
}
# Ofcom's ranges reserved for drama: realistic, and never anyone's real number.
PHONE_PREFIX = {"Greater Manchester": "0161 496 0", "London": "020 7946 0", "England": "0113 496 0"}


@dataclass(frozen=True)
class FixedService:
    organisation: str
    name: str
    kind: ServiceKind
    restricted: bool = False
    hidden_work: bool = False
    # "current", "expired" or "none"
    agreement: str = "current"


PARTNERSHIP = "Homelessness Partnership"
EXPIRED_ORGANISATION = "Lone Pine Trust"
UNSIGNED_ORGANISATION = "Riverside Drop-in Collective"
HIDDEN_WORK_SERVICE = "Night Light Outreach"

FIXED_SERVICES = [
    FixedService("Northway Outreach", OUTREACH_SERVICE, ServiceKind.OUTREACH),
    FixedService("Harbour Housing", HOSTEL_SERVICE, ServiceKind.HOSTEL),
    FixedService("Safe Haven Women's Aid", REFUGE_SERVICE, ServiceKind.REFUGE, restricted=True),
    FixedService("City Partners", LOOKUP_SERVICE, ServiceKind.OTHER),
    FixedService(PARTNERSHIP, "Central Housing Options", ServiceKind.HOUSING_OPTIONS),
    FixedService("Brightside Health", "Brightside Homeless Health Team", ServiceKind.HEALTH_CASE_MANAGEMENT),
    FixedService("Night Light Project", HIDDEN_WORK_SERVICE, ServiceKind.OUTREACH, hidden_work=True),
    FixedService(EXPIRED_ORGANISATION, "Lone Pine Floating Support", ServiceKind.FLOATING_SUPPORT, agreement="expired"),
    FixedService(UNSIGNED_ORGANISATION, "Riverside Day Centre", ServiceKind.DROP_IN, agreement="none"),
]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def district_names(ctx: DemoContext) -> list[tuple[str, str]]:
    """The area's districts: real authorities where the scale fits one, invented beyond."""
    wanted = ctx.scale.districts
    known = LONDON if ctx.scale.area == "London" else GREATER_MANCHESTER
    if ctx.scale.area == "England":
        known = GREATER_MANCHESTER + LONDON
    names = list(known[:wanted])
    rng = ctx.random("access.districts")
    taken = {name for name, _ in names}
    while len(names) < wanted:
        name = rng.choice(PLACE_ROOTS) + rng.choice(PLACE_ENDINGS)
        if rng.random() < 0.25:
            name = f"{rng.choice(QUALIFIERS)} {name}"
        if name not in taken:
            taken.add(name)
            names.append((name, ""))
    return names


class Namer:
    """Fills name patterns with seeded UK names, never repeating a name."""

    def __init__(self, ctx: DemoContext, name: str, places: list[str]) -> None:
        self.rng = ctx.random(name)
        self.fake = ctx.faker(name)
        self.places = places
        self.taken: set[str] = set()

    def fill(self, pattern: str) -> str:
        return pattern.format(
            surname=self.fake.last_name(),
            place=self.rng.choice(self.places),
            word=self.rng.choice(WORDS),
            saint=self.rng.choice(SAINTS),
            street=self.fake.street_name().split()[0],
        )

    def unique(self, patterns: list[str]) -> str:
        for _ in range(50):
            name = self.fill(self.rng.choice(patterns))
            if name not in self.taken:
                break
        else:  # a small pattern space at a large scale: number the repeats
            base, n = name, 2
            while f"{base} {n}" in self.taken:
                n += 1
            name = f"{base} {n}"
        self.taken.add(name)
        return name


def build_structure(ctx: DemoContext) -> None:
    """The area, its districts, organisations, services and sharing agreements."""
    rng = ctx.random("access.structure")
    fake = ctx.faker("access.structure")
    scale = ctx.scale
    area = Area.objects.create(name=scale.area, public_id=ctx.uuid(rng))
    ctx.area = area
    districts = ctx.bulk_create(
        District,
        (District(area=area, name=name, code=code, public_id=ctx.uuid(rng)) for name, code in district_names(ctx)),
        total=scale.districts,
        desc="districts",
        keep=True,
    )
    places = [d.name for d in districts]
    namer = Namer(ctx, "access.names", places)
    namer.taken.update(fixed.organisation for fixed in FIXED_SERVICES)
    namer.taken.update(fixed.name for fixed in FIXED_SERVICES)

    # Organisations: the fixed ones, then invented ones of weighted types.
    org_specs: list[tuple[str, list[ServiceKind]]] = [(fixed.organisation, []) for fixed in FIXED_SERVICES]
    types = [t for t in ORGANISATION_TYPES for _ in range(t[1])]
    while len(org_specs) < scale.organisations:
        _, _, patterns, kinds = rng.choice(types)
        org_specs.append((namer.unique(patterns), kinds))
    organisations = ctx.bulk_create(
        Organisation,
        (Organisation(area=area, name=name, public_id=ctx.uuid(rng)) for name, _ in org_specs),
        total=len(org_specs),
        desc="organisations",
        keep=True,
    )
    by_name = {org.name: org for org in organisations}

    # Services: the fixed ones, one for each invented organisation, then the rest spread among them.
    phone = PHONE_PREFIX.get(scale.area, "0113 496 0")
    central = districts[0]

    def service(org: Organisation, name: str, kind: ServiceKind, **extra: Any) -> Service:
        return Service(
            organisation=org,
            district=extra.pop("district", rng.choice(districts)),
            name=name,
            kind=kind,
            contact_phone=f"{phone}{rng.randrange(1000):03d}",
            contact_email=f"{slug(name)}@{slug(org.name)}.example.org",
            caseload_limit=CASELOAD[kind],
            public_id=ctx.uuid(rng),
            **extra,
        )

    services = [
        service(
            by_name[fixed.organisation],
            fixed.name,
            fixed.kind,
            restricted=fixed.restricted,
            hidden_work=fixed.hidden_work,
            # A refuge's address is kept out of the directory; the hidden service works area-wide.
            district=None if fixed.restricted or fixed.hidden_work else central,
        )
        for fixed in FIXED_SERVICES
    ]
    invented = list(
        zip(organisations[len(FIXED_SERVICES) :], [kinds for _, kinds in org_specs[len(FIXED_SERVICES) :]], strict=True)
    )
    owners = list(invented)
    while len(owners) < scale.services - len(FIXED_SERVICES):
        owners.append(rng.choice(invented))
    for org, kinds in owners:
        kind = rng.choice(kinds)
        restricted = kind == ServiceKind.REFUGE
        services.append(
            service(
                org,
                namer.unique(SERVICE_NAMES[kind]),
                kind,
                restricted=restricted,
                **({"district": None} if restricted else {}),
            )
        )
    ctx.bulk_create(Service, services, total=len(services), desc="services")

    # Sharing agreements: most organisations sign; one has let it expire, one never signed.
    today = timezone.localdate()
    agreements = []
    fixed_terms = {fixed.organisation: fixed.agreement for fixed in FIXED_SERVICES}
    for org in organisations:
        term = fixed_terms.get(org.name, "current")
        if term == "none":
            continue
        if term == "expired":
            signed = today - datetime.timedelta(days=3 * 365 + 60)
            expires: datetime.date | None = today - datetime.timedelta(days=30)
        else:
            signed = today - datetime.timedelta(days=rng.randrange(7, 700))
            expires = None if rng.random() < 0.2 else signed + datetime.timedelta(days=3 * 365)
        agreements.append(
            SharingAgreement(
                organisation=org,
                version="2026.1" if signed.year >= 2026 else f"{signed.year}.{1 + (signed.month > 6)}",
                signed_on=signed,
                expires_on=expires,
                signed_by=f"{fake.name()}, Chief Executive",
                public_id=ctx.uuid(rng),
            )
        )
    ctx.bulk_create(SharingAgreement, agreements, total=len(agreements), desc="sharing agreements")


def build_users(ctx: DemoContext) -> None:
    """The fixed demo logins, then staff for every service and a few area-wide roles."""
    rng = ctx.random("access.users")
    fake = ctx.faker("access.users")
    area = ctx.area
    services = list(Service.objects.filter(organisation__area=area).select_related("organisation").order_by("pk"))
    by_name = {s.name: s for s in services}
    partnership = Organisation.objects.get(area=area, name=PARTNERSHIP)
    # Argon2 is slow by design: hash the shared demo password once for everyone.
    password = make_password(DEMO_PASSWORD)
    taken = {login.username for login in DEMO_LOGINS} | set(User.objects.values_list("username", flat=True))

    def username_for(first: str, last: str) -> str:
        base = re.sub(r"[^a-z]", "", first.lower()) + "." + re.sub(r"[^a-z]", "", last.lower())
        name, n = base, 2
        while name in taken:
            name, n = f"{base}{n}", n + 1
        taken.add(name)
        return name

    def user(username: str, first: str, last: str, organisation: Organisation, job_title: str) -> User:
        return User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@{slug(organisation.name)}.example.org",
            password=password,
            area=area,
            organisation=organisation,
            job_title=job_title,
            phone=f"07700 900{rng.randrange(1000):03d}",
            public_id=ctx.uuid(rng),
        )

    # (user, role, service or None) for every membership to create.
    plan: list[tuple[User, str, Service | None]] = []
    for login in DEMO_LOGINS:
        service = by_name[login.service] if login.service else None
        org = service.organisation if service else partnership
        plan.append(
            (user(login.username, login.first_name, login.last_name, org, login.job_title), login.role, service)
        )

    def new_user(organisation: Organisation, job_title: str) -> User:
        first, last = fake.first_name(), fake.last_name()
        return user(username_for(first, last), first, last, organisation, job_title)

    budget = ctx.scale.users - len(plan)
    area_wide = {
        Role.COORDINATOR: max(1, budget // 300),
        Role.AREA_ADMIN: max(1, budget // 1000),
        Role.ANALYST: max(1, budget // 600),
    }
    for role, count in area_wide.items():
        for _ in range(count):
            plan.append((new_user(partnership, AREA_JOB_TITLES[Role(role)]), role, None))
    budget = ctx.scale.users - len(plan)

    # A manager for every service that lacks one, while the budget lasts.
    managed = {s.pk for _, role, s in plan if role == Role.MANAGER and s is not None}
    for service in services:
        if budget <= 0:
            break
        if service.pk not in managed:
            plan.append((new_user(service.organisation, "Service Manager"), Role.MANAGER, service))
            budget -= 1
    # Workers and view-only partners, more where services are busier.
    weights = [STAFFING[ServiceKind(s.kind)] for s in services]
    for service in rng.choices(services, weights=weights, k=max(budget, 0)):
        viewer = rng.random() < 0.12
        title = "Duty Officer" if viewer else JOB_TITLES[ServiceKind(service.kind)]
        plan.append((new_user(service.organisation, title), Role.VIEWER if viewer else Role.CONTRIBUTOR, service))

    users = ctx.bulk_create(User, (u for u, _, _ in plan), total=len(plan), desc="users", keep=True)
    memberships = []
    fixed_usernames = {login.username for login in DEMO_LOGINS}
    by_org: dict[int, list[Service]] = {}
    for service in services:
        by_org.setdefault(service.organisation_id, []).append(service)
    for created, (_, role, service) in zip(users, plan, strict=True):
        memberships.append(Membership(user=created, area=area, service=service, role=role, public_id=ctx.uuid(rng)))
        # Some staff work across two of their organisation's services (bank staff, shared posts).
        if role == Role.CONTRIBUTOR and service is not None and created.username not in fixed_usernames:
            siblings = [s for s in by_org[service.organisation_id] if s.pk != service.pk]
            if siblings and rng.random() < 0.08:
                memberships.append(
                    Membership(
                        user=created, area=area, service=rng.choice(siblings), role=role, public_id=ctx.uuid(rng)
                    )
                )
    ctx.bulk_create(Membership, memberships, total=len(memberships), desc="memberships")


STEPS = [
    Step("access.structure", 10, build_structure, "Area, districts, organisations, services, agreements"),
    Step("access.users", 20, build_users, "Staff accounts and their memberships"),
]
