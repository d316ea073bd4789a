"""API authentication: personal tokens, and sessions that passed MFA."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import authentication, exceptions

from waymark.access.services import authenticate_token, current_service_for
from waymark.core.context import client_ip, set_actor


def _act_for(request: Any, user: Any) -> None:
    # The header wins; a browser session falls back to the service picked in the page header.
    session = getattr(request._request, "session", None)
    header = request.META.get("HTTP_X_WAYMARK_SERVICE", "").strip()
    chosen = header or (session.get("current_service") if session else None)
    service = current_service_for(user, chosen)
    if header and (service is None or str(service.public_id) != header):
        # Acting silently for another of the user's services would file work in the wrong place.
        raise exceptions.ParseError("X-Waymark-Service must be the id of a service you are a member of.")
    request._request.current_service = service
    set_actor(user=user, service=service, ip_address=client_ip(request))


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token wm_…` (or `Bearer wm_…`) with a personal API token."""

    keywords = ("token", "bearer")

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as 'Authorization: Token <key>'.")
        token = authenticate_token(header[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid, has expired or was revoked.")
        _act_for(request, token.user)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return "Token"


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, once its second factor is verified (when MFA is required)."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        django_request = request._request
        mfa_needed = settings.WAYMARK_REQUIRE_MFA or django_request.session.get("mfa_pending")
        if mfa_needed and not getattr(django_request.user, "is_verified", lambda: False)():
            raise exceptions.AuthenticationFailed("Complete multi-factor authentication first.")
        _act_for(request, user)
        return result
