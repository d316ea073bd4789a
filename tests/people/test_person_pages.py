"""Person pages: who sees what, escaping of hostile names, pagination."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import signed_in
from tests.factories import EpisodeFactory, PersonFactory

HOSTILE = [
    "<script>alert('x')</script>",
    "Robert'); DROP TABLE people_person;--",
    "Zoë 🏠🌧️",
    "مرحبا بالعالم",
    "x" * 200,
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_shown_back_exactly_and_escaped(cast, name):
    from django.utils.html import escape

    person = PersonFactory(registered_by_service=cast.outreach, first_name=name, last_name="Test")
    EpisodeFactory(person=person, service=cast.outreach)
    client = signed_in(cast.outreach_worker)
    detail = client.get(reverse("people:detail", args=[person.public_id]))
    assert detail.status_code == 200
    assert escape(name).encode() in detail.content
    assert b"<script>alert" not in detail.content
    listing = client.get(reverse("people:list"), {"q": name[:50]})
    assert listing.status_code == 200
    assert escape(name).encode() in listing.content


def test_search_with_a_very_long_query_does_not_fail(cast):
    response = signed_in(cast.outreach_worker).get(reverse("people:list"), {"q": "x" * 10_000})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("outreach_worker", {"Dan Moss"}),
        ("refuge_worker", {"Dan Moss", "Priya Shah", "Hana Kaur"}),
        ("viewer", {"Dan Moss"}),
        ("solo_worker", {"Sol Only"}),
        ("analyst", set()),
        ("outsider", set()),
    ],
)
def test_the_list_shows_only_what_each_user_may_see(cast, who, names):
    content = signed_in(getattr(cast, who)).get(reverse("people:list")).content.decode()
    for name in {"Dan Moss", "Priya Shah", "Hana Kaur", "Sol Only"}:
        assert (name in content) == (name in names), name


def test_the_list_is_paginated_with_bounded_queries(cast, django_assert_max_num_queries):
    for _ in range(60):
        EpisodeFactory(person=PersonFactory(registered_by_service=cast.outreach), service=cast.outreach)
    client = signed_in(cast.outreach_worker)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("people:list"))
    assert response.context["page"].paginator.num_pages == 2
    assert len(response.context["page"].object_list) == 50


def test_the_person_page_makes_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    for service in (cast.hostel, cast.refuge):
        EpisodeFactory(person=cast.person, service=service)
    client = signed_in(cast.outreach_worker)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("people:detail", args=[cast.person.public_id])).status_code == 200


def test_anonymous_cannot_open_a_person(client, cast):
    response = client.get(reverse("people:detail", args=[cast.person.public_id]))
    assert response.status_code == 302


def test_a_protected_identity_cannot_be_found_by_name_by_those_not_working_with_them(cast):
    client = signed_in(cast.hostel_worker)
    assert b"Protected record" not in client.get(reverse("people:list"), {"q": "Priya"}).content
    by_reference = client.get(reverse("people:list"), {"q": cast.protected_person.reference}).content
    assert b"Protected record" in by_reference
    assert b"Priya" not in by_reference
    assert b"Priya Shah" in signed_in(cast.refuge_worker).get(reverse("people:list"), {"q": "Priya"}).content
