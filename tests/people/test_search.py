"""Fuzzy search of people: ranking, dates, references, and only what the user may see.

The expected orders are written out, so the same test proves SQLite and
PostgreSQL rank the same fixed set identically.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.conftest import signed_in
from tests.factories import EpisodeFactory, PersonFactory
from waymark.people.services import search_people

D = datetime.date


@pytest.fixture
def people(cast):
    rows = [
        ("Robert", "Smith", D(1980, 5, 12), "exact"),
        ("Bob", "Smyth", D(1980, 12, 5), "exact"),
        ("Roberta", "Smithson", D(1991, 1, 1), "exact"),
        ("Jane", "Smith-Jones", D(1975, 3, 1), "month"),
        ("Daniel", "Mossop", D(1980, 1, 1), "year"),
        ("Mohammed", "Ali", D(1990, 3, 3), "exact"),
        ("Muhammad", "Aly", None, "unknown"),
        ("Sean", "Murphy", D(1979, 6, 15), "exact"),
    ]
    made = {}
    for first, last, dob, precision in rows:
        person = PersonFactory(
            registered_by_service=cast.outreach,
            first_name=first,
            last_name=last,
            date_of_birth=dob,
            birth_date_precision=precision,
        )
        EpisodeFactory(person=person, service=cast.outreach)
        made[f"{first} {last}"] = person
    return made


def names(user, text):
    return [f"{p.first_name} {p.last_name}" for p in search_people(user, text).people]


def test_a_surname_finds_the_same_and_similar_names_best_first(cast, people):
    assert names(cast.outreach_worker, "Smith") == [
        "Robert Smith",
        "Jane Smith-Jones",
        "Bob Smyth",
        "Roberta Smithson",
    ]


def test_a_nickname_and_a_typo_still_find_the_person(cast, people):
    assert names(cast.outreach_worker, "Bob Smith")[:2] == ["Robert Smith", "Bob Smyth"]
    assert names(cast.outreach_worker, "Mo Ali")[:2] == ["Mohammed Ali", "Muhammad Aly"]
    assert names(cast.outreach_worker, "Shaun Murphy") == ["Sean Murphy"]


def test_part_of_a_name_finds_it(cast, people):
    assert "Daniel Mossop" in names(cast.outreach_worker, "Moss")


@pytest.mark.parametrize("text", ["12/05/1980", "1980-05-12", "12.05.1980"])
def test_a_date_of_birth_in_any_usual_form(cast, people, text):
    found = names(cast.outreach_worker, text)
    assert found[0] == "Robert Smith"
    assert "Bob Smyth" in found  # the same date written the other way round


def test_a_year_and_a_name_together(cast, people):
    assert names(cast.outreach_worker, "Robert 1980")[0] == "Robert Smith"
    assert set(names(cast.outreach_worker, "1980")) >= {"Robert Smith", "Bob Smyth", "Daniel Mossop"}


def test_a_reference_finds_exactly_that_record(cast, people):
    person = people["Sean Murphy"]
    assert names(cast.outreach_worker, person.reference.lower()) == ["Sean Murphy"]


def test_a_protected_record_is_found_by_reference_only(cast):
    assert names(cast.outreach_worker, "Priya Shah") == []
    [found] = search_people(cast.outreach_worker, cast.protected_person.reference).people
    assert found.full_access is False
    assert names(cast.refuge_worker, "Priya Shah") == ["Priya Shah"]


def test_hidden_and_other_organisations_records_are_never_found(cast):
    for who in ("outreach_worker", "viewer", "solo_worker", "analyst", "outsider"):
        assert names(getattr(cast, who), "Hana Kaur") == [], who
        assert names(getattr(cast, who), cast.hidden_person.reference) == [], who
    for who in ("outreach_worker", "analyst", "outsider"):
        assert names(getattr(cast, who), "Sol Only") == [], who
    assert names(cast.solo_worker, "Dan Moss") == []
    assert names(cast.solo_worker, "Sol Only") == ["Sol Only"]


def test_the_search_page_ranks_and_hides_what_it_must(cast, people):
    client = signed_in(cast.hostel_worker)
    content = client.get(reverse("people:list"), {"q": "Bob Smith"}).content.decode()
    assert content.index("Robert Smith") < content.index("Bob Smyth")
    assert "best first" in content
    assert "12 May 1980" in content
    protected = client.get(reverse("people:list"), {"q": "Priya"}).content.decode()
    assert "Priya" not in protected.replace('value="Priya"', "").replace("“Priya”", "")
    by_reference = client.get(reverse("people:list"), {"q": cast.protected_person.reference}).content.decode()
    assert "Protected record" in by_reference and "Shah" not in by_reference


def test_search_results_are_paginated_with_bounded_queries(cast, django_assert_max_num_queries):
    for i in range(70):
        EpisodeFactory(
            person=PersonFactory(registered_by_service=cast.outreach, first_name=f"Al{i}", last_name="Jones"),
            service=cast.outreach,
        )
    client = signed_in(cast.outreach_worker)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("people:list"), {"q": "Jones"})
    assert response.context["page"].paginator.num_pages == 4  # 20 a page
    last = client.get(reverse("people:list"), {"q": "Jones", "page": 4})
    assert len(last.context["page"].object_list) == 10


def test_anonymous_cannot_search(client, cast):
    assert client.get(reverse("people:list"), {"q": "Dan"}).status_code == 302
