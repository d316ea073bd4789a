"""Bare views for bench/access_overhead.py: the same pages with no access model.

These read people with `.objects.all()`, check nobody's access and audit nothing,
so they exist only to measure what the access model and the audit log cost. They
are mounted only when WAYMARK_BENCH_VIEWS is on, which settings refuse in
production unless WAYMARK_BENCH_ALLOWED says the database is a throwaway one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path

from waymark.access.constants import Visibility
from waymark.access.models import Area
from waymark.casework.models import Episode
from waymark.core.pagination import CappedPaginator
from waymark.people.api import PersonSerializer
from waymark.people.models import Person
from waymark.people.services import PersonView
from waymark.people.views_record import front_page

PAGE_SIZE = 50


def _the_area() -> Any:
    """The (single) demo area's id as a scalar subquery, so the bare lists walk the same
    indexes as the real ones and the ratio measures the access model, not an index."""
    return Area.objects.order_by("pk").values("pk")[:1]


def _people() -> Any:
    # bench only: no access model
    return Person.objects.filter(area_id=_the_area()).select_related("registered_by_service")


def person_list(request: HttpRequest) -> HttpResponse:
    """people/list.html over every person, paginated like the real page."""
    query = request.GET.get("q", "")[:200]
    page = CappedPaginator(_people(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/list.html", {"page": page, "query": query})


def person_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The front page for any person, with no visibility check on the person and no audit event.

    The timeline inside still reads notes through the access model: it is the same code."""
    person = Person.objects.select_related("registered_by_service__organisation").filter(public_id=public_id).first()
    if person is None:
        raise Http404("No such person")
    return front_page(request, PersonView(person=person, visibility=Visibility.FULL))


def _contacts(people: list[Person]) -> dict[int, list[Any]]:
    """Services working with each person, as the API lists them, with no access filter."""
    contacts: dict[int, list[Any]] = defaultdict(list)
    episodes = (
        Episode.objects.filter(person__in=[p.pk for p in people], ended_on__isnull=True)
        .select_related("service__organisation")
        .order_by("started_on", "id")
    )
    for episode in episodes:
        contacts[episode.person_id].append(episode.service)
    return contacts


def api_person_list(request: HttpRequest) -> JsonResponse:
    """The first page of the people API's shape: results and a next link, no auth, no throttle."""
    # Same order the API's cursor pagination uses, one row extra to know there is a next page.
    people = Person.objects.filter(area_id=_the_area()).select_related("registered_by_service__organisation")
    rows = list(people.order_by("-created_at", "-id")[: PAGE_SIZE + 1])
    context = {"request": None, "contacts": _contacts(rows[:PAGE_SIZE])}
    results = PersonSerializer(rows[:PAGE_SIZE], many=True, context=context).data
    return JsonResponse({"next": "bench" if len(rows) > PAGE_SIZE else None, "previous": None, "results": results})


urlpatterns = [
    path("people/", person_list, name="bench-people"),
    path("people/<uuid:public_id>/", person_detail, name="bench-person"),
    path("api/people/", api_person_list, name="bench-api-people"),
]
