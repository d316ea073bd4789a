"""Alerts that someone is sleeping rough: receiving them, the outreach queue, and what came of them.

Alerts arrive three ways: a member of the public on the report page (or the
public JSON endpoint), a partner platform through the authenticated API, and a
file from another referral platform through `manage.py import_alerts`. All three
are validated here by the same rules; the same alert sent twice by a platform
(its `external_id`) is kept once. Outreach teams then work the queue: assign,
record the outcome (linking the street contact when they found the person) and,
when the reporter left an email address, tell them what happened in general
terms. Every change is checked, refused if stale, and audited here; pages, API
endpoints and the command call these functions and nothing else writes an alert.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
import smtplib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.timesince import timesince

from waymark.access import rules
from waymark.access.constants import WRITING_ROLES, ServiceKind
from waymark.access.models import Area, District, Membership, Service, User
from waymark.access.ratelimit import hit, parse_rate
from waymark.audit.models import AuditKind
from waymark.audit.services import record
from waymark.outreach import geo
from waymark.outreach.models import Alert, AlertOutcome, AlertSource, AlertStatus, StreetContact
from waymark.outreach.querysets import AlertQuerySet

LONDON = ZoneInfo("Europe/London")

DESCRIPTION_MAX = 2000
LOCATION_MAX = 300
NAME_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 40
EXTERNAL_ID_MAX = 100
# A phone's (or a partner server's) clock may run a little fast.
CLOCK_SKEW = datetime.timedelta(minutes=5)
# Dates before this are typing mistakes, not reports.
EARLIEST = datetime.date(2000, 1, 1)
# "Found and contacted" links a contact the team made this recently.
CONTACT_WINDOW = datetime.timedelta(days=3)
CONTACTS_TO_LINK_MAX = 50
PHONE = re.compile(r"^[0-9+()\-. ]+$")
# Defaults for the public limits; settings WAYMARK_ALERT_RATE and WAYMARK_ALERT_GLOBAL_RATE override them.
PUBLIC_RATE = "5/hour"
PUBLIC_GLOBAL_RATE = "300/hour"

TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0", ""}
IMPORT_COLUMNS = (
    "id",
    "received_at",
    "seen_at",
    "latitude",
    "longitude",
    "location",
    "description",
    "reporter_is_person",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
)


class StaleAlert(Exception):
    """Someone else changed the alert since it was read; nothing was saved."""

    message = "Someone else changed this alert since you opened it. Check it below and make your change again."

    def __str__(self) -> str:
        return self.message


class RateLimited(Exception):
    """Too many reports from one address (or from everyone) in the current window; nothing was saved."""

    def __init__(self, retry_after: int, everyone: bool = False) -> None:
        self.retry_after = max(1, retry_after)
        self.everyone = everyone
        super().__init__(self.message)

    @property
    def message(self) -> str:
        minutes = max(1, round(self.retry_after / 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        if self.everyone:
            return (
                f"We are receiving a very large number of reports just now. Try again in {wait}. "
                "If someone is in danger, call 999."
            )
        return f"You have sent several reports in a short time. Try again in {wait}. If someone is in danger, call 999."


@dataclass
class AlertDetails:
    """What a reporter or platform tells us about one alert; validated by the functions below."""

    description: str = ""
    seen_at: datetime.datetime | None = None
    latitude: Any = None
    longitude: Any = None
    location: str = ""
    reporter_is_person: bool = False
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    external_id: str = ""
    # Only an import gives this: when the other platform received it. Otherwise now.
    received_at: datetime.datetime | None = None


@dataclass
class ImportResult:
    """What an import did: counts, and each rejected row's place in the file and reason."""

    created: int = 0
    skipped: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)


# --- reading values ---------------------------------------------------------------------------


def reference(alert: Alert) -> str:
    """The short reference a reporter is given: the public id's first 8 characters, upper-case."""
    return alert.public_id.hex[:8].upper()


def response_words(alert: Alert) -> str:
    """The time to respond (received to outcome) in words, e.g. "3 hours, 20 minutes"; "" if still open."""
    if alert.outcome_at is None:
        return ""
    return timesince(alert.received_at, alert.outcome_at)


def _text(value: Any, name: str, limit: int, errors: dict[str, str], label: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    # PostgreSQL cannot store NUL in text; it is never meant.
    text = value.replace("\x00", "").strip()
    if len(text) > limit:
        errors[name] = f"Keep {label} to {limit} characters (it has {len(text)})."
    return text


def _decimal(value: Any, name: str, errors: dict[str, str]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors[name] = f"Give the {name} as a number, e.g. 53.480759."
        return None
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
        return number.quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors[name] = f"Give the {name} as a number, e.g. 53.480759."
        return None


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(moment, LONDON) if timezone.is_naive(moment) else moment


def parse_moment(value: Any) -> datetime.datetime | None:
    """A date and time from a file or request: ISO 8601 (a time without a zone is London time),
    or 31/12/2025 23:30. None for empty; ValueError for anything else."""
    if value is None or isinstance(value, datetime.datetime):
        return _aware(value) if value is not None else None
    text = str(value).strip()
    if not text:
        return None
    try:
        return _aware(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"):
        try:
            return _aware(datetime.datetime.strptime(text, pattern))
        except ValueError:
            continue
    raise ValueError(text)


def parse_yes_no(value: Any) -> bool:
    """true/false, yes/no, 1/0 (empty is no); ValueError for anything else."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(text)


def _check_moment(
    moment: datetime.datetime | None, name: str, what: str, errors: dict[str, str], now: datetime.datetime
) -> datetime.datetime | None:
    if moment is None:
        return None
    moment = _aware(moment)
    if moment > now + CLOCK_SKEW:
        errors[name] = f"{what} must be now or in the past."
    elif moment.astimezone(LONDON).date() < EARLIEST:
        errors[name] = f"{what} must be in {EARLIEST.year} or later."
    return moment


def _validate(details: AlertDetails, *, seen_required: bool, now: datetime.datetime) -> dict[str, Any]:
    """The fields to store, or ValidationError naming each thing to fix (all of them at once)."""
    errors: dict[str, str] = {}
    description = _text(details.description, "description", DESCRIPTION_MAX, errors, "the description")
    if not description and "description" not in errors:
        errors["description"] = "Describe the person: what they look like, and anything else that will help find them."
    location = _text(details.location, "location", LOCATION_MAX, errors, "the place")
    received_at = _check_moment(details.received_at, "received_at", "When it was received", errors, now) or now
    seen_at = _check_moment(details.seen_at, "seen_at", "When you saw them", errors, now)
    if seen_at is None and seen_required and "seen_at" not in errors:
        errors["seen_at"] = "Give the date and time you saw them."
    elif seen_at is not None and "seen_at" not in errors and seen_at > received_at + CLOCK_SKEW:
        errors["seen_at"] = "When they were seen must be before the alert was received."
    latitude = _decimal(details.latitude, "latitude", errors)
    longitude = _decimal(details.longitude, "longitude", errors)
    if (latitude is None) != (longitude is None) and not errors.keys() & {"latitude", "longitude"}:
        errors["latitude" if latitude is None else "longitude"] = "Give both latitude and longitude, or neither."
    elif latitude is not None and longitude is not None and not geo.valid_point(latitude, longitude):
        errors["latitude"] = "That point is not on the map: latitude −90 to 90, longitude −180 to 180."
    if not location and details.latitude in (None, "") and details.longitude in (None, "") and "location" not in errors:
        errors["location"] = "Give the address or describe the place, or give a map position."
    name = _text(details.reporter_name, "reporter_name", NAME_MAX, errors, "your name")
    email = _text(details.reporter_email, "reporter_email", EMAIL_MAX, errors, "the email address")
    if email and "reporter_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["reporter_email"] = "Give an email address in the right form, like name@example.com."
    phone = _text(details.reporter_phone, "reporter_phone", PHONE_MAX, errors, "the phone number")
    if phone and "reporter_phone" not in errors and (not PHONE.match(phone) or sum(c.isdigit() for c in phone) < 6):
        errors["reporter_phone"] = "Give a phone number using digits, like 07700 900123."
    external_id = _text(details.external_id, "external_id", EXTERNAL_ID_MAX, errors, "the id")
    if not isinstance(details.reporter_is_person, bool):
        errors["reporter_is_person"] = "Say whether the reporter is the person sleeping rough (true or false)."
    if errors:
        raise ValidationError(errors)
    return {
        "description": description,
        "location": location,
        "received_at": received_at,
        "seen_at": seen_at,
        "latitude": latitude,
        "longitude": longitude,
        "reporter_is_person": details.reporter_is_person,
        "reporter_name": name,
        "reporter_email": email,
        "reporter_phone": phone,
        "external_id": external_id,
    }


def report_problems(details: AlertDetails) -> dict[str, list[str]]:
    """What is wrong with a public report, by field, without saving it (empty if nothing):
    lets a page show every problem at once, not its own first and these after."""
    try:
        _validate(details, seen_required=details.seen_at is not None, now=timezone.now())
    except ValidationError as exc:
        return exc.message_dict
    return {}


# --- receiving alerts -------------------------------------------------------------------------


def public_areas() -> QuerySet[Area]:
    """Areas a member of the public may report to: the one named by WAYMARK_ALERT_AREA, else every area."""
    name = getattr(settings, "WAYMARK_ALERT_AREA", "")
    areas = Area.objects.order_by("name")
    return areas.filter(name=name) if name else areas


def area_for_report(area_id: Any = None) -> Area:
    """The area a public report goes to: the only one, or the one chosen (by public id) when there are several."""
    areas = list(public_areas()[:2])
    if not areas:
        raise ValidationError({"area": "Reports cannot be taken here yet: no area is set up."})
    if len(areas) == 1 and not area_id:
        return areas[0]
    if not area_id:
        raise ValidationError({"area": "Choose the area the person is in."})
    try:
        chosen = public_areas().filter(public_id=UUID(str(area_id))).first()
    except ValueError:
        chosen = None
    if chosen is None:
        raise ValidationError({"area": "Choose the area from the list."})
    return chosen


def _rate(setting: str, default: str) -> tuple[int, int]:
    return parse_rate(getattr(settings, setting, "") or default)


def _count_report(ip_address: str | None) -> None:
    """Count one public report against the address's limit and everyone's; RateLimited if over either."""
    limit, period = _rate("WAYMARK_ALERT_RATE", PUBLIC_RATE)
    if hit("alert-report", ip_address, limit, period):
        raise RateLimited(int(period - time.time() % period))
    limit, period = _rate("WAYMARK_ALERT_GLOBAL_RATE", PUBLIC_GLOBAL_RATE)
    if hit("alert-report-all", "everyone", limit, period):
        raise RateLimited(int(period - time.time() % period), everyone=True)


def _create(area: Area, source: str, fields: dict[str, Any], *, user: Any = None) -> tuple[Alert, bool]:
    """Save a validated alert, or return the one already kept under the same external id."""
    external_id = fields["external_id"]
    if external_id:
        earlier = Alert.objects.filter(area=area, source=source, external_id=external_id).first()
        if earlier is not None:
            return earlier, False
    district = None
    if fields["latitude"] is not None and fields["longitude"] is not None:
        district = geo.district_for(area.pk, fields["latitude"], fields["longitude"])
    try:
        with transaction.atomic():
            alert = Alert.objects.create(area=area, source=source, district=district, **fields)
    except IntegrityError:
        # The same external id sent twice at once: the other request saved it.
        earlier = Alert.objects.filter(area=area, source=source, external_id=external_id).first()
        if not external_id or earlier is None:
            raise
        return earlier, False
    who = {"public": "the public", "partner": "a partner platform"}.get(str(source), "an import")
    record(
        AuditKind.CREATE,
        f"Received an alert from {who}",
        obj=alert,
        user=user,
        detail={
            "source": source,
            "external_id": external_id,
            "district": district.name if district else "",
            "reporter_gave_details": bool(alert.reporter_email or alert.reporter_phone),
        },
    )
    return alert, True


def report_alert(details: AlertDetails, *, area: Area, ip_address: str | None, honeypot: str = "") -> Alert | None:
    """A member of the public's report (the report page and the public API); returns the alert.

    The honeypot is a field people never see: anything in it means a robot, and
    nothing is saved (None), though the robot is answered as if it were. Reports
    are limited per address and overall (the settings WAYMARK_ALERT_RATE, default
    5 an hour, and WAYMARK_ALERT_GLOBAL_RATE, 300 an hour); over a limit is
    RateLimited, checked after the report is valid so a person correcting a
    mistake is not counted twice. Consent is the caller's to check: the page and
    API refuse a report without it.
    """
    if honeypot:
        # Counted too, so a robot that fills every field still meets the limit.
        hit("alert-report", ip_address, *_rate("WAYMARK_ALERT_RATE", PUBLIC_RATE))
        return None
    details.external_id = ""
    details.received_at = None
    with transaction.atomic():
        fields = _validate(details, seen_required=True, now=timezone.now())
        _count_report(ip_address)
        alert, _ = _create(area, AlertSource.PUBLIC, fields)
    return alert


def can_send_partner_alerts(user: Any) -> bool:
    """Area admins, coordinators, and workers and managers of outreach services may send alerts from a platform."""
    ctx = rules.context_for(user)
    if not ctx.is_authenticated or ctx.area_id is None:
        return False
    if ctx.is_area_admin or ctx.is_coordinator:
        return True
    return bool(ctx.outreach_service_ids & ctx.writing_service_ids)


@transaction.atomic
def receive_partner_alert(user: Any, details: AlertDetails) -> tuple[Alert, bool]:
    """An alert from a partner platform, for the caller's area; returns (alert, created).

    The platform's `external_id` is required: the same id sent again (a retry,
    an update) returns the alert already kept, with created=False. Reporter
    details come only where the reporter agreed, on the platform, to be contacted
    about the outcome.
    """
    if not can_send_partner_alerts(user):
        raise PermissionDenied("Only area admins, coordinators and outreach teams can send alerts.")
    if not str(details.external_id or "").strip():
        raise ValidationError({"external_id": "Give your platform's id for this alert, so a resend is kept once."})
    fields = _validate(details, seen_required=False, now=timezone.now())
    area = Area.objects.get(pk=rules.context_for(user).area_id or 0)
    return _create(area, AlertSource.PARTNER, fields, user=user)


def import_alert(area: Area, source: str, details: AlertDetails) -> tuple[Alert, bool]:
    """One alert from another referral platform's file; returns (alert, created). ValidationError if bad."""
    if source not in (AlertSource.IMPORT, AlertSource.PARTNER):
        raise ValueError(f"An import's source is import or partner, not {source!r}")
    if not str(details.external_id or "").strip():
        raise ValidationError({"id": "Give the other platform's id for the alert, so importing again skips it."})
    with transaction.atomic():
        fields = _validate(details, seen_required=False, now=timezone.now())
        return _create(area, source, fields)


def _details_from_row(row: dict[str, Any]) -> AlertDetails:
    """An import row's values as AlertDetails; ValidationError naming what cannot be read."""
    errors: dict[str, str] = {}
    moments: dict[str, datetime.datetime | None] = {}
    for name in ("received_at", "seen_at"):
        try:
            moments[name] = parse_moment(row.get(name))
        except (ValueError, TypeError, OverflowError):
            errors[name] = f"{name} is not a date and time we can read: give it as 2025-06-01T22:30:00+01:00."
    try:
        is_person = parse_yes_no(row.get("reporter_is_person"))
    except ValueError:
        errors["reporter_is_person"] = "reporter_is_person must be true or false."
        is_person = False
    if errors:
        raise ValidationError(errors)
    identifier = row.get("id")
    return AlertDetails(
        external_id="" if identifier is None else str(identifier),
        received_at=moments["received_at"],
        seen_at=moments["seen_at"],
        latitude=row.get("latitude"),
        longitude=row.get("longitude"),
        location=row.get("location") or "",
        description=row.get("description") or "",
        reporter_is_person=is_person,
        reporter_name=row.get("reporter_name") or "",
        reporter_email=row.get("reporter_email") or "",
        reporter_phone=row.get("reporter_phone") or "",
    )


def read_alert_file(path: str | Path) -> Iterator[tuple[str, Any]]:
    """The rows of a CSV or JSON file of alerts, each with where it is ("line 4", "item 2").

    JSON (a name ending .json, or a file starting with "[") is a list of objects;
    anything else is read as CSV with a header row. ValidationError for a file that
    cannot be read at all (missing, not UTF-8, not a list, no id column).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ValidationError(f"There is no file at {path}.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path} could not be read as UTF-8 text: {exc}") from exc
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}.") from exc
        if not isinstance(items, list):
            raise ValidationError(f"{path} must hold a JSON list of alerts, [{{...}}, ...].")
        for number, item in enumerate(items, start=1):
            yield f"item {number}", item
        return
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = [str(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in ("id", "description") if name not in header]
    if missing:
        raise ValidationError(
            f"{path} has no {' or '.join(missing)} column. The columns are: {', '.join(IMPORT_COLUMNS)}."
        )
    reader.fieldnames = header
    for row in reader:
        yield f"line {reader.line_num}", row


def import_alerts(rows: Iterable[tuple[str, Any]], *, area: Area, source: str = AlertSource.IMPORT) -> ImportResult:
    """Import rows (from `read_alert_file`) into an area: each valid new alert is kept, one already
    imported (the same id from the same source in the area) is skipped, and a bad row is rejected
    with its reason. One bad row never stops the rest."""
    result = ImportResult()
    for where, row in rows:
        if not isinstance(row, dict):
            result.rejected.append((where, "Each alert must be an object with the columns as keys."))
            continue
        if None in row:
            result.rejected.append((where, "This row has more values than the header has columns."))
            continue
        try:
            _, created = import_alert(area, source, _details_from_row(row))
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
            reason = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in messages.items())
            result.rejected.append((where, reason))
        except DatabaseError as exc:
            result.rejected.append((where, f"It could not be stored: {exc}"))
        else:
            if created:
                result.created += 1
            else:
                result.skipped += 1
    return result


# --- the queue --------------------------------------------------------------------------------


def _outreach_teams(ctx: rules.AccessContext, *, writing: bool) -> set[int]:
    ids = ctx.writing_service_ids if writing else ctx.service_ids
    return set(ctx.outreach_service_ids & ids)


def can_use_queue(user: Any) -> bool:
    """Whether the user may open the alert queue: area admins, coordinators and members of outreach services."""
    ctx = rules.context_for(user)
    if not ctx.is_authenticated or ctx.area_id is None:
        return False
    return ctx.is_area_admin or ctx.is_coordinator or bool(_outreach_teams(ctx, writing=False))


def alerts_for(user: Any) -> AlertQuerySet:
    """Every alert the user may see, oldest first, with what lists show."""
    return (
        Alert.objects.visible_to(user)
        .select_related("district", "assigned_service", "assigned_to", "outcome_by")
        .order_by("received_at", "id")
    )


OPEN = "open"
STATUS_FILTERS = {OPEN: "Open (new or assigned)", **dict(AlertStatus.choices), "all": "All"}
NO_DISTRICT = "none"


def alert_queue(user: Any, service: Service | None, *, status: str = OPEN, district: Any = None) -> AlertQuerySet:
    """The queue the user works: oldest first.

    A member of an outreach service acting for it sees its district's alerts, those
    with no district yet and those assigned to it; an area admin or coordinator
    (or someone acting for a service that is not an outreach team) sees every
    alert they may. `status` is open (new or assigned, the default), new,
    assigned, closed or all; `district` a District, or NO_DISTRICT for those with none.
    """
    alerts = alerts_for(user)
    ctx = rules.context_for(user)
    coordinating = ctx.is_area_admin or ctx.is_coordinator
    if (
        service is not None
        and service.kind == ServiceKind.OUTREACH
        and service.pk in ctx.service_ids
        and not coordinating
    ):
        alerts = alerts.for_team(service)
    if status == OPEN:
        alerts = alerts.exclude(status=AlertStatus.CLOSED)
    elif status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    if district == NO_DISTRICT:
        alerts = alerts.filter(district__isnull=True)
    elif district is not None:
        alerts = alerts.filter(district=district)
    return alerts.order_by("received_at", "id")


def queue_districts(user: Any) -> QuerySet[District]:
    """The districts of the user's area, for the queue's filter."""
    ctx = rules.context_for(user)
    return District.objects.filter(area_id=ctx.area_id or 0).order_by("name")


def open_alert(user: Any, public_id: Any) -> Alert:
    """One alert the user may see, by public id; Http404 otherwise (the same for one that does not exist)."""
    try:
        key = UUID(str(public_id))
    except ValueError as exc:
        raise Http404("No such alert") from exc
    alert = alerts_for(user).select_related("contact", "area").filter(public_id=key).first()
    if alert is None:
        raise Http404("No such alert")
    return alert


def linked_contact(user: Any, alert: Alert) -> StreetContact | None:
    """The street contact an outcome links, when the user may see it (else None: it follows its person)."""
    if alert.contact_id is None:
        return None
    return (
        StreetContact.objects.visible_to(user)
        .select_related("person", "service", "district")
        .filter(pk=alert.contact_id)
        .first()
    )


# --- who may act ------------------------------------------------------------------------------


def assignable_services(user: Any) -> QuerySet[Service]:
    """Outreach services the user may give an alert to: any in the area for area admins and
    coordinators, else those where they are a worker or manager."""
    ctx = rules.context_for(user)
    services = Service.objects.filter(
        organisation__area_id=ctx.area_id or 0, kind=ServiceKind.OUTREACH, is_active=True
    ).order_by("name")
    if ctx.is_area_admin or ctx.is_coordinator:
        return services
    return services.filter(pk__in=sorted(ctx.writing_service_ids))


def team_workers(service: Service | None) -> QuerySet[User]:
    """The workers and managers of a service, who an alert may be assigned to (none without a service)."""
    if service is None:
        return User.objects.none()
    members = Membership.objects.active().filter(service=service, role__in=sorted(WRITING_ROLES))
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def acting_team(user: Any, alert: Alert, service: Service | None) -> Service | None:
    """The team a change to this alert is made for; PermissionDenied if the user may not change it.

    The team it is assigned to acts on it; an alert nobody has taken yet may be
    taken by any outreach team that sees it (the one the user acts for). Area
    admins and coordinators may act on any alert in the area, for its team.
    """
    ctx = rules.context_for(user)
    if not ctx.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if not Alert.objects.visible_to(user).filter(pk=alert.pk).exists():
        raise Http404("No such alert")
    if alert.assigned_service_id is not None and alert.assigned_service_id in ctx.writing_service_ids:
        return alert.assigned_service
    if (
        alert.assigned_service_id is None
        and service is not None
        and service.kind == ServiceKind.OUTREACH
        and service.pk in ctx.writing_service_ids
    ):
        return service
    if ctx.is_area_admin or ctx.is_coordinator:
        return alert.assigned_service
    if alert.assigned_service_id is not None:
        raise PermissionDenied(f"This alert is assigned to {alert.assigned_service}; only that team can change it.")
    raise PermissionDenied("Only a worker or manager of an outreach team can act on alerts.")


def may_act(user: Any, alert: Alert, service: Service | None) -> bool:
    """Whether `acting_team` would let the user change this alert."""
    try:
        acting_team(user, alert, service)
    except (PermissionDenied, Http404):
        return False
    return True


def _bump(alert: Alert, version: int | None, **changes: Any) -> Alert:
    """Save `changes` only if the alert is still at `version`; else StaleAlert."""
    expected = alert.version if version is None else version
    updated = Alert.objects.filter(pk=alert.pk, version=expected).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise StaleAlert()
    alert.refresh_from_db()
    return alert


# --- assigning, outcomes, telling the reporter ------------------------------------------------


@transaction.atomic
def assign_alert(
    user: Any,
    alert: Alert,
    *,
    service: Service | None,
    assignee: User | None = None,
    version: int | None = None,
) -> Alert:
    """Give an open alert to an outreach team and, optionally, one of its workers.

    A worker or manager of an outreach team takes an alert for their own team
    (one nobody has, or one their team already has). Area admins and
    coordinators may give it to any outreach team in the area. Refused
    (StaleAlert) if the alert changed since `version`.
    """
    ctx = rules.context_for(user)
    if not Alert.objects.visible_to(user).filter(pk=alert.pk).exists():
        raise Http404("No such alert")
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError({"assignee": "This alert is closed: its outcome is recorded."})
    if service is None:
        raise ValidationError({"service": "Choose the outreach team to give this alert to."})
    if not assignable_services(user).filter(pk=service.pk).exists():
        raise PermissionDenied("Only a worker or manager of an outreach team can take alerts for it.")
    coordinating = ctx.is_area_admin or ctx.is_coordinator
    if not coordinating and alert.assigned_service_id not in (None, service.pk):
        raise PermissionDenied(
            f"This alert is assigned to {alert.assigned_service}; ask them or a coordinator to pass it on."
        )
    if assignee is not None and not team_workers(service).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": f"Choose a worker of {service.name}."})
    before = (alert.assigned_service_id, alert.assigned_to_id)
    alert = _bump(
        alert,
        version,
        status=AlertStatus.ASSIGNED,
        assigned_service=service,
        assigned_to=assignee,
        assigned_at=timezone.now(),
    )
    to = f"{service.name}" + (f" ({assignee.display_name})" if assignee is not None else "")
    record(
        AuditKind.CHANGE,
        f"Assigned an alert to {to}",
        obj=alert,
        user=user,
        detail={
            "service": str(service.public_id),
            "assignee": str(assignee.public_id) if assignee else "",
            "reassigned": before[0] is not None,
        },
    )
    return alert


def _linkable_contacts(user: Any, service: Service | None) -> QuerySet[StreetContact]:
    if service is None:
        return StreetContact.objects.none()
    since = timezone.now() - CONTACT_WINDOW
    return StreetContact.objects.visible_to(user).filter(service=service, seen_at__gte=since)


def contacts_to_link(user: Any, service: Service | None) -> QuerySet[StreetContact]:
    """The team's street contacts of the last three days the user may see, newest first (at most 50):
    what a "found and contacted" outcome may link."""
    return (
        _linkable_contacts(user, service)
        .select_related("person", "district")
        .order_by("-seen_at", "-id")[:CONTACTS_TO_LINK_MAX]
    )


@transaction.atomic
def record_outcome(
    user: Any,
    alert: Alert,
    *,
    outcome: str,
    contact: StreetContact | None = None,
    service: Service | None = None,
    version: int | None = None,
) -> Alert:
    """Close an alert with what came of it; the time to respond is kept (outcome_at - received_at).

    "Found and contacted" may link one of the team's street contacts of the last
    three days (or none, if it was not recorded yet); other outcomes link none.
    An alert nobody had taken is taken by the user's team at the same time.
    An outcome is recorded once; refused (StaleAlert) if the alert changed since `version`.
    """
    team = acting_team(user, alert, service)
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError({"outcome": f"An outcome is already recorded: {alert.get_outcome_display()}."})
    if outcome not in AlertOutcome.values:
        raise ValidationError({"outcome": "Choose what came of the alert."})
    if contact is not None:
        if outcome != AlertOutcome.FOUND:
            raise ValidationError({"contact": "Link a street contact only when they were found and contacted."})
        if not _linkable_contacts(user, team).filter(pk=contact.pk).exists():
            raise ValidationError({"contact": "Choose one of your team's street contacts of the last three days."})
    now = timezone.now()
    changes: dict[str, Any] = {
        "status": AlertStatus.CLOSED,
        "outcome": outcome,
        "outcome_at": now,
        "outcome_by": user,
        "contact": contact,
    }
    if alert.assigned_service_id is None and team is not None:
        changes.update(assigned_service=team, assigned_to=user, assigned_at=now)
    alert = _bump(alert, version, **changes)
    record(
        AuditKind.CHANGE,
        f"Recorded an alert's outcome: {alert.get_outcome_display()}",
        obj=alert,
        user=user,
        service=team,
        person=contact.person if contact is not None else None,
        detail={
            "outcome": outcome,
            "contact": str(contact.public_id) if contact else "",
            "response_seconds": int((now - alert.received_at).total_seconds()),
        },
    )
    return alert


OUTCOME_MESSAGES = {
    AlertOutcome.FOUND: (
        "An outreach team went out and found the person you told us about, and spoke with them "
        "about the help that is available."
    ),
    AlertOutcome.NOT_FOUND: (
        "An outreach team went to look but could not find anyone at the place you described. "
        "People sleeping rough often move on. If you see them again, please tell us again."
    ),
    AlertOutcome.ALREADY_KNOWN: (
        "An outreach team looked into your report. The person is already known to local services, "
        "who are working to help them."
    ),
    AlertOutcome.OUTSIDE_AREA: (
        "The place you described is outside the area our outreach teams cover, so we could not act on it. "
        "Please report it to the local council for that place."
    ),
    AlertOutcome.NOT_ROUGH_SLEEPING: (
        "An outreach team looked into your report and found that the person was not sleeping rough."
    ),
}


def can_tell_reporter(alert: Alert) -> bool:
    """The reporter left an email address (and with it agreed to be told), the outcome is in, and
    they have not been told yet."""
    return bool(alert.reporter_email) and alert.status == AlertStatus.CLOSED and alert.reporter_told_at is None


def reporter_message(alert: Alert) -> tuple[str, str]:
    """The email telling a reporter the outcome: (subject, body). General terms only: nothing
    about the person found beyond the outcome, no names, no places, no services."""
    when = timezone.localtime(alert.received_at, LONDON)
    greeting = f"Dear {alert.reporter_name}," if alert.reporter_name else "Hello,"
    outcome = OUTCOME_MESSAGES.get(AlertOutcome(alert.outcome), "") if alert.outcome else ""
    body = "\n\n".join(
        [
            greeting,
            f"Thank you for telling us on {when.day} {when:%B %Y} about someone sleeping rough "
            f"(your reference {reference(alert)}).",
            outcome,
            "We do not share anything more about the people our teams meet, to keep their information private.",
            "If you think someone is in danger, call 999.",
            "The outreach service",
        ]
    )
    return f"Your report about someone sleeping rough ({reference(alert)})", body


@transaction.atomic
def tell_reporter(user: Any, alert: Alert, *, service: Service | None = None, version: int | None = None) -> Alert:
    """Email the reporter the outcome in general terms (see `reporter_message`) and keep when.

    Only once, only after the outcome is recorded, and only when they left an
    email address. If the email cannot be sent nothing is recorded, so it can be
    tried again. Refused (StaleAlert) if the alert changed since `version`.
    """
    team = acting_team(user, alert, service)
    if not alert.reporter_email:
        raise ValidationError({"reporter": "The reporter did not leave an email address."})
    if alert.status != AlertStatus.CLOSED:
        raise ValidationError({"reporter": "Record the outcome first, then tell the reporter."})
    if alert.reporter_told_at is not None:
        told = timezone.localtime(alert.reporter_told_at, LONDON)
        raise ValidationError({"reporter": f"The reporter was already told, on {told.day} {told:%B %Y at %H:%M}."})
    alert = _bump(alert, version, reporter_told_at=timezone.now())
    subject, body = reporter_message(alert)
    try:
        send_mail(subject, body, None, [alert.reporter_email], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        # Raising rolls back reporter_told_at, so it can be tried again.
        raise ValidationError({"reporter": "The email could not be sent just now. Try again later."}) from exc
    record(
        AuditKind.CHANGE,
        "Told the reporter of an alert its outcome",
        obj=alert,
        user=user,
        service=team,
        detail={"outcome": alert.outcome},
    )
    return alert
