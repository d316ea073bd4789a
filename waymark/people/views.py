"""People pages: a thin layer over people.services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waymark.core.pagination import CappedPaginator
from waymark.people.services import people_for


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    """People the user may see, by name or reference, 50 a page."""
    query = request.GET.get("q", "")[:200]
    page = CappedPaginator(people_for(request.user, query), 50).get_page(request.GET.get("page"))
    return render(request, "people/list.html", {"page": page, "query": query})
