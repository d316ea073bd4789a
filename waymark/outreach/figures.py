"""Rough-sleeping figures: CHAIN's measures for a period, for the whole area or one district.

Everything is counted in the database with a few aggregate queries, so a quarter
of a metropolitan area's contacts takes the same handful of queries as a quiet
week in a small town. Nothing here loads contacts or people into Python.

The figures are aggregates of every street contact in the area where an outreach
service saw someone rough sleeping (`StreetContact.rough_sleeping`), whoever
recorded it and whatever the person's restriction: a hidden person is counted,
as the design allows, but no name or record ever leaves this module. Counts under
`THRESHOLD` are shown as "<5" for everyone (the figures leave the building), and
where a row's total would give a hidden count away, the next smallest is hidden too.

The measures, for a period and its previous period (the same length, just before):

* people seen rough sleeping: identified people with at least one rough-sleeping
  contact in the period (in the district, when one is chosen). Contacts with
  someone not yet identified cannot be counted as people.
* flow: of those, people never seen rough sleeping before the period started;
* stock: people also seen rough sleeping in the previous period;
* returners: people seen before the previous period, not in it, and again now;
  flow + stock + returners = people seen.
* living on the streets: people with at least `min_days` days with a
  rough-sleeping contact in the period, the first and last at least
  `min_span_days` days apart (settings.ROUGH_SLEEPING_LIVING_ON_STREETS);
* new people seen only once: flow people seen rough sleeping on one day only in
  the period ("no second night out").

A person's history (new, stock, returner, how often seen) is their history
anywhere in the area, as CHAIN's borough reports use London-wide history: in a
district's figures, someone first seen in another district last year is a
returner, not new.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractYear, Lower, Trim, Upper
from django.utils import timezone

from waymark.access import rules
from waymark.access.constants import ServiceKind
from waymark.access.models import District, Service
from waymark.audit.models import AuditKind
from waymark.audit.services import record
from waymark.outreach.models import ObservedNeed, StreetContact
from waymark.outreach.periods import Period, day_in_words
from waymark.outreach.services import LONDON
from waymark.people.matching import GENDERS, NOT_SAID
from waymark.people.models import BirthDatePrecision, Person

# Any count under this, none included, is shown as "<5".
THRESHOLD = 5
SUPPRESSED = f"<{THRESHOLD}"
# Nationalities with at least THRESHOLD people get a row of their own, up to this many.
NATIONALITIES_SHOWN = 10
LIVING_ON_STREETS_DEFAULT = {"min_days": 3, "min_span_days": 21}


# --- who may see the figures -----------------------------------------------------------


def check_access(user: Any) -> rules.AccessContext:
    """The user's access context if they may see their area's figures; PermissionDenied if not.

    Area admins, coordinators and analysts see them, and so does anyone with a
    role in one of the area's active outreach services. Other services do not:
    the figures are for those who commission and do street outreach.
    """
    ctx = rules.context_for(user)
    if not ctx.is_authenticated:
        raise PermissionDenied("Sign in to see the rough-sleeping figures.")
    if ctx.area_id is None:
        raise PermissionDenied("Your account is not in an area.")
    if ctx.area_roles:
        return ctx
    if ctx.service_ids and outreach_member(ctx):
        return ctx
    raise PermissionDenied("The rough-sleeping figures are for outreach teams, coordinators, analysts and area admins.")


def outreach_member(ctx: rules.AccessContext) -> bool:
    """Whether the user has a role in an active outreach service of their area."""
    if ctx.area_id is None:
        return False
    return Service.objects.filter(
        pk__in=sorted(ctx.service_ids),
        kind=ServiceKind.OUTREACH,
        is_active=True,
        organisation__area_id=ctx.area_id,
    ).exists()


def districts_for(user: Any) -> list[District]:
    """The districts of the user's area, by name: the choices for a district's figures."""
    area_id = rules.context_for(user).area_id
    if area_id is None:
        return []
    return list(District.objects.filter(area_id=area_id).order_by("name"))


def find_district(districts: Iterable[District], value: Any) -> District | None:
    """The district with this public id among `districts`; None for an empty value; ValidationError otherwise."""
    text = str(value or "").strip()
    if not text:
        return None
    for district in districts:
        if str(district.public_id) == text.lower():
            return district
    raise ValidationError("Choose a district in your area, or the whole area.", code="invalid_choice")


# --- the rule for living on the streets ----------------------------------------------


@dataclass(frozen=True)
class LivingRule:
    """Who appears to be living on the streets: `min_days` days seen, first and last `min_span_days` apart."""

    min_days: int = 3
    min_span_days: int = 21

    @property
    def description(self) -> str:
        return (
            f"seen rough sleeping on at least {self.min_days} different days in the period, "
            f"the first and the last at least {self.min_span_days} days apart"
        )


def living_rule() -> LivingRule:
    """The area's rule from settings.ROUGH_SLEEPING_LIVING_ON_STREETS, falling back to 3 days over 21.

    A setting with a missing or nonsensical value keeps the default for that
    value rather than failing every figures page.
    """
    configured = getattr(settings, "ROUGH_SLEEPING_LIVING_ON_STREETS", LIVING_ON_STREETS_DEFAULT) or {}
    values = dict(LIVING_ON_STREETS_DEFAULT)
    for name, default in LIVING_ON_STREETS_DEFAULT.items():
        candidate = configured.get(name, default) if isinstance(configured, dict) else default
        values[name] = (
            candidate if isinstance(candidate, int) and not isinstance(candidate, bool) and candidate >= 1 else default
        )
    return LivingRule(**values)


# --- suppression -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One count and whether it is hidden. `count` is never shown when suppressed: use `shown`."""

    key: str
    label: str
    count: int
    suppressed: bool = False

    @property
    def shown(self) -> str:
        return SUPPRESSED if self.suppressed else str(self.count)


def suppress(counts: Sequence[int], total: int | None = None) -> list[bool]:
    """Which counts to hide: every one under THRESHOLD and, in a row adding up to a
    shown total, enough more that no hidden count can be worked out by subtraction.

    One hidden count in such a row is the total minus the rest, so the next
    smallest is hidden too. Hidden counts adding up to nothing would show each is
    zero, so then one more is hidden as well. Rows that do not add up to a total
    (a person can be in several) pass `total=None`.
    """
    hidden = [count < THRESHOLD for count in counts]
    if total is None or total < THRESHOLD:
        return hidden
    while True:
        hidden_count = sum(hidden)
        hidden_sum = sum(c for c, h in zip(counts, hidden, strict=True) if h)
        if hidden_count == 0 or (hidden_count >= 2 and hidden_sum > 0):
            return hidden
        shown = [i for i, h in enumerate(hidden) if not h]
        if not shown:
            return hidden
        hidden[min(shown, key=lambda i: (counts[i], i))] = True


def cells(rows: Sequence[tuple[str, str, int]], total: int | None = None) -> list[Cell]:
    """(key, label, count) rows as cells, suppressed together (see `suppress`)."""
    hidden = suppress([count for _, _, count in rows], total)
    return [Cell(key, label, count, flag) for (key, label, count), flag in zip(rows, hidden, strict=True)]


# --- the figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """People seen rough sleeping, split one way. `additive`: each person is in exactly one row."""

    key: str
    title: str
    note: str
    rows: list[Cell]
    additive: bool

    @property
    def chart(self) -> dict[str, Any]:
        """What the chart draws: labels and counts, with None where a count is hidden."""
        return {
            "title": self.title,
            "labels": [row.label for row in self.rows],
            "values": [None if row.suppressed else row.count for row in self.rows],
            "shown": [row.shown for row in self.rows],
        }


@dataclass(frozen=True)
class Figures:
    """The figures for one period and place, every count already checked for suppression."""

    period: Period
    previous: Period
    district: District | None
    rule: LivingRule
    measures: list[Cell]
    breakdowns: list[Breakdown] = field(default_factory=list)

    @property
    def place(self) -> str:
        return self.district.name if self.district else "the whole area"

    def measure(self, key: str) -> Cell:
        return next(cell for cell in self.measures if cell.key == key)

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)


MEASURES = (
    ("people", "People seen rough sleeping"),
    ("flow", "Flow: new people, never seen rough sleeping before"),
    ("stock", "Stock: also seen in the previous period"),
    ("returners", "Returners: seen before the previous period, not in it, and again now"),
    ("living_on_streets", "Living on the streets"),
    ("new_seen_once", "New people seen only once (no second night out)"),
)
MEASURE_LABELS = dict(MEASURES)


def rough_sleeping_figures(
    user: Any, period: Period, district: District | None = None, districts: list[District] | None = None
) -> Figures:
    """The suppressed figures for the user's area (or one of its districts) and a period.

    `districts`: the area's districts when the caller has already read them (see `districts_for`).

    Refuses users who may not see figures (see `check_access`) and a district of
    another area. Four aggregate queries (three for a district) whatever the number of contacts.
    """
    ctx = check_access(user)
    assert ctx.area_id is not None
    if district is not None and district.area_id != ctx.area_id:
        raise ValidationError({"district": "Choose a district in your area, or the whole area."})
    previous = period.previous()
    rule = living_rule()
    district_id = district.pk if district else None
    raw = count_measures(ctx.area_id, period, district_id, rule)
    # Flow, stock and returners add up to the people seen: suppress them as one row.
    split = cells([(k, MEASURE_LABELS[k], raw[k]) for k in ("flow", "stock", "returners")], raw["people"])
    measures = [
        *cells([("people", MEASURE_LABELS["people"], raw["people"])]),
        *split,
        *cells([(k, MEASURE_LABELS[k], raw[k]) for k in ("living_on_streets", "new_seen_once")]),
    ]
    breakdowns = [
        *people_breakdowns(ctx.area_id, period, district_id, raw["people"]),
        needs_breakdown(ctx.area_id, period, district_id),
    ]
    if district is None:
        if districts is None:
            districts = districts_for(user)
        breakdowns.append(district_breakdown(ctx.area_id, period, districts))
    return Figures(period, previous, district, rule, measures, breakdowns)


def _rough_sleeping(area_id: int) -> QuerySet[StreetContact]:
    """Every rough-sleeping contact with an identified person in the area."""
    return StreetContact.objects.filter(area_id=area_id, rough_sleeping=True, person__isnull=False).order_by()


def _in(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}seen_on__gte": period.start, f"{prefix}seen_on__lte": period.end})


def _scope(area_id: int, period: Period, district_id: int | None) -> QuerySet[StreetContact]:
    """The period's rough-sleeping contacts in the place the figures are for."""
    contacts = _rough_sleeping(area_id).filter(_in(period))
    return contacts.filter(district_id=district_id) if district_id is not None else contacts


def _people_in_scope(area_id: int, period: Period, district_id: int | None) -> QuerySet[Person]:
    # Every person, hidden ones included: these are only ever counted.
    return Person.objects.filter(pk__in=_scope(area_id, period, district_id).values("person_id"))


def count_measures(area_id: int, period: Period, district_id: int | None, rule: LivingRule) -> dict[str, int]:
    """The headline counts, unsuppressed, in one aggregate query.

    The inner query groups the period's and the previous period's rough-sleeping
    contacts by person (a range scan of the partial index, never the whole
    history): whether they were seen in the place, in the previous period, on how
    many days and over what span. Only for people not seen in the previous period
    does it look further back, one index probe each, to tell returners from new
    people; the outer query counts the groups.
    """
    previous = period.previous()
    here = _in(period) & Q(district_id=district_id) if district_id is not None else _in(period)
    before = _rough_sleeping(area_id).filter(person_id=OuterRef("person_id"), seen_on__lt=previous.start)
    per_person = (
        _rough_sleeping(area_id)
        .filter(seen_on__gte=previous.start, seen_on__lte=period.end)
        .values("person_id")
        .annotate(
            # Counting person_id, not the primary key, lets an area's scan read only the index.
            here=Count("person_id", filter=here),
            in_previous=Count("person_id", filter=_in(previous)),
            days=Count("seen_on", distinct=True, filter=_in(period)),
            first_day=Min("seen_on", filter=_in(period)),
            last_day=Max("seen_on", filter=_in(period)),
        )
        .filter(here__gt=0)
        .annotate(
            span=ExpressionWrapper(F("last_day") - F("first_day"), output_field=DurationField()),
            # Seen rough sleeping at any time before the period; the probe runs only when the
            # previous period has not already said so.
            seen_before=Case(
                When(in_previous__gt=0, then=Value(True)),
                default=Exists(before.values("pk")),
                output_field=BooleanField(),
            ),
        )
    )
    new = Q(seen_before=False)
    return per_person.aggregate(
        people=Count("person_id"),
        flow=Count("person_id", filter=new),
        stock=Count("person_id", filter=Q(in_previous__gt=0)),
        returners=Count("person_id", filter=Q(in_previous=0, seen_before=True)),
        living_on_streets=Count(
            "person_id",
            filter=Q(days__gte=rule.min_days, span__gte=datetime.timedelta(days=rule.min_span_days)),
        ),
        new_seen_once=Count("person_id", filter=new & Q(days=1)),
    )


# --- breakdowns ------------------------------------------------------------------------

AGE_BANDS = (
    ("under_18", "Under 18", None, 17),
    ("18_25", "18 to 25", 18, 25),
    ("26_35", "26 to 35", 26, 35),
    ("36_45", "36 to 45", 36, 45),
    ("46_55", "46 to 55", 46, 55),
    ("56_65", "56 to 65", 56, 65),
    ("over_65", "Over 65", 66, None),
)
NOT_KNOWN = ("not_known", "Not known")


def _whole_years_to(on: datetime.date, date_field: str) -> Any:
    """Whole years from the date in `date_field` to `on`, in SQL: birthdays not yet reached count one less."""
    not_yet = Q(**{f"{date_field}__month__gt": on.month}) | Q(
        **{f"{date_field}__month": on.month, f"{date_field}__day__gt": on.day}
    )
    return Value(on.year) - ExtractYear(date_field) - Case(When(not_yet, then=Value(1)), default=Value(0))


def age_on(day: datetime.date) -> Any:
    """A person's age on `day`, in SQL; NULL when not known.

    From the date of birth when one is recorded (a partial date counts from its
    first day, as it is stored); else from an estimated age, plus the whole years
    since the estimate was made.
    """
    dated = Q(
        birth_date_precision__in=[BirthDatePrecision.EXACT, BirthDatePrecision.MONTH, BirthDatePrecision.YEAR],
        date_of_birth__isnull=False,
    )
    estimated = Q(birth_date_precision=BirthDatePrecision.ESTIMATED, estimated_age__isnull=False)
    return Case(
        When(dated, then=_whole_years_to(day, "date_of_birth")),
        When(
            estimated & Q(age_estimated_on__isnull=False, age_estimated_on__lte=day),
            then=F("estimated_age") + _whole_years_to(day, "age_estimated_on"),
        ),
        # An estimate made after the day (a record updated later): the estimate is the best there is.
        When(estimated, then=F("estimated_age")),
        default=None,
        output_field=IntegerField(),
    )


def _age_band() -> Case:
    whens = []
    for key, _, low, high in AGE_BANDS:
        condition = Q(age__gte=0)
        if low is not None:
            condition &= Q(age__gte=low)
        if high is not None:
            condition &= Q(age__lte=high)
        whens.append(When(condition, then=Value(key)))
    return Case(*whens, default=Value(NOT_KNOWN[0]), output_field=CharField())


GENDER_ROWS = (
    ("man", "Man"),
    ("woman", "Woman"),
    ("another", "Non-binary or another gender"),
    NOT_KNOWN,
)


def _gender() -> Case:
    """Gender however it was written, folded: Man, Male and M are men; trans men are men, trans women women."""
    spellings: dict[str, list[str]] = {"man": [], "woman": []}
    for spelling, gender in GENDERS.items():
        spellings[gender].append(spelling)
    return Case(
        When(gender_written__in=spellings["man"], then=Value("man")),
        When(gender_written__in=spellings["woman"], then=Value("woman")),
        When(gender_written__in=sorted(NOT_SAID), then=Value(NOT_KNOWN[0])),
        default=Value("another"),
        output_field=CharField(),
    )


def people_breakdowns(area_id: int, period: Period, district_id: int | None, total: int) -> list[Breakdown]:
    """People by age band, gender and nationality, from one grouped query.

    The database returns one row per combination of band, gender and
    nationality as written (a few hundred at most), never one per person.
    """
    grouped = (
        _people_in_scope(area_id, period, district_id)
        .annotate(age=age_on(period.end), gender_written=Lower(Trim("gender")))
        .annotate(band=_age_band(), folded=_gender(), written=Upper(Trim("nationality")))
        .values("band", "folded", "written")
        .annotate(n=Count("pk"))
        .values_list("band", "folded", "written", "n")
    )
    bands: dict[str, int] = {}
    genders: dict[str, int] = {}
    nationalities: dict[str, int] = {}
    for band, gender, written, n in grouped:
        bands[band] = bands.get(band, 0) + n
        genders[gender] = genders.get(gender, 0) + n
        nationalities[written] = nationalities.get(written, 0) + n
    age_rows = [(key, label, bands.get(key, 0)) for key, label, _, _ in AGE_BANDS]
    age_rows.append((*NOT_KNOWN, bands.get(NOT_KNOWN[0], 0)))
    return [
        Breakdown(
            "age",
            "Age",
            f"Age on {day_in_words(period.end)}, the last day of the period, "
            "from the date of birth or an estimated age.",
            cells(age_rows, total),
            additive=True,
        ),
        Breakdown(
            "gender",
            "Gender",
            "Gender as the person describes it.",
            cells([(key, label, genders.get(key, 0)) for key, label in GENDER_ROWS], total),
            additive=True,
        ),
        _nationality_breakdown(nationalities, total),
    ]


def _nationality_breakdown(nationalities: dict[str, int], total: int) -> Breakdown:
    """The commonest nationalities (each with at least THRESHOLD people), then everyone else, then not known.

    Spellings are compared ignoring case and spaces at the ends.
    """
    named = sorted(((w, n) for w, n in nationalities.items() if w), key=lambda item: (-item[1], item[0]))
    top = [(w, n) for w, n in named if n >= THRESHOLD][:NATIONALITIES_SHOWN]
    other = sum(n for _, n in named) - sum(n for _, n in top)
    rows = [(f"nationality:{w.lower()}", w.title(), n) for w, n in top]
    rows += [("other", "Other nationalities", other), (*NOT_KNOWN, nationalities.get("", 0))]
    return Breakdown(
        "nationality",
        "Nationality",
        f"Nationalities of {THRESHOLD} or more people have a row of their own (up to {NATIONALITIES_SHOWN}).",
        cells(rows, total),
        additive=True,
    )


def _has_need(code: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(needs__contains=[code])
    # SQLite: the stored JSON text holds the code in quotes; no code is inside another's quotes.
    return Q(needs__icontains=f'"{code}"')


def needs_breakdown(area_id: int, period: Period, district_id: int | None) -> Breakdown:
    """People with each support need observed on one of their rough-sleeping contacts in the period (one query)."""
    counts = _scope(area_id, period, district_id).aggregate(
        **{code: Count("person_id", distinct=True, filter=_has_need(code)) for code in ObservedNeed.values}
    )
    rows = [(code, str(label), counts[code]) for code, label in ObservedNeed.choices]
    return Breakdown(
        "needs",
        "Support needs observed",
        "Needs a worker saw or was told about on a rough-sleeping contact in the period. "
        "Someone can have several, so the rows add up to more than the people seen.",
        cells(rows),
        additive=False,
    )


def district_breakdown(area_id: int, period: Period, districts: Sequence[District]) -> Breakdown:
    """People seen rough sleeping in each district of the area (one query)."""
    counts: dict[int | None, int] = dict(
        _scope(area_id, period, None)
        .values("district_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("district_id", "n")
    )
    rows = [(f"district:{d.public_id}", d.name, counts.get(d.pk, 0)) for d in districts]
    rows.append(("no_district", "No district recorded", counts.get(None, 0)))
    return Breakdown(
        "district",
        "District",
        "Someone seen in more than one district is counted in each, "
        "so the rows can add up to more than the people seen.",
        cells(rows),
        additive=False,
    )


# --- definitions, shared by the page, the exports and docs -----------------------------


def definitions(rule: LivingRule) -> list[tuple[str, str]]:
    """The measures in plain words, in the order the page shows them."""
    return [
        (
            "People seen rough sleeping",
            "People an outreach team saw bedded down, or in a tent or vehicle, on at least one day in the period "
            "(in the district, when one is chosen). Days are UK days, midnight to midnight. Someone not yet "
            "identified cannot be counted as a person, so contacts with them are left out.",
        ),
        ("Flow", "People seen rough sleeping in the period who had never been seen rough sleeping before it."),
        ("Stock", "People seen rough sleeping in the period who were also seen in the previous period."),
        (
            "Returners",
            "People seen rough sleeping before the previous period, not during it, and again in this period. "
            "Flow, stock and returners add up to the people seen.",
        ),
        ("Living on the streets", f"People {rule.description}."),
        (
            "New people seen only once",
            "Flow people seen rough sleeping on only one day in the period: no second night out.",
        ),
        (
            "Previous period",
            "The period of the same length just before: the month, quarter or year before, or as many days.",
        ),
        (
            "A person's history",
            "Whether someone is new, stock or a returner, and how often they were seen, counts their rough "
            "sleeping anywhere in the area, not only in the district chosen.",
        ),
        (
            "Small numbers",
            f"Any count under {THRESHOLD}, none included, is shown as {SUPPRESSED}. Where a total would let a "
            f"hidden count be worked out, the next smallest count is hidden too.",
        ),
    ]


# --- exports ---------------------------------------------------------------------------


def export_rows(figures: Figures) -> list[list[Any]]:
    """The figures as rows for a spreadsheet: numbers where shown, "<5" where not."""

    def value(cell: Cell) -> Any:
        return SUPPRESSED if cell.suppressed else cell.count

    rows: list[list[Any]] = [
        ["Rough-sleeping figures"],
        ["Period", figures.period.label, figures.period.start.isoformat(), figures.period.end.isoformat()],
        [
            "Previous period",
            figures.previous.label,
            figures.previous.start.isoformat(),
            figures.previous.end.isoformat(),
        ],
        ["Place", figures.place],
        ["Generated", timezone.now().astimezone(LONDON).strftime("%Y-%m-%d %H:%M")],
        [],
        ["Section", "Row", "People"],
    ]
    rows += [["Measures", cell.label, value(cell)] for cell in figures.measures]
    for breakdown in figures.breakdowns:
        rows += [[breakdown.title, cell.label, value(cell)] for cell in breakdown.rows]
    rows.append([])
    rows += [["Definition", term, text] for term, text in definitions(figures.rule)]
    return rows


def _inert(cell: Any) -> Any:
    """Text a spreadsheet would run as a formula (a district named "=HYPERLINK(…)") kept as text."""
    if isinstance(cell, str) and cell and cell[0] in "=+-@\t\r":
        return "'" + cell
    return cell


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_inert(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Rough-sleeping figures"
    for row in rows:
        sheet.append([_inert(c) for c in row])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", _csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
}


def export_figures(user: Any, figures: Figures, fmt: str) -> tuple[str, str, bytes]:
    """The figures as a CSV or XLSX file: (filename, content type, bytes). The export is audited."""
    check_access(user)
    content_type, render = EXPORT_FORMATS[fmt]
    place = f"-{_slug(figures.district.name)}" if figures.district else ""
    filename = f"rough-sleeping-{figures.period.value.replace('..', '-to-')}{place}.{fmt}"
    content = render(export_rows(figures))
    record(
        AuditKind.EXPORT,
        f"Exported rough-sleeping figures for {figures.period.label}, {figures.place} ({fmt.upper()})",
        user=user,
        detail={
            "period": figures.period.value,
            "district": str(figures.district.public_id) if figures.district else "",
            "format": fmt,
        },
    )
    return filename, content_type, content


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "district"
