"""People: reading them through the access model, registering them without a
duplicate, and editing their details. Every read of a record and every change
is audited; pages and the API call these functions and nothing else."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from waymark.access import rules
from waymark.access.breakglass import BreakGlassScope, active_glass
from waymark.access.constants import Restriction, Visibility
from waymark.access.models import District, Service
from waymark.audit.models import AuditKind
from waymark.audit.services import changes_between, record
from waymark.casework.models import Episode
from waymark.people import matching
from waymark.people.models import BirthDatePrecision, OtherName, Person

__all__ = [
    "DETAIL_FIELDS",
    "OTHER_NAMES_MAX",
    "MatchDecision",
    "PersonView",
    "PossibleDuplicates",
    "StaleVersion",
    "check_for_duplicates",
    "default_restriction",
    "editable_person",
    "match_query_from",
    "open_person",
    "parse_date_of_birth",
    "people_for",
    "pick_existing",
    "register_person",
    "search_people",
    "update_person",
]

# The details a worker may give or change; the rest (reference, area, restriction,
# who registered) is set by the system or by the restriction service.
DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "known_as",
    "description",
    "date_of_birth",
    "birth_date_precision",
    "estimated_age",
    "age_estimated_on",
    "gender",
    "pronouns",
    "nationality",
    "immigration_status",
    "no_recourse_to_public_funds",
    "languages",
    "interpreter_needed",
    "phone",
    "email",
    "safe_contact",
    "last_settled_address",
    "local_connection",
)
OTHER_NAMES_MAX = 20
OLDEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class PersonView:
    """A person as one user may see them."""

    person: Person
    visibility: Visibility
    # Set when the user sees more than the rules allow because they broke the glass;
    # pages flag it.
    broken_glass: Any = None

    @property
    def is_full(self) -> bool:
        return self.visibility == Visibility.FULL


class StaleVersion(Exception):
    """Someone else changed the record since it was read; nothing was saved."""

    message = "Someone else changed this record since you opened it. Check their changes and make yours again."

    def __str__(self) -> str:
        return self.message


class PossibleDuplicates(Exception):
    """Possible existing records the worker has not yet seen and ruled out."""

    def __init__(self, candidates: list[matching.Candidate]) -> None:
        super().__init__("This person may already have a record. Check the possible matches first.")
        self.candidates = candidates


@dataclass(frozen=True)
class MatchDecision:
    """The worker's answer to the duplicate check.

    `confirmed_none` says none of the candidates shown is the person; `seen` are
    the public ids of the candidates they were shown (the page sends them back).
    A caller that checked with the API and confirms passes `seen=None`: every
    current candidate counts as seen.
    """

    confirmed_none: bool = False
    seen: frozenset[str] | None = field(default=None)


# --- reading --------------------------------------------------------------------------


def people_for(user: Any, query: str = "") -> QuerySet[Person]:
    """People the user may know of, optionally narrowed by name or reference."""
    people = Person.objects.visible_to(user).with_full_access(user).select_related("registered_by_service")
    query = query.strip()
    if query:
        # Protected identities must not be findable by name by those who see only that they exist.
        people = people.filter(Q(full_access=True) | Q(reference__iexact=query))
        people = people.filter(
            Q(reference__iexact=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(known_as__icontains=query)
        )
    return people


def search_people(user: Any, text: str) -> matching.SearchResult:
    """Fuzzy search by name, reference or date of birth, ranked, among what the user may see.

    A protected record the user may only know exists is found by its exact
    reference alone. Not audited as an open: a result list shows no more than
    the people list does.
    """
    return matching.search(user, text)


def open_person(user: Any, public_id: UUID | str) -> PersonView:
    """One person as the user may see them; raises Http404 when they may not. Audited."""
    person = (
        Person.objects.visible_to(user)
        .with_full_access(user)
        .select_related("registered_by_service__organisation")
        .filter(public_id=public_id)
        .first()
    )
    if person is None:
        raise Http404("No such person")
    visibility = Visibility.FULL if getattr(person, "full_access", False) else Visibility.EXISTS
    glass = None
    if visibility == Visibility.EXISTS:
        # A protected identity the user unlocked by breaking the glass: the read is
        # allowed, counted as a break-glass read and flagged on the page.
        glass = active_glass(user, person, BreakGlassScope.IDENTITY)
        if glass is not None:
            visibility = Visibility.FULL
    record(
        AuditKind.BREAK_GLASS if glass is not None else AuditKind.READ,
        f"Opened the record of {person.reference}"
        + (" under break-glass" if glass is not None else "" if visibility == Visibility.FULL else " (limited)"),
        obj=person,
        person=person,
        detail={"visibility": visibility.label, **({"break_glass": str(glass.public_id)} if glass else {})},
    )
    return PersonView(person=person, visibility=visibility, broken_glass=glass)


def _require_working_writer(user: Any, person: Person) -> None:
    """Details are changed by a worker or manager of a service working with the person:
    a partner who can only look the record up must not rewrite how to reach them."""
    ctx = rules.context_for(user)
    if not ctx.writing_service_ids:
        raise PermissionDenied("Only a worker or manager can change a person's details.")
    working = Episode.objects.filter(person=person, service_id__in=ctx.writing_service_ids, ended_on__isnull=True)
    if not getattr(person, "full_access", False) or not working.exists():
        raise PermissionDenied("Only services working with this person can change their details.")


def editable_person(user: Any, public_id: UUID | str) -> Person:
    """A person whose details the user may edit: by a worker or manager of a service working with them.

    Someone who cannot see the record gets Http404 (its existence stays unknown);
    someone who sees it but may not write gets PermissionDenied.
    """
    person = (
        Person.objects.visible_to(user)
        .with_full_access(user)
        .select_related("registered_by_service", "local_connection")
        .filter(public_id=public_id)
        .first()
    )
    if person is None:
        raise Http404("No such person")
    _require_working_writer(user, person)
    return person


# --- dates of birth -------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_UK = re.compile(r"^(?:(\d{1,2})/)?(\d{1,2})/(\d{4})$")


def parse_date_of_birth(text: str) -> tuple[datetime.date, str]:
    """Read a full or partial date of birth: 1980-05-12, 1980-05, 1980, 12/05/1980 or 05/1980.

    Returns the date (its first day when partial) and its precision; raises
    ValidationError when it is not a date.
    """
    text = (text or "").strip()
    day: str | None
    if m := _ISO.match(text):
        year, month, day = m[1], m[2], m[3]
    elif m := _UK.match(text):
        day, month, year = m[1], m[2], m[3]
    else:
        raise ValidationError("Give the date as 1980-05-12, 1980-05 or 1980 (or 12/05/1980).")
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValidationError("That date does not exist. Check the day and month.") from exc
    precision = BirthDatePrecision.EXACT if day else BirthDatePrecision.MONTH if month else BirthDatePrecision.YEAR
    return value, precision


def _clean_birth(data: dict[str, Any], errors: dict[str, str]) -> None:
    """Make the date-of-birth fields agree with their precision (a partial date is its first day)."""
    precision = data.get("birth_date_precision") or BirthDatePrecision.UNKNOWN
    value = data.get("date_of_birth")
    age = data.get("estimated_age")
    today = timezone.localdate()
    if precision in (BirthDatePrecision.EXACT, BirthDatePrecision.MONTH, BirthDatePrecision.YEAR):
        if value is None:
            errors["date_of_birth"] = "Give the date of birth, or say it is not known."
            return
        if precision == BirthDatePrecision.MONTH:
            value = value.replace(day=1)
        elif precision == BirthDatePrecision.YEAR:
            value = value.replace(month=1, day=1)
        if value > today:
            errors["date_of_birth"] = "The date of birth must be in the past."
        elif value.year < OLDEST_BIRTH_YEAR:
            errors["date_of_birth"] = f"The year of birth must be {OLDEST_BIRTH_YEAR} or later."
        data.update(date_of_birth=value, estimated_age=None, age_estimated_on=None)
    elif precision == BirthDatePrecision.ESTIMATED:
        if age is None:
            errors["estimated_age"] = "Give their estimated age, or say the date of birth is not known."
            return
        if not 0 <= age <= 120:
            errors["estimated_age"] = "Give an age from 0 to 120."
        on = data.get("age_estimated_on") or today
        if on > today:
            errors["age_estimated_on"] = "The date of the estimate must be today or in the past."
        data.update(date_of_birth=None, age_estimated_on=on)
    else:
        data.update(
            birth_date_precision=BirthDatePrecision.UNKNOWN,
            date_of_birth=None,
            estimated_age=None,
            age_estimated_on=None,
        )
    data["birth_date_precision"] = precision


def _clean_details(data: dict[str, Any], area_id: int | None) -> dict[str, Any]:
    unknown = set(data) - set(DETAIL_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set here."))
    clean = dict(data)
    for name, value in clean.items():
        if isinstance(value, str) and name not in ("immigration_status", "birth_date_precision"):
            clean[name] = value.strip()
    errors: dict[str, str] = {}
    if "birth_date_precision" in clean or "date_of_birth" in clean or "estimated_age" in clean:
        _clean_birth(clean, errors)
    district = clean.get("local_connection")
    if district is not None and (not isinstance(district, District) or district.area_id != area_id):
        errors["local_connection"] = "Choose a district of your area."
    if errors:
        raise ValidationError(errors)
    return clean


def _require_identity(person: Person) -> None:
    if not any(
        (person.first_name.strip(), person.last_name.strip(), person.known_as.strip(), person.description.strip())
    ):
        raise ValidationError(
            {"first_name": "Give a name (first name, last name or known as) or a description of the person."}
        )


def _clean_other_names(other_names: Iterable[Any]) -> list[dict[str, str]]:
    rows = []
    for other in other_names:
        if isinstance(other, dict):
            row = {k: str(other.get(k) or "").strip() for k in ("first_name", "last_name", "note")}
        else:
            row = {"first_name": str(other[0] or "").strip(), "last_name": str(other[1] or "").strip(), "note": ""}
        if row["first_name"] or row["last_name"]:
            rows.append(row)
    if len(rows) > OTHER_NAMES_MAX:
        raise ValidationError({"other_names": f"Give at most {OTHER_NAMES_MAX} other names."})
    for row in rows:
        for name, value in row.items():
            limit = 200
            if len(value) > limit:
                raise ValidationError({"other_names": f"Keep each other name's {name.replace('_', ' ')} short."})
    return rows


# Search results are ranked: the person sought is nearly always near the top, so a
# page of 20 answers most searches with less to read and send (the API's `page_size`
# asks for more; the people list without a search shows 50).
SEARCH_PAGE_SIZE = 20


# --- the duplicate check --------------------------------------------------------------


def match_query_from(data: dict[str, Any], other_names: Iterable[Any] = ()) -> matching.MatchQuery:
    """A duplicate-check query from (partly) entered details, tolerant of gaps."""
    names = tuple(
        (row["first_name"], row["last_name"]) if isinstance(row, dict) else (str(row[0] or ""), str(row[1] or ""))
        for row in other_names
    )
    return matching.MatchQuery(
        first_name=str(data.get("first_name") or "")[:200],
        last_name=str(data.get("last_name") or "")[:200],
        known_as=str(data.get("known_as") or "")[:200],
        other_names=names[:OTHER_NAMES_MAX],
        date_of_birth=data.get("date_of_birth"),
        birth_date_precision=data.get("birth_date_precision") or BirthDatePrecision.UNKNOWN,
        estimated_age=data.get("estimated_age"),
        age_estimated_on=data.get("age_estimated_on"),
        gender=str(data.get("gender") or "")[:100],
        nationality=str(data.get("nationality") or "")[:100],
    )


def check_for_duplicates(user: Any, query: matching.MatchQuery, limit: int = 5) -> list[matching.Candidate]:
    """Possible existing records of the person described, as the user may see them.

    Not audited: it reveals no more than the people list (names only of records
    seen in full; for protected ones only whom to contact). Analysts and
    anonymous callers get nothing.
    """
    ctx = rules.context_for(user)
    if not ctx.is_authenticated or ctx.is_analyst_only or not (query.has_name or query.birth.known):
        return []
    return matching.find_matches(user, query, limit)


def _candidate_detail(candidates: Sequence[matching.Candidate]) -> list[dict[str, Any]]:
    return [{"reference": c.person.reference, "score": c.score, "visibility": c.visibility.label} for c in candidates]


def _require_writer(user: Any, service: Service | None) -> Service:
    ctx = rules.context_for(user)
    if not ctx.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if service is None:
        raise PermissionDenied("Choose the service you are acting for first.")
    if service.pk not in ctx.writing_service_ids:
        raise PermissionDenied("Only a worker or manager of a service can register or change a person.")
    return service


def pick_existing(user: Any, service: Service | None, public_id: UUID | str, query: matching.MatchQuery) -> Person:
    """The worker says an existing record shown by the duplicate check is the person. Audited.

    The record must be one the check would show them; the returned person is
    then opened as usual (in full, or "exists, contact …" when protected).
    """
    service = _require_writer(user, service)
    candidates = check_for_duplicates(user, query, limit=5)
    chosen = next((c for c in candidates if str(c.person.public_id) == str(public_id)), None)
    if chosen is None:
        # Not among what they were shown (or not theirs to see): say nothing about it.
        raise Http404("No such person")
    record(
        AuditKind.READ,
        f"Duplicate check: picked the existing record {chosen.person.reference} instead of registering",
        obj=chosen.person,
        person=chosen.person,
        service=service,
        detail={
            "duplicate_check": "picked_existing",
            "score": chosen.score,
            "candidates": _candidate_detail(candidates),
        },
    )
    return chosen.person


# --- registering and editing ----------------------------------------------------------


def default_restriction(service: Service) -> str:
    """A refuge's people are protected by default, a hidden-work service's hidden."""
    if service.hidden_work:
        return Restriction.HIDDEN
    if service.restricted:
        return Restriction.PROTECTED
    return Restriction.NONE


@transaction.atomic
def register_person(
    user: Any,
    service: Service | None,
    data: dict[str, Any],
    other_names: Iterable[Any] = (),
    match_decision: MatchDecision | None = None,
    *,
    start_episode: bool = True,
) -> Person:
    """Register a person for `service`, once the duplicate check is answered.

    Needs a worker or manager of the service. Only a name (first, last or
    known-as) or a description is required. The restriction follows the
    service (refuge → protected, hidden work → hidden). When the check finds
    possible existing records the worker has not seen and ruled out
    (`match_decision`), raises PossibleDuplicates and saves nothing. Starts an
    episode for the service unless `start_episode` is false (always for a
    restricted record, which its own service could not otherwise see).
    Audited, with the worker's answer to the check.
    """
    service = _require_writer(user, service)
    clean = _clean_details(data, service.organisation.area_id)
    names = _clean_other_names(other_names)
    person = Person(registered_by_service=service, restriction=default_restriction(service), **clean)
    _require_identity(person)
    person.full_clean(exclude=["area"])

    candidates = check_for_duplicates(user, match_query_from(clean, names))
    decision = match_decision or MatchDecision()
    if candidates:
        unseen = [c for c in candidates if decision.seen is not None and str(c.person.public_id) not in decision.seen]
        if not decision.confirmed_none or unseen:
            raise PossibleDuplicates(candidates)

    person.save(match_keys=False)
    OtherName.objects.bulk_create([OtherName(person=person, **row) for row in names])
    matching.refresh_keys(person)
    check = (
        {"duplicate_check": "confirmed_none", "candidates": _candidate_detail(candidates)}
        if candidates
        else {"duplicate_check": "no_candidates"}
    )
    record(
        AuditKind.CREATE,
        f"Registered {person.reference}"
        + (f": confirmed none of {len(candidates)} possible matches is this person" if candidates else ""),
        obj=person,
        person=person,
        service=service,
        detail={**check, "restriction": person.restriction, "other_names": len(names)},
    )
    if start_episode or person.restriction != Restriction.NONE:
        from waymark.casework.services import start_episode as start

        start(user, person, service, started_on=timezone.localdate(), key_worker=user, reason="Registered")
    return person


def _snapshot(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in DETAIL_FIELDS}


@transaction.atomic
def update_person(
    user: Any,
    person: Person,
    data: dict[str, Any],
    version: int | None,
    *,
    other_names: Iterable[Any] | None = None,
    service: Service | None = None,
) -> Person:
    """Change a person's details; `other_names`, when given, replaces the list.

    Only a worker or manager of a service working with the person may. A `version` other
    than the record's current one raises StaleVersion and nothing is saved (the
    caller keeps the user's input). Match keys follow the new details. Audited
    with the names of the fields changed.
    """
    ctx = rules.context_for(user)
    if service is not None:
        _require_writer(user, service)
    elif not ctx.writing_service_ids:
        raise PermissionDenied("Only a worker or manager can change a person's details.")
    current = Person.objects.visible_to(user).with_full_access(user).select_for_update(of=("self",))
    locked = current.filter(pk=person.pk).first()
    if locked is None:
        raise Http404("No such person")
    _require_working_writer(user, locked)
    if version is not None and version != locked.version:
        raise StaleVersion()
    clean = _clean_details(data, locked.area_id)
    if "birth_date_precision" not in clean and ({"date_of_birth", "estimated_age"} & set(clean)):
        raise ValidationError({"birth_date_precision": "Say how much of the date of birth is known."})
    before = _snapshot(locked)
    for name, value in clean.items():
        setattr(locked, name, value)
    _require_identity(locked)
    locked.full_clean(exclude=["area"])
    names_before = [(o.first_name, o.last_name, o.note) for o in locked.other_names.all()]
    names_after = names_before
    if other_names is not None:
        rows = _clean_other_names(other_names)
        names_after = [(r["first_name"], r["last_name"], r["note"]) for r in rows]
    # Which fields changed, not their values: the log is append-only and must not
    # keep a copy of personal details that an erasure request removes.
    changed = sorted(changes_between(before, _snapshot(locked)))
    if names_after != names_before:
        changed.append("other_names")
    if not changed:
        return locked
    locked.version = F("version") + 1  # type: ignore[assignment]
    locked.save(match_keys=False)
    locked.refresh_from_db()
    if names_after != names_before:
        locked.other_names.all().delete()
        OtherName.objects.bulk_create(
            [OtherName(person=locked, first_name=f, last_name=la, note=n) for f, la, n in names_after]
        )
    matching.refresh_keys(locked)
    record(
        AuditKind.CHANGE,
        f"Changed the details of {locked.reference}",
        obj=locked,
        person=locked,
        service=service,
        detail={"changed": changed},
    )
    person.version = locked.version
    return locked
