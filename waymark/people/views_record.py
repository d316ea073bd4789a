"""The person's front page: who is working with them, and the latest activity."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waymark.casework.services import episodes_of
from waymark.people.services import open_person


@login_required
def person_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A person's front page, or 'a record exists, contact…' for a protected record."""
    view = open_person(request.user, public_id)
    return render(
        request,
        "people/detail.html",
        {"view": view, "person": view.person, "episodes": episodes_of(view)},
    )
