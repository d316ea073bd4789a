"""Pages every installation has: home, health, errors, the service switcher."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from waymark.core.errors import error_body


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in landing page: what the user can do, by role."""
    return render(request, "core/home.html")


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the process answers and the database is reachable."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_POST
@login_required
def switch_service(request: HttpRequest) -> HttpResponse:
    """Make another of the user's services the one they act for."""
    from waymark.access.services import switch_service as switch

    try:
        service = switch(request.user, request.session, request.POST.get("service", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"You are now acting for {service.name}.")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def _error(request: HttpRequest, status: int, template: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body(status, message), status=status)
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400, "400.html", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 403, "403.html", "You do not have permission to do this.")


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 404, "404.html", "Not found.")


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without context processors: the fault may be the database itself."""
    from django.template import loader

    message = "Something went wrong on our side. Try again later."
    if _wants_json(request):
        return JsonResponse(error_body(500, message), status=500)
    context = {"WAYMARK_PHASE": settings.WAYMARK_PHASE}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "403_csrf.html", "The form had expired. Go back, reload the page and try again.")
