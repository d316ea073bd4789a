"""Record-protection pages: break-glass, restriction changes, who looked, service notices.

Thin views over `access.services_record`, which checks permission again,
validates and audits. A person is always looked up through
`Person.objects.visible_to(user)`, so one the user may not know of is a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from waymark.access import rules, services_record
from waymark.access.constants import Restriction
from waymark.access.forms_record import RESTRICTION_EFFECTS, BreakGlassForm, RestrictionForm, WhoLookedFilterForm
from waymark.access.models import BreakGlassScope
from waymark.access.services import services_visible_to
from waymark.core.pagination import CappedPaginator
from waymark.people.models import Person

PAGE_SIZE = 50
FILTER_NAMES = ("date_from", "date_to", "service")
SHOW = {"glass": "Break-glass reads", "flagged": "Reads by services not working with the person"}


def _show_errors(form: Any, exc: ValidationError) -> None:
    """A service's ValidationError next to its field when the form has one, else at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _person_url(person: Any) -> str:
    return reverse("people:detail", args=[person.public_id])


def _notes_url(person: Any) -> str:
    """The person's notes page when casework has one, else their front page."""
    try:
        return reverse("casework:notes", args=[person.public_id])
    except NoReverseMatch:
        return _person_url(person)


# --- break-glass -------------------------------------------------------------------------------


@login_required
def break_glass(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Ask to read a protected identity or withheld notes, with a reason; granted at once, for 4 hours."""
    acting = getattr(request, "current_service", None)
    if not services_record.can_break_glass(request.user, acting):
        raise PermissionDenied(
            "Only a worker or manager acting for their service can break the glass. "
            "Viewers, analysts and area-wide roles cannot."
        )
    person = services_record.glass_person(request.user, public_id)
    asked = request.POST.get("scope") or request.GET.get("scope") or ""
    scope = asked if asked in BreakGlassScope.values else ""
    form = BreakGlassForm(request.POST if request.method == "POST" else None, initial={"scope": scope})
    blocker = services_record.break_glass_blocker(request.user, person, scope, acting) if scope else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            glass = services_record.break_glass(
                request.user, person, data["scope"], data["reason"], data["explanation"], service=acting
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            until = timezone.localtime(glass.expires_at).strftime("%H:%M")
            messages.success(
                request,
                f"You can see {glass.get_scope_display().lower()} of {person.reference} until {until}. "
                "Every read is recorded.",
            )
            return redirect(_notes_url(person) if glass.scope == BreakGlassScope.NOTES else _person_url(person))
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "record/break_glass.html",
        {
            "person": person,
            "form": form,
            "scope": scope,
            "blocker": blocker if request.method == "GET" else None,
            "back": _person_url(person),
            "hours": services_record.GLASS_HOURS,
        },
        status=status,
    )


# --- restriction ---------------------------------------------------------------------------------


def _person(request: HttpRequest, public_id: UUID) -> Person:
    person = (
        Person.objects.visible_to(request.user)
        .select_related("registered_by_service")
        .filter(public_id=public_id)
        .first()
    )
    if person is None:
        raise Http404("No such person")
    return person


@login_required
def restriction(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Change a person's restriction: choose, then confirm on a page that says what will happen."""
    person = _person(request, public_id)
    acting = getattr(request, "current_service", None)
    permission = services_record.restriction_permission(request.user, person, acting)
    if not permission.allowed:
        raise PermissionDenied(permission.message)
    form = RestrictionForm(
        request.POST if request.method == "POST" else None,
        initial={"version": person.version},
        reason_required=permission.reason_required,
        current=person.restriction,
    )
    context: dict[str, Any] = {
        "person": person,
        "form": form,
        "permission": permission,
        "effects": [(value, label, RESTRICTION_EFFECTS[Restriction(value)]) for value, label in Restriction.choices],
        "current_effect": RESTRICTION_EFFECTS[Restriction(person.restriction)],
        "back": _person_url(person),
    }
    if request.method == "POST" and form.is_valid() and "change" not in request.POST:
        data = form.cleaned_data
        if request.POST.get("confirmed") == "yes":
            try:
                change = services_record.change_restriction(
                    request.user, person, data["restriction"], data["reason"], data["version"], service=acting
                )
            except services_record.StaleVersion as exc:
                form.add_error(None, exc.message)
                form.data = form.data.copy()
                form.data["version"] = str(Person.objects.get(pk=person.pk).version)
                context["current_effect"] = RESTRICTION_EFFECTS[Restriction(person.restriction)]
                return render(request, "record/restriction.html", context, status=409)
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                text = f"The record {change.person.reference} is now {Restriction(change.new).label.lower()}."
                if change.notified:
                    text += " Told: " + ", ".join(service.name for service in change.notified) + "."
                messages.success(request, text)
                return redirect(_person_url(person))
        else:
            new = data["restriction"]
            return render(
                request,
                "record/restriction_confirm.html",
                {
                    **context,
                    "new": Restriction(new),
                    "new_effect": RESTRICTION_EFFECTS[Restriction(new)],
                    "notified": services_record.services_to_notify(person, person.restriction, new),
                    "notice": services_record.notice_message(person.reference, new),
                },
            )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "record/restriction.html", context, status=status)


# --- who looked ------------------------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> WhoLookedFilterForm:
    data = {name: request.GET[name][:200] for name in FILTER_NAMES if request.GET.get(name)}
    return WhoLookedFilterForm(data or None, services=services_visible_to(request.user).order_by("name", "pk"))


def _querystring(request: HttpRequest, **override: str) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in override.items():
        query[name] = value
    return query.urlencode()


@login_required
def who_looked(request: HttpRequest) -> HttpResponse:
    """Break-glass reads and flagged reads of the records the user's services own (area admins: the area)."""
    if not services_record.can_see_who_looked(request.user):
        raise PermissionDenied("Only service managers and area admins can see who looked at records.")
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "glass"
    form = _filter_form(request)
    context: dict[str, Any] = {
        "form": form,
        "show": show,
        "show_label": SHOW[show],
        "tabs": [(name, label, "?" + _querystring(request, show=name)) for name, label in SHOW.items()],
        "page": None,
    }
    if form.is_bound and not form.is_valid():
        return render(request, "record/who_looked.html", context, status=400)
    filters = form.filters() if form.is_bound else services_record.GlassFilters()
    if show == "glass":
        rows: Any = services_record.glass_reads_for(request.user, filters)
    else:
        rows = services_record.flagged_reads_for(request.user, filters)
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = _querystring(request)
    context.update(
        page=page,
        filtered=bool(filters.as_detail()),
        querystring=querystring,
        extra_query=f"{querystring}&" if querystring else "",
        is_area_admin=rules.context_for(request.user).is_area_admin,
    )
    return render(request, "record/who_looked.html", context)


@login_required
def who_looked_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV, streamed; the export itself is audited."""
    if not services_record.can_see_who_looked(request.user):
        raise PermissionDenied("Only service managers and area admins can see who looked at records.")
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "glass"
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        return who_looked(request)
    filters = form.filters() if form.is_bound else services_record.GlassFilters()
    export = services_record.export_glass_reads if show == "glass" else services_record.export_flagged_reads
    name = "break-glass" if show == "glass" else "flagged-reads"
    response = StreamingHttpResponse(export(request.user, filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="waymark-{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- notices --------------------------------------------------------------------------------------


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """Notices to the user's services: records they can no longer see, and similar changes."""
    rows = services_record.notices_for(request.user)
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "record/notices.html", {"page": page})


@require_POST
@login_required
def notice_read(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Mark one notice as read."""
    notice = services_record.notices_for(request.user).filter(public_id=public_id).first()
    if notice is None:
        raise Http404("No such notice")
    services_record.mark_notice_read(request.user, notice)
    messages.success(request, "Notice marked as read.")
    return redirect("record:notices")
