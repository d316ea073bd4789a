"""Alert pages: the public report (no sign-in), and the outreach teams' queue and alert page.

Thin views: what is valid, who may see and who may change an alert are decided
in `services_alerts`; these pages parse what was typed, call it, and show the
result or say what to fix, keeping what was typed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from waymark.access import rules
from waymark.access.constants import ServiceKind
from waymark.core.context import client_ip
from waymark.core.pagination import CappedPaginator
from waymark.outreach import services_alerts
from waymark.outreach.forms_alerts import (
    REPORT_FIELD_FOR,
    AssignForm,
    OutcomeForm,
    QueueFilterForm,
    ReportForm,
    TellForm,
    add_service_errors,
)
from waymark.outreach.models import Alert, AlertStatus

ALERTS_PER_PAGE = 25
REFERENCE_KEY = "outreach_alert_reference"
# The alert page holds several forms: each gets its own element ids.
ASSIGN_IDS = "assign-%s"
OUTCOME_IDS = "outcome-%s"


# --- the public report -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Tell us about someone sleeping rough: open to anyone, no sign-in."""
    form = ReportForm(request.POST or None, areas=list(services_alerts.public_areas()))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                area = services_alerts.area_for_report(form.cleaned_data.get("area"))
                alert = services_alerts.report_alert(
                    form.details(), area=area, ip_address=client_ip(request), honeypot=form.cleaned_data["website"]
                )
            except services_alerts.RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except ValidationError as exc:
                add_service_errors(form, exc.message_dict, REPORT_FIELD_FOR)
            else:
                # A robot caught by the honeypot is thanked like anyone, with a reference that leads nowhere.
                shown = services_alerts.reference(alert) if alert else secrets.token_hex(4).upper()
                request.session[REFERENCE_KEY] = shown
                return redirect("outreach:report_done")
        else:
            add_service_errors(form, services_alerts.report_problems(form.details()), REPORT_FIELD_FOR)
    return render(request, "outreach/report_form.html", {"form": form}, status=status)


def report_done(request: HttpRequest) -> HttpResponse:
    """Thanks, with the reference of the report just sent (if there is one in this session)."""
    return render(request, "outreach/report_done.html", {"reference": request.session.get(REFERENCE_KEY, "")})


# --- the queue ---------------------------------------------------------------------------------


def _acting_service(request: HttpRequest) -> Any:
    return getattr(request, "current_service", None)


@login_required
def alert_queue(request: HttpRequest) -> HttpResponse:
    """Open alerts for the user's team (or the whole area for coordinators and area admins), oldest first."""
    if not services_alerts.can_use_queue(request.user):
        raise PermissionDenied("The alert queue is for outreach teams, coordinators and area admins.")
    service = _acting_service(request)
    filter_form = QueueFilterForm(request.GET or None, districts=services_alerts.queue_districts(request.user))
    status, district = filter_form.chosen()
    alerts = services_alerts.alert_queue(request.user, service, status=status, district=district)
    page = CappedPaginator(alerts, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    kept = {"status": request.GET.get("status", ""), "district": request.GET.get("district", "")}
    kept = {name: value for name, value in kept.items() if value} if filter_form.is_valid() else {}
    ctx = rules.context_for(request.user)
    team = service if service is not None and service.kind == ServiceKind.OUTREACH else None
    return render(
        request,
        "outreach/alert_queue.html",
        {
            "page": page,
            "filter_form": filter_form,
            "extra_query": urlencode(kept) + "&" if kept else "",
            "status": status,
            "status_label": {"all": ""}.get(status, status),
            "team": team if not (ctx.is_area_admin or ctx.is_coordinator) else None,
        },
    )


# --- one alert ---------------------------------------------------------------------------------


def _assign_team(request: HttpRequest, alert: Alert) -> Any:
    """The team the user would take the alert for: the outreach team they act for, when they work
    for it and the alert is not another team's. None otherwise."""
    service = _acting_service(request)
    ctx = rules.context_for(request.user)
    if service is None or service.kind != ServiceKind.OUTREACH or service.pk not in ctx.writing_service_ids:
        return None
    if alert.assigned_service_id not in (None, service.pk):
        return None
    return service


def _assign_form(
    request: HttpRequest, team: Any, data: Any = None, initial: dict[str, Any] | None = None
) -> AssignForm:
    """Giving the alert to a worker of `team` or, with no team (coordinators), to a team."""
    return AssignForm(
        data,
        auto_id=ASSIGN_IDS,
        initial=initial,
        services=services_alerts.assignable_services(request.user),
        team=team,
        workers=services_alerts.team_workers(team),
    )


def _outcome_form(
    request: HttpRequest, team: Any, data: Any = None, initial: dict[str, Any] | None = None
) -> OutcomeForm:
    """What came of the alert, offering the street contacts `team` recorded lately."""
    return OutcomeForm(
        data,
        auto_id=OUTCOME_IDS,
        initial=initial,
        contacts=list(services_alerts.contacts_to_link(request.user, team)),
    )


def _forms(
    request: HttpRequest,
    alert: Alert,
    *,
    assign_form: AssignForm | None = None,
    outcome_form: OutcomeForm | None = None,
) -> dict[str, Any]:
    """The alert page's context: what the user may do, with fresh forms unless bound ones are given."""
    user = request.user
    ctx = rules.context_for(user)
    service = _acting_service(request)
    is_open = alert.status != AlertStatus.CLOSED
    team = _assign_team(request, alert)
    coordinating = ctx.is_area_admin or ctx.is_coordinator
    can_assign = is_open and (team is not None or coordinating)
    if can_assign and assign_form is None:
        assign_form = _assign_form(
            request,
            team,
            initial={
                "version": alert.version,
                "assignee": alert.assigned_to.public_id if alert.assigned_to_id else None,  # type: ignore[union-attr]
                **({"service": alert.assigned_service.public_id} if alert.assigned_service_id and not team else {}),  # type: ignore[union-attr]
            },
        )
    can_act = services_alerts.may_act(user, alert, service)
    can_outcome = is_open and can_act
    if can_outcome and outcome_form is None:
        acting = services_alerts.acting_team(user, alert, service)
        outcome_form = _outcome_form(request, acting, initial={"version": alert.version})
    can_tell = can_act and services_alerts.can_tell_reporter(alert)
    return {
        "alert": alert,
        "reference": services_alerts.reference(alert),
        "response_words": services_alerts.response_words(alert),
        "contact": services_alerts.linked_contact(user, alert),
        "assign_form": assign_form if can_assign else None,
        "assign_team": team,
        "me": user,
        "outcome_form": outcome_form if can_outcome else None,
        "tell_form": TellForm(auto_id="tell-%s", initial={"version": alert.version}) if can_tell else None,
        "back": reverse("outreach:alert_queue"),
    }


def _stale(form: Form, alert: Alert) -> None:
    """Keep what was typed, say what happened, and offer the change again against the new version."""
    fresh = Alert.objects.filter(pk=alert.pk).values_list("version", flat=True).first()
    form.data = form.data.copy()
    form.data["version"] = str(fresh)
    form.add_error(None, services_alerts.StaleAlert.message)


def _render_detail(request: HttpRequest, alert_id: UUID, **bound: Any) -> HttpResponse:
    # Read again: a refused change shows the alert as it now is, with what was typed kept.
    alert = services_alerts.open_alert(request.user, alert_id)
    return render(request, "outreach/alert_detail.html", _forms(request, alert, **bound))


def _change(
    request: HttpRequest,
    alert: Alert,
    form: Form,
    form_name: str,
    change: Callable[[dict[str, Any]], object],
    *,
    done: str,
) -> HttpResponse:
    """Make `change` with what the form cleaned, then back to the alert saying `done`; or the
    alert page again with the form (as `form_name`) saying what to fix, what was typed kept."""
    if form.is_valid():
        try:
            change(form.cleaned_data)
        except services_alerts.StaleAlert:
            _stale(form, alert)
        except ValidationError as exc:
            add_service_errors(form, exc.message_dict, {})
        else:
            messages.success(request, done)
            return redirect("outreach:alert_detail", alert_id=alert.public_id)
    return _render_detail(request, alert.public_id, **{form_name: form})


@login_required
def alert_detail(request: HttpRequest, alert_id: UUID) -> HttpResponse:
    """One alert: what was reported, who has it, and what came of it."""
    return _render_detail(request, alert_id)


@login_required
@require_POST
def alert_assign(request: HttpRequest, alert_id: UUID) -> HttpResponse:
    """Give the alert to a worker of the user's team, or (coordinators) to a team."""
    alert = services_alerts.open_alert(request.user, alert_id)
    team = _assign_team(request, alert)
    form = _assign_form(request, team, request.POST)
    return _change(
        request,
        alert,
        form,
        "assign_form",
        lambda data: services_alerts.assign_alert(
            request.user, alert, service=data["service"], assignee=data.get("assignee"), version=data["version"]
        ),
        done="Alert assigned.",
    )


@login_required
@require_POST
def alert_outcome(request: HttpRequest, alert_id: UUID) -> HttpResponse:
    """Record what came of the alert (linking the street contact when they were found); closes it."""
    alert = services_alerts.open_alert(request.user, alert_id)
    service = _acting_service(request)
    team = services_alerts.acting_team(request.user, alert, service)
    form = _outcome_form(request, team, request.POST)
    return _change(
        request,
        alert,
        form,
        "outcome_form",
        lambda data: services_alerts.record_outcome(
            request.user,
            alert,
            outcome=data["outcome"],
            contact=form.chosen_contact(),
            service=service,
            version=data["version"],
        ),
        done="Outcome recorded. The alert is closed.",
    )


@login_required
@require_POST
def alert_tell(request: HttpRequest, alert_id: UUID) -> HttpResponse:
    """Tell the reporter the outcome by email: shows the email to confirm first, then sends it."""
    alert = services_alerts.open_alert(request.user, alert_id)
    service = _acting_service(request)
    services_alerts.acting_team(request.user, alert, service)
    form = TellForm(request.POST)
    if form.is_valid() and form.cleaned_data["confirmed"] == "yes":
        try:
            services_alerts.tell_reporter(request.user, alert, service=service, version=form.cleaned_data["version"])
        except services_alerts.StaleAlert:
            messages.error(request, services_alerts.StaleAlert.message)
            return redirect("outreach:alert_detail", alert_id=alert.public_id)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "The reporter has been emailed the outcome.")
            return redirect("outreach:alert_detail", alert_id=alert.public_id)
    subject, body = services_alerts.reporter_message(alert)
    return render(
        request,
        "outreach/alert_tell.html",
        {
            "alert": alert,
            "reference": services_alerts.reference(alert),
            "form": form,
            "version": form.cleaned_data.get("version", alert.version) if form.is_valid() else alert.version,
            "subject": subject,
            "body": body,
            "can_tell": services_alerts.can_tell_reporter(alert),
        },
    )
