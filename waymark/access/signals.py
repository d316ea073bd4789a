"""Audit every sign-in, failed sign-in, lock-out and sign-out, whatever path it took.

Connected in AccessConfig.ready(). Django's own signals carry the request, so
the address is the one the attempt came from; a failed sign-in records the
username tried and never the password.
"""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from waymark.audit.models import AuditKind
from waymark.audit.services import record
from waymark.core.context import client_ip


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Audit the sign-in, start the idle timer, and note the session so deactivation can end it."""
    from waymark.access import mfa
    from waymark.access.services import remember_session

    ip = client_ip(request) if request is not None else None
    record(AuditKind.LOGIN, "Signed in", user=user, ip_address=ip)
    if request is None or not hasattr(request, "session"):
        return
    request.session["last_activity"] = int(time.time())
    # Someone who set up an authenticator themselves is asked for it even when
    # MFA is not required of everyone; the middleware reads this flag rather
    # than querying devices on every request.
    if not settings.WAYMARK_REQUIRE_MFA and mfa.has_authenticator(user):
        request.session["mfa_pending"] = True
    remember_session(user, request.session.session_key, ip)


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Audit a sign-out, saying whether the idle timeout caused it."""
    if user is None:
        return
    reason = getattr(request, "waymark_logout_reason", "signed out")
    action = "Signed out after a period without activity" if reason == "idle" else "Signed out"
    record(AuditKind.LOGOUT, action, user=user, ip_address=client_ip(request) if request is not None else None)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """Audit a failed sign-in: the username tried, never the password."""
    username = str(credentials.get("username") or "")[:150]
    record(
        AuditKind.LOGIN_FAILED,
        "Sign-in failed",
        username=username,
        ip_address=client_ip(request) if request is not None else None,
        detail={"username_tried": username},
    )


def on_locked_out(
    sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None, **kwargs: Any
) -> None:
    """Audit a lock-out (and each further attempt while locked)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures > settings.AXES_FAILURE_LIMIT:
        action = "Sign-in attempted while locked out"
    else:
        action = f"Sign-in locked after {settings.AXES_FAILURE_LIMIT} failed attempts"
    record(
        AuditKind.LOCKED_OUT,
        action,
        username=(username or "")[:150],
        ip_address=client_ip(request) if request is not None else ip_address,
        detail={"username_tried": (username or "")[:150], "failures": failures},
    )


def connect() -> None:
    """Connect the receivers (idempotent: dispatch_uid guards against a second ready())."""
    user_logged_in.connect(on_logged_in, dispatch_uid="waymark.access.on_logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="waymark.access.on_logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="waymark.access.on_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="waymark.access.on_locked_out")
