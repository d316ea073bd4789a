"""The mobile shift: one screen to record a street contact, and the service worker that keeps it offline.

The page is an ordinary form that posts here and records through
`services.record_contact`; with JavaScript, shift.js keeps each contact on the
phone first (IndexedDB) and sends it to the contacts API when there is a signal.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from waymark.access.models import User
from waymark.casework.views import show_errors
from waymark.outreach import services, services_shift
from waymark.outreach.forms_shift import ShiftContactForm

SHIFT_TODAY = 10
SW_SOURCE = "waymark/js/shift-sw.js"
# What the service worker keeps so the page opens without a signal. Static names are
# not hashed in this project, so the version below changes when any file does.
SHELL_ASSETS = [
    "waymark/waymark.css",
    "waymark/favicon.svg",
    "waymark/js/body-start.js",
    "waymark/js/waymark.js",
    "waymark/js/shift.js",
    "waymark/js/shift-queue.js",
    "govuk/govuk-frontend.min.js",
    "htmx/htmx.min.js",
    "leaflet/leaflet.js",
    "leaflet/leaflet.css",
    "leaflet/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png",
]


def _acting_writer(request: HttpRequest) -> Any:
    service = getattr(request, "current_service", None)
    if not services_shift.can_record_on_shift(request.user, service):
        raise PermissionDenied(
            "Only a worker or manager of a service can record street contacts. "
            "If you work for more than one service, switch to the one you are out with."
        )
    return service


def _details(request: HttpRequest, form: ShiftContactForm) -> services.ContactDetails:
    data = form.cleaned_data
    user: User = request.user  # type: ignore[assignment]  # login_required
    person = services_shift.person_for_shift(user, data["person"], data["reference"])
    colleagues = [form.workers_by_id[w] for w in data["workers"] if w in form.workers_by_id]
    return services.ContactDetails(
        seen_at=form.seen_at(),
        seen_doing=data["seen_doing"],
        person=person,
        description=data["description"],
        latitude=data["latitude"].strip(),
        longitude=data["longitude"].strip(),
        place=data["place"],
        district=form.districts_by_id.get(data["district"]),
        site_type=data["site_type"],
        actions=data["actions"],
        needs=data["needs"],
        # The one recording was there; colleagues are added to them.
        workers=[user, *colleagues],
        idempotency_key=data["idempotency_key"],
    )


@login_required
def shift(request: HttpRequest) -> HttpResponse:
    """Record a street contact on shift (a plain form; shift.js adds offline keeping and the map)."""
    service = _acting_writer(request)
    user = request.user
    recent = services_shift.recent_people(user, service)
    form = ShiftContactForm(
        request.POST or None,
        recent=recent,
        teammates=list(services_shift.teammates(user, service)),
        districts=list(services_shift.districts_for(user)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact, created = services.record_contact(user, service, _details(request, form))
        except ValidationError as exc:
            show_errors(form, exc)
        except Http404:
            # A person the user may not open: the same words as a reference that does not exist.
            form.add_error("person", "Choose someone from the list.")
        else:
            who = contact.person.display_name if contact.person else contact.description
            when = timezone.localtime(contact.seen_at).strftime("%H:%M")
            messages.success(
                request,
                f"Contact saved: {who} at {when}." if created else f"That contact was already saved: {who} at {when}.",
            )
            return redirect("outreach:shift")
    today = services.shift_contacts(user, service, services.london_day(timezone.now()))[:SHIFT_TODAY]
    more_open = any(
        form[name].errors for name in ("needs", "site_type", "district", "workers", "seen_date", "seen_time")
    )
    # Only a clean GET (no messages, no form errors) may become the copy the phone keeps.
    clean = request.method == "GET" and not len(messages.get_messages(request))
    response = render(
        request,
        "outreach/shift.html",
        {
            "form": form,
            "service": service,
            "recent": recent,
            "chosen_person": form["person"].value() or "",
            "today": list(today),
            "more_open": more_open,
            # The API root is where /api/v1/me/ lives; contacts are POSTed to its contacts/.
            "api_contacts_url": reverse("api-me").removesuffix("me/") + "contacts/",
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )
    if clean:
        response["X-Waymark-Shell"] = "1"
    # The page names people: never let a shared cache keep it.
    response["Cache-Control"] = "private, no-cache"
    return response


@functools.lru_cache(maxsize=64)
def _content_hash(path: str, size: int, mtime_ns: int) -> str:
    # By content, not date, so every server of a release gives phones the same version;
    # the size and date only tell when to read the file again.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _asset_path(name: str) -> Path | None:
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    return Path(found) if found else None


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The shift's service worker, served from /outreach/shift/ so that is its scope.

    Public like any static file: it holds code and a list of static files, no data.
    The version line changes whenever the worker or a file it keeps changes, so
    phones pick up a new release the next time they open the page with a signal.
    """
    source_path = _asset_path(SW_SOURCE)
    if source_path is None:
        raise Http404("No service worker")
    source = source_path.read_text(encoding="utf-8")
    urls = [reverse("outreach:shift"), *(static(name) for name in SHELL_ASSETS)]
    fingerprint = hashlib.sha256(source.encode())
    for name in SHELL_ASSETS:
        path = _asset_path(name)
        if path is not None:
            stat = path.stat()
            fingerprint.update(_content_hash(str(path), stat.st_size, stat.st_mtime_ns).encode())
    header = (
        f"const SHELL_VERSION = {json.dumps(fingerprint.hexdigest()[:16])};\n"
        f"const SHELL_PAGE = {json.dumps(urls[0])};\n"
        f"const SHELL_ASSETS = {json.dumps(urls[1:])};\n"
    )
    response = HttpResponse(header + source, content_type="application/javascript; charset=utf-8")
    # Browsers check for a new worker on each visit; never let a cache hide a release.
    response["Cache-Control"] = "no-cache"
    return response
