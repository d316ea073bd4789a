"""Compliance scores: how complete each service's records are, month by month (CHAIN's data-quality score).

Each month, for each service, the records it entered that month are checked for
the area's essential fields: the people it registered (created in the month,
London time) and the street contacts it recorded (seen in the month). The score
is the percentage of essential fields present; the fix-it list names each record
that misses something and what, so the service can complete it.

Only the service's own managers and the area's admins see a service's scores and
list. The list may name people whose record is hidden or protected (the service
entered them); when it is shown, every entry is checked again against the access
model, and one the reader may not open now is shown without its reference.

Storage: `ComplianceScore.missing` holds the fix-it entries, then one last
`{"kind": "summary", …}` entry with the totals per field and how many records
were left off the list. `summary_of(score)` and `fix_list(score)` read it back;
nothing else should parse the JSON.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from waymark.access import rules
from waymark.access.models import Area, Service
from waymark.audit.models import AuditKind
from waymark.audit.services import record
from waymark.outreach.models import ComplianceScore, EssentialField, StreetContact
from waymark.people.models import BirthDatePrecision, Person

LONDON = ZoneInfo("Europe/London")
PERSON = EssentialField.Applies.PERSON.value
CONTACT = EssentialField.Applies.CONTACT.value
# The fix-it list keeps this many records; the summary says how many more there were.
LIST_CAP = 500
# Months before this are typing mistakes, not records.
EARLIEST_MONTH = datetime.date(2000, 1, 1)
TREND_MONTHS = 12


@dataclass(frozen=True)
class Check:
    """One field an area may count as essential: its name, its label, and when it is missing."""

    name: str
    label: str
    missing: Q


# The fields an area may choose from. Names are fixed here: an area chooses among
# them, never types its own, so every check is a known, indexed-free column test.
PERSON_CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check("first_name", "First name", Q(first_name="")),
        Check("last_name", "Last name", Q(last_name="")),
        Check(
            "date_of_birth",
            "Date of birth (any precision)",
            # An estimated age counts: for someone sleeping rough it is often all there is.
            Q(birth_date_precision=BirthDatePrecision.UNKNOWN)
            | Q(date_of_birth__isnull=True, estimated_age__isnull=True),
        ),
        Check("gender", "Gender", Q(gender="")),
        Check("nationality", "Nationality", Q(nationality="")),
        Check("immigration_status", "Immigration status", Q(immigration_status="")),
        Check("no_recourse_to_public_funds", "Recourse to public funds", Q(no_recourse_to_public_funds__isnull=True)),
        Check("local_connection", "Local connection", Q(local_connection__isnull=True)),
        Check("languages", "Languages", Q(languages="")),
        Check("last_settled_address", "Last settled address", Q(last_settled_address="")),
        Check("safe_contact", "A safe way to contact them", Q(safe_contact="")),
    )
}
CONTACT_CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check("person", "Person identified", Q(person__isnull=True)),
        Check("location", "Map pin or place", Q(latitude__isnull=True, place="")),
        Check("map_pin", "Map pin", Q(latitude__isnull=True) | Q(longitude__isnull=True)),
        Check("district", "District", Q(district__isnull=True)),
        Check("site_type", "Site type", Q(site_type="")),
        Check("actions", "What was done", Q(actions=[])),
        Check("needs", "Needs observed", Q(needs=[])),
    )
}
CHECKS: dict[str, dict[str, Check]] = {PERSON: PERSON_CHECKS, CONTACT: CONTACT_CHECKS}
# What an area that has chosen nothing counts as essential: CHAIN's core fields.
DEFAULT_ESSENTIAL: dict[str, tuple[str, ...]] = {
    PERSON: ("date_of_birth", "gender", "nationality", "local_connection", "immigration_status"),
    CONTACT: ("person", "location", "district", "site_type"),
}


# --- months ---------------------------------------------------------------------------------------


def parse_month(text: str) -> datetime.date:
    """'2025-03' as the first day of that month; ValidationError saying what to give otherwise."""
    raw = (text or "").strip()
    try:
        year, month = raw.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(raw)
        first = datetime.date(int(year), int(month), 1)
    except ValueError:
        raise ValidationError("Give the month as YYYY-MM, for example 2025-03.", code="invalid") from None
    if first < EARLIEST_MONTH:
        raise ValidationError(f"Give a month in {EARLIEST_MONTH.year} or later.", code="invalid")
    return first


def first_of(day: datetime.date) -> datetime.date:
    """The first day of the day's month."""
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def this_month() -> datetime.date:
    """The current month in Europe/London."""
    return first_of(timezone.now().astimezone(LONDON).date())


def previous_month() -> datetime.date:
    """Last month in Europe/London: what the scheduled job scores on the first of the month."""
    return add_months(this_month(), -1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight London time at the start of the month and of the next, as aware datetimes."""
    start = first_of(month)
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=LONDON),
        datetime.datetime.combine(add_months(start, 1), datetime.time.min, tzinfo=LONDON),
    )


# --- essential fields -----------------------------------------------------------------------------


def essential_fields(area_id: int) -> dict[str, list[str]]:
    """The area's essential fields per kind of record, in the order of the checks.

    A kind the area has chosen nothing for uses the defaults.
    """
    chosen: dict[str, set[str]] = {PERSON: set(), CONTACT: set()}
    for applies_to, name in EssentialField.objects.filter(area_id=area_id).values_list("applies_to", "field"):
        # A name no longer offered is ignored rather than breaking every score.
        if name in CHECKS.get(applies_to, {}):
            chosen[applies_to].add(name)
    return {
        kind: [name for name in CHECKS[kind] if name in chosen[kind]] or list(DEFAULT_ESSENTIAL[kind])
        for kind in (PERSON, CONTACT)
    }


def area_uses_defaults(area_id: int) -> bool:
    """Whether the area has not chosen its essential fields (so the defaults apply)."""
    return not EssentialField.objects.filter(area_id=area_id).exists()


@transaction.atomic
def set_essential_fields(
    user: Any, person_fields: Iterable[str], contact_fields: Iterable[str]
) -> dict[str, list[str]]:
    """Replace the area admin's area's essential fields; at least one of each kind, from the allowed names.

    Scores already computed keep the fields they were computed with; the next
    computation (scheduled, or "Recalculate now") uses the new ones.
    """
    ctx = rules.context_for(user)
    if not ctx.is_area_admin or ctx.area_id is None:
        raise PermissionDenied("Only an area admin can choose the essential fields.")
    wanted = {PERSON: list(dict.fromkeys(person_fields)), CONTACT: list(dict.fromkeys(contact_fields))}
    errors: dict[str, str] = {}
    for kind, label in ((PERSON, "people"), (CONTACT, "street contacts")):
        unknown = [name for name in wanted[kind] if name not in CHECKS[kind]]
        if unknown:
            errors[f"{kind}_fields"] = f"Choose from the list: {', '.join(unknown[:3])} is not one of them."
        elif not wanted[kind]:
            errors[f"{kind}_fields"] = f"Choose at least one essential field for {label}."
    if errors:
        raise ValidationError(errors)
    before = essential_fields(ctx.area_id)
    EssentialField.objects.filter(area_id=ctx.area_id).delete()
    EssentialField.objects.bulk_create(
        EssentialField(area_id=ctx.area_id, applies_to=kind, field=name)
        for kind in (PERSON, CONTACT)
        for name in CHECKS[kind]
        if name in wanted[kind]
    )
    after = essential_fields(ctx.area_id)
    record(
        AuditKind.ADMIN,
        "Changed the essential fields for compliance scores",
        obj=Area.objects.get(pk=ctx.area_id),
        user=user,
        detail={"before": before, "after": after},
    )
    return after


# --- computing ------------------------------------------------------------------------------------


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def _any(checks: Sequence[Check]) -> Q:
    where = Q(pk__in=[])
    for check in checks:
        where |= check.missing
    return where


def _score(checked: int, missing: int) -> Decimal:
    """Percentage present to one decimal; never 100.0 while something is missing."""
    if checked == 0:
        return Decimal("100.0")
    score = (Decimal(checked - missing) * 100 / Decimal(checked)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if missing and score >= 100:
        return Decimal("99.9")
    return score


@dataclass
class _Tally:
    """One kind of record's counts, and its entries for the fix-it list."""

    records: int = 0
    incomplete: int = 0
    by_field: dict[str, int] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)


def _tally(queryset: QuerySet, checks: Sequence[Check], room: int, row: Any, order: Sequence[str]) -> _Tally:
    """Count records and missing fields in one aggregate query; list up to `room` incomplete records."""
    counts = queryset.aggregate(
        records=Count("pk"),
        incomplete=Count("pk", filter=_any(checks)),
        **{f"missing_{check.name}": Count("pk", filter=check.missing) for check in checks},
    )
    tally = _Tally(
        records=counts["records"],
        incomplete=counts["incomplete"],
        by_field={check.name: counts[f"missing_{check.name}"] for check in checks},
    )
    if tally.incomplete and room > 0:
        flags = {f"missing_{check.name}": _flag(check.missing) for check in checks}
        rows = queryset.filter(_any(checks)).annotate(**flags).order_by(*order)[:room]
        for values in rows.values(*row.fields, *flags):
            missing = [check.name for check in checks if values[f"missing_{check.name}"]]
            tally.entries.append(row.entry(values, missing))
    return tally


class _PersonRow:
    fields = ("public_id", "reference")

    @staticmethod
    def entry(values: dict[str, Any], missing: list[str]) -> dict[str, Any]:
        return {"kind": PERSON, "person": str(values["public_id"]), "reference": values["reference"], "fields": missing}


class _ContactRow:
    fields = ("public_id", "seen_on", "person__public_id", "person__reference")

    @staticmethod
    def entry(values: dict[str, Any], missing: list[str]) -> dict[str, Any]:
        person = values["person__public_id"]
        return {
            "kind": CONTACT,
            "contact": str(values["public_id"]),
            "seen_on": values["seen_on"].isoformat(),
            "person": str(person) if person else None,
            "reference": values["person__reference"] or "",
            "fields": missing,
        }


def people_entered(service: Service, month: datetime.date) -> QuerySet[Person]:
    """People the service registered in the month (their record created then, London time)."""
    start, end = month_bounds(month)
    return Person.objects.filter(
        area_id=service.organisation.area_id, registered_by_service=service, created_at__gte=start, created_at__lt=end
    )


def contacts_entered(service: Service, month: datetime.date) -> QuerySet[StreetContact]:
    """Street contacts the service recorded with a London day in the month."""
    start, end = month_bounds(month)
    # seen_on is seen_at's London day, so the two ranges agree; seen_at uses the
    # (service, seen_at) index.
    return StreetContact.objects.filter(
        service=service,
        seen_at__gte=start,
        seen_at__lt=end,
        seen_on__gte=first_of(month),
        seen_on__lt=add_months(first_of(month), 1),
    )


def compute_month(
    service: Service, month: datetime.date, *, essential: dict[str, list[str]] | None = None
) -> ComplianceScore | None:
    """Score one service's records for one month, and save it (one score per service and month).

    Checks the people it registered and the street contacts it recorded that month
    against the area's essential fields (`essential` may pass them in, read once
    per area). A month with no records has no score: an earlier score for it is
    removed and None returned. About six queries whatever the service's size.
    """
    month = first_of(month)
    essential = essential or essential_fields(service.organisation.area_id)
    person_checks = [PERSON_CHECKS[name] for name in essential[PERSON]]
    contact_checks = [CONTACT_CHECKS[name] for name in essential[CONTACT]]
    people = _tally(people_entered(service, month), person_checks, LIST_CAP, _PersonRow, ("created_at", "pk"))
    contacts = _tally(
        contacts_entered(service, month),
        contact_checks,
        LIST_CAP - len(people.entries),
        _ContactRow,
        ("seen_at", "pk"),
    )
    records = people.records + contacts.records
    if records == 0:
        ComplianceScore.objects.filter(service=service, month=month).delete()
        return None
    checked = people.records * len(person_checks) + contacts.records * len(contact_checks)
    missing = sum(people.by_field.values()) + sum(contacts.by_field.values())
    listed = len(people.entries) + len(contacts.entries)
    summary = {
        "kind": "summary",
        "people": people.records,
        "contacts": contacts.records,
        "incomplete_people": people.incomplete,
        "incomplete_contacts": contacts.incomplete,
        "listed": listed,
        "more": people.incomplete + contacts.incomplete - listed,
        "essential": essential,
        "by_field": {PERSON: people.by_field, CONTACT: contacts.by_field},
    }
    score, _ = ComplianceScore.objects.update_or_create(
        service=service,
        month=month,
        defaults={
            "records": records,
            "fields_checked": checked,
            "fields_missing": missing,
            "score": _score(checked, missing),
            "missing": [*people.entries, *contacts.entries, summary],
            "computed_at": timezone.now(),
        },
    )
    return score


def compute_all(month: datetime.date) -> int:
    """Score every active service of every area for the month; returns how many scores were saved.

    The scheduled job and the `compute_compliance` command call this. Each area's
    essential fields are read once.
    """
    saved = 0
    services = (
        Service.objects.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__area_id", "pk")
    )
    essential: dict[int, dict[str, list[str]]] = {}
    for service in services.iterator(chunk_size=200):
        area_id = service.organisation.area_id
        if area_id not in essential:
            essential[area_id] = essential_fields(area_id)
        if compute_month(service, month, essential=essential[area_id]) is not None:
            saved += 1
    return saved


# --- who sees what --------------------------------------------------------------------------------


def can_see_compliance(user: Any) -> bool:
    """Area admins and service managers; everyone else (workers, viewers, analysts) does not."""
    ctx = rules.context_for(user)
    return ctx.area_id is not None and (ctx.is_area_admin or bool(ctx.manager_service_ids))


def require_compliance(user: Any) -> rules.AccessContext:
    """The user's access context, or PermissionDenied unless they may see compliance scores."""
    if not can_see_compliance(user):
        raise PermissionDenied("Only service managers and area admins can see compliance scores.")
    return rules.context_for(user)


def services_for(user: Any) -> QuerySet[Service]:
    """The services whose scores the user sees: an area admin, the area's active ones; a manager, theirs."""
    ctx = rules.context_for(user)
    if ctx.area_id is None or not can_see_compliance(user):
        return Service.objects.none()
    services = Service.objects.filter(organisation__area_id=ctx.area_id)
    if ctx.is_area_admin:
        services = services.filter(is_active=True, organisation__is_active=True)
    else:
        services = services.filter(pk__in=sorted(ctx.manager_service_ids))
    return services.select_related("organisation").order_by("name", "pk")


def service_for(user: Any, public_id: UUID | str) -> Service:
    """One of the user's services by its public id; 404 for any other (so nothing else is revealed)."""
    require_compliance(user)
    service = services_for(user).filter(public_id=public_id).first()
    if service is None:
        raise Http404("No such service")
    return service


def scores_visible_to(user: Any) -> QuerySet[ComplianceScore]:
    """The scores of the services the user sees, newest month first."""
    return (
        ComplianceScore.objects.filter(service__in=services_for(user))
        .select_related("service")
        .order_by("-month", "service__name", "pk")
    )


def recalculate(user: Any, service: Service, month: datetime.date) -> ComplianceScore | None:
    """Score a service's month now, on request of its manager or an area admin; audited.

    Not for a future month. Returns the score, or None when the service entered nothing that month.
    """
    if not services_for(user).filter(pk=service.pk).exists():
        raise PermissionDenied("Only the service's managers and area admins can recalculate its score.")
    month = first_of(month)
    if month > this_month():
        raise ValidationError({"month": "That month has not started yet."})
    if month < EARLIEST_MONTH:
        raise ValidationError({"month": f"Give a month in {EARLIEST_MONTH.year} or later."})
    score = compute_month(service, month)
    record(
        AuditKind.ADMIN,
        f"Recalculated the compliance score of {service.name} for {month:%B %Y}",
        obj=score,
        user=user,
        service=service,
        detail={"month": f"{month:%Y-%m}", "score": str(score.score) if score else None},
    )
    return score


# --- reading a score back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldTotal:
    """How often one essential field was missing in a month's records."""

    kind: str
    name: str
    label: str
    missing: int
    checked: int

    @property
    def percent_missing(self) -> Decimal:
        if not self.checked:
            return Decimal("0.0")
        return (Decimal(self.missing) * 100 / Decimal(self.checked)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Summary:
    """A score's totals: records of each kind, incomplete ones, how many the list left off, and per field."""

    people: int = 0
    contacts: int = 0
    incomplete_people: int = 0
    incomplete_contacts: int = 0
    listed: int = 0
    more: int = 0
    essential: dict[str, list[str]] = field(default_factory=dict)
    fields: list[FieldTotal] = field(default_factory=list)


def label_for(kind: str, name: str) -> str:
    """A field's label for people ('Gender'), or its name when no longer offered."""
    check = CHECKS.get(kind, {}).get(name)
    return check.label if check else name.replace("_", " ").capitalize()


def summary_of(score: ComplianceScore) -> Summary:
    """The totals saved with a score."""
    raw = next((item for item in reversed(score.missing or []) if item.get("kind") == "summary"), None)
    if raw is None:
        return Summary()
    by_field = raw.get("by_field", {})
    totals = [
        FieldTotal(kind, name, label_for(kind, name), count, raw.get("people" if kind == PERSON else "contacts", 0))
        for kind in (PERSON, CONTACT)
        for name, count in by_field.get(kind, {}).items()
    ]
    return Summary(
        people=raw.get("people", 0),
        contacts=raw.get("contacts", 0),
        incomplete_people=raw.get("incomplete_people", 0),
        incomplete_contacts=raw.get("incomplete_contacts", 0),
        listed=raw.get("listed", 0),
        more=raw.get("more", 0),
        essential=raw.get("essential", {}),
        fields=totals,
    )


def fix_list(score: ComplianceScore) -> list[dict[str, Any]]:
    """The saved fix-it entries (people, then contacts), without the summary."""
    return [item for item in score.missing or [] if item.get("kind") in (PERSON, CONTACT)]


@dataclass
class FixEntry:
    """One fix-it entry as a particular reader may see it."""

    kind: str
    fields: list[str]
    labels: list[str]
    person_id: str | None = None
    reference: str = ""
    name: str = ""
    contact_id: str | None = None
    seen_on: datetime.date | None = None
    # The reader may not open this record now (e.g. a hidden person the service no longer works with).
    withheld: bool = False
    # Where to complete it; set by the page (the person's edit page, the contact's page).
    fix_url: str = ""


def entries_for(user: Any, entries: Sequence[dict[str, Any]]) -> list[FixEntry]:
    """Fix-it entries as the user may see them: checked again against the access model.

    Two queries whatever the number of entries (callers pass a page, or the capped list).
    A person the user may not open is shown without reference or name; a contact the
    user may not see, without its id.
    """
    person_ids = {e["person"] for e in entries if e.get("person")}
    contact_ids = {e["contact"] for e in entries if e.get("kind") == CONTACT}
    people: dict[str, Person] = {}
    if person_ids:
        visible = Person.objects.visible_to(user).with_full_access(user).filter(public_id__in=sorted(person_ids))
        shown_fields = ("public_id", "reference", "first_name", "last_name", "known_as", "description")
        people = {str(p.public_id): p for p in visible.only(*shown_fields)}
    contacts: set[str] = set()
    if contact_ids:
        contacts = {
            str(pk)
            for pk in StreetContact.objects.visible_to(user)
            .filter(public_id__in=sorted(contact_ids))
            .values_list("public_id", flat=True)
        }
    shown: list[FixEntry] = []
    for entry in entries:
        kind = entry.get("kind", PERSON)
        names = list(entry.get("fields", []))
        item = FixEntry(kind=kind, fields=names, labels=[label_for(kind, name) for name in names])
        person = people.get(entry.get("person") or "")
        if person is not None:
            item.person_id = str(person.public_id)
            item.reference = person.reference
            item.name = person.display_name if getattr(person, "full_access", False) else ""
        if kind == PERSON:
            item.withheld = person is None
        else:
            item.seen_on = datetime.date.fromisoformat(entry["seen_on"]) if entry.get("seen_on") else None
            if entry.get("contact") in contacts:
                item.contact_id = entry["contact"]
            else:
                item.withheld = True
                item.person_id, item.reference, item.name = None, "", ""
        shown.append(item)
    return shown


@dataclass(frozen=True)
class TrendCell:
    month: datetime.date
    score: ComplianceScore | None


def trends(services: Sequence[Service], last: datetime.date, months: int = TREND_MONTHS) -> dict[int, list[TrendCell]]:
    """Each service's scores for `months` months up to `last`, oldest first; one query."""
    first = add_months(first_of(last), 1 - months)
    found: dict[tuple[int, datetime.date], ComplianceScore] = {
        (s.service_id, s.month): s
        for s in ComplianceScore.objects.filter(service__in=list(services), month__gte=first, month__lte=last).defer(
            "missing"
        )
    }
    span = [add_months(first, i) for i in range(months)]
    return {service.pk: [TrendCell(m, found.get((service.pk, m))) for m in span] for service in services}


def latest_scores(services: Sequence[Service]) -> dict[int, ComplianceScore]:
    """Each service's most recent score, whatever its age; one query, on the (service, month) index."""
    newest = ComplianceScore.objects.filter(service=OuterRef("service")).order_by("-month").values("month")[:1]
    rows = ComplianceScore.objects.filter(service__in=list(services), month=Subquery(newest)).defer("missing")
    return {score.service_id: score for score in rows}
