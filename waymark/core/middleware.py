"""Request middleware: who is acting, for which service, and session safety."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from waymark.core.context import Actor, _enter, _reset, client_ip, set_actor

Handler = Callable[[HttpRequest], HttpResponse]

# Paths that never need a verified second factor: signing in and out, MFA itself,
# and the API (its authentication checks MFA for sessions). The rest of
# /accounts/ (the account page, API tokens) is not open: a password alone must
# not be enough to make an API token.
OPEN_PREFIXES = (
    "/static/",
    "/healthz",
    "/api/",
    "/favicon",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/keepalive/",
    "/accounts/mfa/",
)


def _is_open(path: str) -> bool:
    return path.startswith(OPEN_PREFIXES)


class RequestContextMiddleware:
    """Makes the acting user, service and address available to the audit log."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _enter(Actor(user=request.user, ip_address=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            _reset(token)


class IdleTimeoutMiddleware:
    """Signs a user out after WAYMARK_SESSION_IDLE_MINUTES without a request."""

    # Writing the session on every request costs a query; a minute's precision is enough.
    TOUCH_EVERY_SECONDS = 60

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_activity")
            idle_limit = settings.WAYMARK_SESSION_IDLE_MINUTES * 60
            if last is not None and now - int(last) > idle_limit:
                request.waymark_logout_reason = "idle"  # type: ignore[attr-defined]
                logout(request)
                messages.info(
                    request, "You were signed out after a period without activity. Sign in again to continue."
                )
                # Scripts (htmx, the keep-alive call) need a status they can act on, not a redirect they follow.
                if (
                    request.path.startswith("/api/")
                    or getattr(request, "htmx", False)
                    or "application/json" in request.headers.get("Accept", "")
                ):
                    from waymark.core.errors import error_body

                    message = "You were signed out after a period without activity. Sign in again to continue."
                    response = JsonResponse(error_body(401, message), status=401)
                    response["WWW-Authenticate"] = "Token"
                    return response
                return redirect_to_login(request.get_full_path())
            if last is None or now - int(last) >= self.TOUCH_EVERY_SECONDS:
                request.session["last_activity"] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """A signed-in user must pass a second factor first: always when WAYMARK_REQUIRE_MFA is
    on, and otherwise when they set up an authenticator themselves (flagged at sign-in)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and (settings.WAYMARK_REQUIRE_MFA or request.session.get("mfa_pending"))
            and not request.user.is_verified()  # type: ignore[union-attr,attr-defined]
            and not _is_open(request.path)
        ):
            return redirect(f"/accounts/mfa/?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class CurrentServiceMiddleware:
    """Sets `request.current_service`: the service the user is acting for, or None.

    Chosen in the header and kept in the session; records a user creates belong
    to it, and audit events name it.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from waymark.access.services import current_service_for

        request.current_service = None  # type: ignore[attr-defined]
        if request.user.is_authenticated and not request.path.startswith(("/static/", "/api/")):
            service = current_service_for(request.user, request.session.get("current_service"))
            request.current_service = service  # type: ignore[attr-defined]
            set_actor(user=request.user, service=service, ip_address=client_ip(request))
        return self.get_response(request)
