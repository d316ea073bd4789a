"""Demo episodes and case notes: which services are, and were, working with each
person, and what they wrote down.

Every person has an episode with the service that registered them; about a
third have a second with another service (outreach to a hostel, say). Refuge
residents and the hidden service's people mostly stay open with that service,
which is what lets it see them at all.

Case notes fall inside episodes, written by the service's staff (mostly the
key worker), more often where the work is intensive (a hostel, a refuge) than
where it is occasional (housing options), and very unevenly between people:
most have a handful, a few long-term residents hundreds. Their number is set
so that notes, episode starts and episode ends make the scale's `events`
(about a million at `area`). Bodies are assembled from fragments of
UK homelessness practice; some notes are private to the service, some are
corrected by an amendment, and a few mention another person by reference.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Iterator

from django.db.models import Count, Q
from django.utils import timezone

from waymark.access.constants import Restriction, Role, ServiceKind
from waymark.access.models import Membership, Service
from waymark.casework.models import CaseNote, Episode, NoteKind
from waymark.core.demo import DemoContext, Step, batched
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
END_DETAILS = {
    "Moved into own tenancy": ["One-bed flat through the council's allocation", "Private rented room, deposit paid"],
    "Moved to supported housing": ["Move-on to a supported flat", "Accepted by a Housing First provider"],
    "Lost contact": ["Not seen at the usual site for six weeks", "Phone off; no contact through partners"],
    "Evicted": ["Abandoned the room after arrears", "Notice served after repeated incidents"],
    "Moved out of the area": ["Reconnected to the home area's housing team", "Moved to stay with a friend"],
}


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
        end_reason = "" if is_open else rng.choice(END_REASONS)
        return Episode(
            person_id=person_id,
            service_id=service_id,
            key_worker_id=rng.choice(staff) if staff and (is_open or rng.random() < 0.5) else None,
            started_on=started,
            start_reason=rng.choice(START_REASONS[kind_of[service_id]]),
            ended_on=ended,
            end_reason=end_reason,
            end_detail=rng.choice(END_DETAILS[end_reason]) if end_reason in END_DETAILS and rng.random() < 0.3 else "",
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


# --- case notes -------------------------------------------------------------------------------

# Notes a week of an episode, by the kind of service, before the per-person spread.
INTENSITY = {
    ServiceKind.HOSTEL: 2.0,
    ServiceKind.REFUGE: 2.0,
    ServiceKind.OUTREACH: 1.2,
    ServiceKind.HEALTH_CASE_MANAGEMENT: 0.9,
    ServiceKind.FLOATING_SUPPORT: 0.7,
    ServiceKind.DROP_IN: 0.6,
    ServiceKind.HOUSING_OPTIONS: 0.4,
    ServiceKind.OTHER: 0.3,
}
# How each kind of service makes contact: (note kind, weight).
N = NoteKind
KINDS = {
    ServiceKind.OUTREACH: [(N.FACE_TO_FACE, 60), (N.ATTEMPTED, 20), (N.PHONE, 8), (N.AGENCY_MEETING, 7), (N.TEXT, 5)],
    ServiceKind.HOSTEL: [
        (N.FACE_TO_FACE, 58),
        (N.PHONE, 9),
        (N.AGENCY_MEETING, 12),
        (N.TEXT, 6),
        (N.EMAIL, 5),
        (N.ATTEMPTED, 10),
    ],
    ServiceKind.REFUGE: [(N.FACE_TO_FACE, 60), (N.PHONE, 15), (N.AGENCY_MEETING, 15), (N.TEXT, 5), (N.EMAIL, 5)],
    ServiceKind.HOUSING_OPTIONS: [
        (N.PHONE, 30),
        (N.EMAIL, 20),
        (N.FACE_TO_FACE, 30),
        (N.AGENCY_MEETING, 12),
        (N.ATTEMPTED, 8),
    ],
    ServiceKind.FLOATING_SUPPORT: [
        (N.FACE_TO_FACE, 45),
        (N.PHONE, 25),
        (N.TEXT, 10),
        (N.ATTEMPTED, 12),
        (N.AGENCY_MEETING, 8),
    ],
    ServiceKind.HEALTH_CASE_MANAGEMENT: [
        (N.FACE_TO_FACE, 45),
        (N.PHONE, 20),
        (N.AGENCY_MEETING, 20),
        (N.ATTEMPTED, 10),
        (N.EMAIL, 5),
    ],
    ServiceKind.DROP_IN: [(N.FACE_TO_FACE, 85), (N.AGENCY_MEETING, 5), (N.PHONE, 5), (N.ATTEMPTED, 5)],
    ServiceKind.OTHER: [(N.FACE_TO_FACE, 50), (N.PHONE, 25), (N.EMAIL, 15), (N.ATTEMPTED, 10)],
}
# Share of notes kept private to the service.
PRIVATE = {ServiceKind.REFUGE: 0.4, ServiceKind.HEALTH_CASE_MANAGEMENT: 0.25}
PRIVATE_DEFAULT = 0.04
AMENDED = 0.006  # share of notes later corrected by an amendment
MENTIONS = 0.012  # share of notes that mention another person

# Fragments, with {slots} filled once from the lists below into a few hundred variants each.
SLOTS = {
    "place": [
        "the bus station", "Piccadilly Gardens", "the canal towpath by Oxford Road", "the car park on Store Street",
        "the doorway of the old bank on King Street", "the multi-storey on Tib Street", "the railway arches",
        "the church porch on Deansgate", "the back of the retail park", "the underpass by the ring road",
        "the library steps", "the park near the leisure centre", "the station forecourt",
    ],
    "agency": [
        "the GP", "the drug and alcohol service", "the community mental health team", "Housing Options",
        "the Jobcentre", "probation", "Citizens Advice", "the hospital discharge team", "Adult Social Care",
        "the IDVA", "the police", "the Home Office", "Migrant Help", "the tenancy sustainment team",
        "the food bank", "the dentist", "the benefits advice service", "the council's rough sleeper team",
    ],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "next week", "tomorrow"],
    "time": ["9am", "9.30am", "10am", "11am", "11.30am", "1pm", "2pm", "2.30pm", "3pm", "4pm"],
    "item": [
        "a sleeping bag", "a food parcel", "a bus pass", "hot drinks and sandwiches", "a phone top-up",
        "clean socks and a coat", "a toiletries pack", "a supermarket voucher", "a tent and a roll mat",
    ],
    "doc": ["photo ID", "a birth certificate", "bank statements", "the tenancy agreement", "a GP letter"],
    "mood": ["in good spirits", "low in mood", "tired but engaged", "anxious", "settled", "agitated at first"],
}  # fmt: skip
OPENERS = {
    N.FACE_TO_FACE: [
        "Met at {place} on the early shift.",
        "Seen in the hostel office for a planned key work session.",
        "Met at the drop-in over breakfast.",
        "Planned visit at the flat.",
        "Caught up in the communal lounge.",
        "Found bedded down at {place}; woke gently and spoke for ten minutes.",
        "Walked with them to {agency} for the appointment.",
        "Came to the office asking to speak to a worker.",
        "Key work session in the interview room.",
        "Joint visit with {agency}.",
    ],
    N.PHONE: [
        "Phoned to check in.",
        "Called us back after a missed appointment.",
        "Rang the office, {mood}.",
        "Phone call to follow up last week's referral.",
        "Called to confirm the appointment with {agency}.",
    ],
    N.TEXT: [
        "Text reminder sent for the appointment on {day} at {time}; replied to confirm.",
        "Texted to check in; replied saying they are OK.",
        "Sent a text about the form for {agency}; no reply yet.",
    ],
    N.EMAIL: [
        "Emailed {agency} with their consent about the housing application.",
        "Email from {agency} asking for an update; replied with the support plan.",
        "Emailed them the list of documents still needed: {doc}.",
    ],
    N.AGENCY_MEETING: [
        "Multi-agency meeting with {agency} and {agency}.",
        "Case conference about the move-on plan, with {agency}.",
        "Rough sleeper panel: discussed next steps.",
        "MARAC: risk reviewed, actions agreed.",
        "Professionals' meeting with {agency} about the discharge plan.",
    ],
    N.ATTEMPTED: [
        "Looked for them at {place}; not there.",
        "Knocked at the room at {time}; no answer.",
        "Called twice, no answer; left a voicemail.",
        "Visited the usual site; bedding there but nobody present.",
        "Did not attend the appointment with {agency}.",
    ],
}
MIDDLES = [
    "Appeared {mood}.",
    "Gave {item}.",
    "Declined the offer of a hostel bed tonight; says they will think about it.",
    "Accepted a referral to {agency}.",
    "Talked through the housing application; still waiting to hear from {agency}.",
    "Says they have not been drinking as much this week.",
    "Reports using less; picked up the prescription from {agency}.",
    "Rent account is in arrears; agreed a repayment plan.",
    "Universal Credit claim is in payment; discussed budgeting.",
    "Still needs {doc} before the application can go ahead.",
    "Disclosed feeling unsafe at the hostel because of another resident; logged and passed to the manager.",
    "Has a court date on {day}; will ask probation for support.",
    "Asked about reconnection to their home area; explained the options.",
    "Foot care needed; booked the nurse at the drop-in.",
    "Talked about family and would like to get back in touch with their daughter.",
    "No recourse to public funds: discussed options with the migrant support worker.",
    "Interpreter used on the phone line for the whole session.",
    "Mental health appointment missed; agreed to rebook.",
    "Room check done; room tidy, smoke alarm working.",
    "Completed the support plan review; goals updated.",
    "Helped fill in the PIP form.",
    "Raised the risk of exploitation; discussed keeping safe.",
    "Has been sleeping at a friend's most nights this week.",
    "Benefits were sanctioned; helped with the mandatory reconsideration.",
    "Asked for help with a GP registration; completed it together.",
]
CLOSERS = [
    "Next contact {day}.",
    "Will follow up with {agency}.",
    "Plan: key work session {day} at {time}.",
    "Agreed to meet at {place} {day}.",
    "Will chase {agency} for an update.",
    "No further action today.",
    "Updated the support plan.",
    "Will raise at the next team meeting.",
    "",
]
AMENDMENTS = [
    "Amendment: the appointment is on {day} at {time}, not as recorded.",
    "Amendment: the referral was to {agency}, not as recorded.",
    "Correction: this contact was by phone, not in person.",
    "Correction: wrong date recorded for the next contact; it is {day}.",
    "Amendment: removed a detail recorded in error about another resident.",
]
MENTION_LINES = [
    "Was with their partner, also known to us (linked).",
    "Sleeping alongside a friend who is also known to services (linked).",
    "Another resident was involved in the incident (linked).",
    "Their brother was present and asked for help too (linked).",
]


def fill(templates: list[str], rng: random.Random, variants: int) -> list[str]:
    """Each template with its slots filled at random, `variants` times in all."""
    out = []
    for i in range(variants):
        template = templates[i % len(templates)]
        text = template
        while "{" in text:
            start = text.index("{")
            end = text.index("}", start)
            text = text[:start] + rng.choice(SLOTS[text[start + 1 : end]]) + text[end + 1 :]
        out.append(text)
    return out


def build_notes(ctx: DemoContext) -> None:
    """Case notes inside every episode, by the service's staff, to the scale's count of events."""
    rng = ctx.random("casework.notes")
    area = ctx.area
    kind_of = {
        pk: ServiceKind(kind)
        for pk, kind in Service.objects.filter(organisation__area=area).order_by("pk").values_list("pk", "kind")
    }
    staff: dict[int, list[int]] = {}
    for user_id, service_id in (
        Membership.objects.filter(service_id__in=kind_of, role__in=[Role.CONTRIBUTOR, Role.MANAGER])
        .order_by("pk")
        .values_list("user_id", "service_id")
    ):
        staff.setdefault(service_id, []).append(user_id)
    episodes = Episode.objects.filter(person__area=area, service_id__in=list(staff)).order_by("pk")
    counts = Episode.objects.filter(person__area=area).aggregate(
        all=Count("pk"), ended=Count("pk", filter=Q(ended_on__isnull=False))
    )
    target = max(0, ctx.scale.events - counts["all"] - counts["ended"])
    today = timezone.localdate()
    now = timezone.now()
    fields = ("pk", "person_id", "service_id", "key_worker_id", "started_on", "ended_on")

    # An episode's weight: its length in weeks times its service's intensity times a
    # spread per episode (log-normal: most people a handful of notes, a few hundreds).
    # Two passes over the episodes keep memory flat at every scale; the spread comes from
    # a generator seeded alike in both.
    def weights() -> Iterator[tuple[tuple, float]]:
        spread = ctx.random("casework.notes.spread")
        for row in episodes.values_list(*fields).iterator(chunk_size=ctx.batch_size):
            _, _, service_id, _, started, ended = row
            weeks = max(((ended or today) - started).days, 1) / 7
            yield row, weeks * INTENSITY[kind_of[service_id]] * math.exp(spread.gauss(0, 0.9))

    total_weight = sum(w for _, w in weights())
    scale = target / total_weight if total_weight else 0.0
    openers = {kind: fill(texts, rng, 120) for kind, texts in OPENERS.items()}
    # Variants grouped by template, so one note never says the same thing twice.
    middles = [fill([template], rng, 24) for template in MIDDLES]
    closers = fill(CLOSERS, rng, 200)
    amendments = fill(AMENDMENTS, rng, 100)
    kind_choices = {k: ([kind for kind, _ in pairs], [w for _, w in pairs]) for k, pairs in KINDS.items()}
    # People each service works with, for mentions: someone the service also knows.
    people_of: dict[int, list[int]] = {}
    for person_id, service_id in episodes.values_list("person_id", "service_id").iterator(chunk_size=ctx.batch_size):
        people_of.setdefault(service_id, []).append(person_id)
    # Notes to amend and to link, by public id, dealt with once the notes are in.
    to_amend: list[tuple] = []
    to_link: list[tuple] = []
    utc = datetime.UTC

    def notes() -> Iterator[tuple]:
        for (_, person_id, service_id, key_worker_id, started, ended), weight in weights():
            expected = weight * scale
            n = int(expected) + (rng.random() < expected - int(expected))
            if not n:
                continue
            service_kind = kind_of[service_id]
            authors = staff[service_id]
            kinds, kind_weights = kind_choices[service_kind]
            private = PRIVATE.get(service_kind, PRIVATE_DEFAULT)
            span = max(((ended or today) - started).days, 1)
            outreach = service_kind == ServiceKind.OUTREACH
            for kind in rng.choices(kinds, weights=kind_weights, k=n):
                day = started + datetime.timedelta(days=rng.randrange(span))
                # Outreach works early mornings and evenings; everyone else office hours.
                hour = rng.choice((5, 6, 7, 20, 21, 22)) if outreach and rng.random() < 0.6 else rng.randrange(8, 19)
                contact_at = datetime.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=utc)
                signed_off = min(now, contact_at + datetime.timedelta(minutes=rng.randrange(5, 600)))
                author = key_worker_id if key_worker_id and rng.random() < 0.7 else rng.choice(authors)
                parts = [rng.choice(openers[kind])]
                if kind != N.ATTEMPTED:
                    parts.extend(rng.choice(group) for group in rng.sample(middles, rng.choice((1, 1, 2, 2, 3))))
                closer = rng.choice(closers)
                if closer:
                    parts.append(closer)
                public_id = ctx.uuid(rng)
                is_private = rng.random() < private
                roll = rng.random()
                if roll < MENTIONS:
                    others = people_of.get(service_id, [])
                    other = rng.choice(others) if others else person_id
                    if other != person_id:
                        parts.insert(1, rng.choice(MENTION_LINES))
                        to_link.append((public_id, other))
                elif roll < MENTIONS + AMENDED:
                    to_amend.append(
                        (public_id, person_id, service_id, author, contact_at, kind, is_private, signed_off)
                    )
                yield (
                    public_id,
                    person_id,
                    service_id,
                    author,
                    contact_at,
                    kind,
                    " ".join(parts),
                    is_private,
                    signed_off,
                    None,
                    signed_off,
                    signed_off,
                )

    columns = [
        "public_id",
        "person_id",
        "service_id",
        "author_id",
        "contact_at",
        "kind",
        "body",
        "private_to_service",
        "signed_off_at",
        "amends_id",
        "created_at",
        "updated_at",
    ]
    ctx.insert_rows(CaseNote, columns, notes(), total=target, desc="case notes")

    def note_ids(public_ids: list) -> dict:
        found: dict = {}
        for chunk in batched(public_ids, 5000):
            found.update(CaseNote.objects.filter(public_id__in=chunk).values_list("public_id", "pk"))
        return found

    amended = note_ids([row[0] for row in to_amend])

    def corrections() -> Iterator[tuple]:
        for public_id, person_id, service_id, author, contact_at, kind, is_private, signed_off in to_amend:
            later = min(now, signed_off + datetime.timedelta(hours=rng.randrange(1, 240)))
            yield (
                ctx.uuid(rng),
                person_id,
                service_id,
                author,
                contact_at,
                kind,
                rng.choice(amendments),
                is_private,
                later,
                amended[public_id],
                later,
                later,
            )

    ctx.insert_rows(CaseNote, columns, corrections(), total=len(to_amend), desc="amendments")
    linked = note_ids([public_id for public_id, _ in to_link])
    ctx.insert_rows(
        CaseNote.mentions.through,
        ["casenote_id", "person_id"],
        ((linked[public_id], other) for public_id, other in to_link),
        total=len(to_link),
        desc="mentions",
    )


STEPS = [
    Step("casework.episodes", 40, build_episodes, "Episodes: services working with people"),
    Step("casework.notes", 45, build_notes, "Case notes, amendments and mentions"),
]
