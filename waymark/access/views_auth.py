"""Signing in and out, the session keep-alive and the account page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
@login_required
def keepalive(request: HttpRequest) -> HttpResponse:
    """Any request resets the idle timer; this one does nothing else."""
    request.session["last_activity"] = None
    return JsonResponse({"ok": True})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: password, MFA and API tokens."""
    return render(request, "access/account.html")
