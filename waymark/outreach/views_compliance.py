"""Compliance score pages: each service's monthly data-quality score, its trend and its fix-it list.

Thin views over `outreach.compliance`, which decides who sees which service
(its managers; area admins all the area's) and checks the list again against
the access model. Workers, viewers and analysts get 403.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from waymark.access import rules
from waymark.outreach import compliance
from waymark.outreach.models import ComplianceScore

SERVICES_PER_PAGE = 25
ENTRIES_PER_PAGE = 50


class MonthConverter:
    """`2025-03` in a URL, as the first day of the month; anything else is a 404."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> datetime.date:
        try:
            return compliance.parse_month(value)
        except ValidationError:
            raise ValueError(value) from None

    def to_url(self, value: datetime.date | str) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


class EssentialFieldsForm(forms.Form):
    """Tick the fields the area counts as essential; only the offered names can be sent."""

    person_fields = forms.MultipleChoiceField(
        label="For people",
        choices=[(c.name, c.label) for c in compliance.PERSON_CHECKS.values()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Checked on each person a service registers.",
    )
    contact_fields = forms.MultipleChoiceField(
        label="For street contacts",
        choices=[(c.name, c.label) for c in compliance.CONTACT_CHECKS.values()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Checked on each street contact a service records.",
    )


def _require(request: HttpRequest) -> None:
    compliance.require_compliance(request.user)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The services the user oversees: the latest score and the last 12 months of each."""
    _require(request)
    services = compliance.services_for(request.user)
    page = Paginator(services, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
    chosen = list(page.object_list)
    last = compliance.this_month()
    trends = compliance.trends(chosen, last)
    latest = compliance.latest_scores(chosen)
    rows = [
        {
            "service": service,
            "latest": latest.get(service.pk),
            "trend": trends[service.pk],
            # The month a service's link opens: its latest score, else last month.
            "month": (latest[service.pk].month if service.pk in latest else compliance.previous_month()),
        }
        for service in chosen
    ]
    ctx = rules.context_for(request.user)
    return render(
        request,
        "outreach/compliance.html",
        {
            "page": page,
            "rows": rows,
            "months": [cell.month for cell in trends[chosen[0].pk]] if chosen else [],
            "is_area_admin": ctx.is_area_admin,
        },
    )


@login_required
def detail(request: HttpRequest, service_id: UUID, month: datetime.date) -> HttpResponse:
    """One service's score for one month, the fields most often missing, and the fix-it list."""
    service = compliance.service_for(request.user, service_id)
    score = ComplianceScore.objects.filter(service=service, month=month).first()
    context: dict[str, Any] = {
        "service": service,
        "month": month,
        "score": score,
        "trend": compliance.trends([service], month)[service.pk],
        "previous_month": compliance.add_months(month, -1) if month > compliance.EARLIEST_MONTH else None,
        "next_month": compliance.add_months(month, 1) if month < compliance.this_month() else None,
        "can_recalculate": month <= compliance.this_month(),
        "is_current_month": month == compliance.this_month(),
    }
    if score is not None:
        summary = compliance.summary_of(score)
        page = Paginator(compliance.fix_list(score), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
        entries = compliance.entries_for(request.user, list(page.object_list))
        for entry in entries:
            if entry.kind == compliance.PERSON and entry.person_id:
                entry.fix_url = reverse("people:edit", args=[entry.person_id])
            elif entry.kind == compliance.CONTACT and entry.contact_id:
                entry.fix_url = reverse("outreach:contact_detail", args=[entry.contact_id])
        context.update(summary=summary, page=page, entries=entries)
    return render(request, "outreach/compliance_detail.html", context)


@require_POST
@login_required
def recalculate(request: HttpRequest, service_id: UUID, month: datetime.date) -> HttpResponse:
    """Score the service's month again now ("Recalculate now"), then show it."""
    service = compliance.service_for(request.user, service_id)
    try:
        score = compliance.recalculate(request.user, service, month)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if score is None:
            messages.success(request, f"{service.name} entered nothing in {month:%B %Y}, so there is no score.")
        else:
            messages.success(request, f"Recalculated: {score.score}% of essential fields present in {month:%B %Y}.")
    return redirect("outreach:compliance_detail", service_id=service.public_id, month=month)


@login_required
def essential_fields(request: HttpRequest) -> HttpResponse:
    """Area admins choose which fields count as essential in their area."""
    ctx = rules.context_for(request.user)
    if not ctx.is_area_admin or ctx.area_id is None:
        raise PermissionDenied("Only an area admin can choose the essential fields.")
    current = compliance.essential_fields(ctx.area_id)
    initial = {"person_fields": current[compliance.PERSON], "contact_fields": current[compliance.CONTACT]}
    form = EssentialFieldsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            compliance.set_essential_fields(
                request.user, form.cleaned_data["person_fields"], form.cleaned_data["contact_fields"]
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "Essential fields saved. Scores use them from the next calculation.")
            return redirect("outreach:compliance_fields")
    return render(
        request,
        "outreach/compliance_fields.html",
        {"form": form, "uses_defaults": compliance.area_uses_defaults(ctx.area_id), "defaults": _defaults()},
        status=400 if form.errors else 200,
    )


def _defaults() -> dict[str, list[str]]:
    return {
        kind: [compliance.label_for(kind, name) for name in names]
        for kind, names in compliance.DEFAULT_ESSENTIAL.items()
    }
