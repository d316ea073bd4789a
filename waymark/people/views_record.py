"""The person's front page: who is working with them, and the latest activity.

For a protected record the user may only know exists, the page says so and
whom to contact, nothing else. The timeline is a partial that HTMX swaps in
place when filtered or paged; without JavaScript the same links load the page.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from waymark.access import rules
from waymark.casework import services, timeline
from waymark.casework.forms import TimelineFilterForm
from waymark.casework.views import acting_service, break_glass_url
from waymark.people.services import PersonView, open_person


def _edit_url(person: object) -> str:
    """The page for changing the person's details, when it exists."""
    try:
        return reverse("people:edit", args=[person.public_id])  # type: ignore[attr-defined]
    except NoReverseMatch:
        return ""


@login_required
def person_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A person's front page, or 'a record exists, contact…' for a protected record."""
    return front_page(request, open_person(request.user, public_id))


def front_page(request: HttpRequest, view: PersonView) -> HttpResponse:
    """Render the front page of a person already opened (the benchmark's bare page shares it)."""
    person = view.person
    ctx = rules.context_for(request.user)
    episodes = list(services.episodes_of(view))
    working = [e for e in episodes if e.is_open]
    context: dict = {
        "view": view,
        "person": person,
        "episodes": episodes,
        "working": working,
        "ended": [e for e in episodes if not e.is_open],
        "identity_glass_url": "",
    }
    if not view.is_full:
        if ctx.writing_service_ids:
            context["identity_glass_url"] = break_glass_url(person, "identity")
        return render(request, "people/detail.html", context)

    service_list = list({e.service_id: e.service for e in episodes}.values())
    form = TimelineFilterForm(request.GET or None, kinds=timeline.kinds(), services=service_list)
    kind, service = "", None
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        service = form.services.get(form.cleaned_data["service"])
    try:
        page = services.timeline_for(request.user, view, kind, service, request.GET.get("after") or None)
    except ValidationError:
        page = services.timeline_for(request.user, view, kind, service, None)
    open_ids = {e.service_id for e in working}
    current = acting_service(request)
    can_manage = {e.pk for e in working if e.service_id in ctx.writing_service_ids or ctx.is_area_admin}
    context.update(
        {
            "timeline": page,
            "timeline_form": form,
            "timeline_url": reverse("people:detail", args=[person.public_id]),
            "can_write_note": services.can_write_notes(request.user, current, open_ids),
            "can_start_episode": bool(ctx.writing_service_ids - open_ids) or ctx.is_area_admin,
            "can_record_contact": current is not None and current.pk in ctx.writing_service_ids,
            "can_manage": can_manage,
            "other_names": list(person.other_names.all()),
            "edit_url": _edit_url(person) if ctx.writing_service_ids else "",
        }
    )
    if request.htmx and request.htmx.target == "timeline":  # type: ignore[attr-defined]
        return render(request, "casework/_timeline.html", context)
    return render(request, "people/detail.html", context)
