"""The audit log pages: a thin layer over audit.services (area admins only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from waymark.audit.forms import AuditFilterForm
from waymark.audit.services import AuditFilters, events_visible_to, export_events, search_events

PAGE_SIZE = 50
FILTER_NAMES = ("user", "person", "service", "kind", "date_from", "date_to")


def _filter_form(request: HttpRequest) -> AuditFilterForm:
    # Bound only when a filter was sent, so the first visit shows no errors.
    data = {name: request.GET[name][:200] for name in FILTER_NAMES if name in request.GET}
    return AuditFilterForm(data or None)


def _querystring(request: HttpRequest) -> str:
    """The filters as sent, for pagination and export links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """The area's audit events, newest first, 50 a page, filtered."""
    events_visible_to(request.user)  # refuses anyone but an area admin before the form is read
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/list.html", {"form": form, "page": None}, status=400)
    filters = form.filters() if form.is_bound else AuditFilters()
    page = Paginator(search_events(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = _querystring(request)
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(filters.as_detail()),
            "querystring": querystring,
            "extra_query": f"{querystring}&" if querystring else "",
        },
    )


@login_required
def event_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV, streamed; the export itself is audited."""
    events_visible_to(request.user)
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/list.html", {"form": form, "page": None}, status=400)
    filters = form.filters() if form.is_bound else AuditFilters()
    filename = f"waymark-audit-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(export_events(request.user, filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
