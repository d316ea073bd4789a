"""Template context every page needs: settings shown in the shell and the user's services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def waymark(request: HttpRequest) -> dict[str, Any]:
    from waymark.access import rules
    from waymark.access.services import my_services

    context: dict[str, Any] = {
        "WAYMARK_PHASE": settings.WAYMARK_PHASE,
        "WAYMARK_DEMO": settings.WAYMARK_DEMO,
        "WAYMARK_REQUIRE_MFA": settings.WAYMARK_REQUIRE_MFA,
        "SESSION_IDLE_SECONDS": settings.WAYMARK_SESSION_IDLE_MINUTES * 60,
        "SESSION_WARNING_SECONDS": settings.WAYMARK_SESSION_WARNING_SECONDS,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        ctx = rules.context_for(user)
        context["access"] = ctx
        context["current_service"] = getattr(request, "current_service", None)
        context["my_services"] = my_services(user) if len(ctx.service_ids) > 1 else ()
        if ctx.service_ids:
            from waymark.access.services_record import unread_notice_count

            context["unread_notices"] = unread_notice_count(user)
    return context
