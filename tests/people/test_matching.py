"""The duplicate check's matching: normalising, blocking keys, scoring, and candidates through the access model."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from tests.factories import EpisodeFactory, PersonFactory
from waymark.access.constants import Restriction, Visibility
from waymark.people.matching import (
    MATCH_THRESHOLD,
    MatchQuery,
    find_matches,
    find_matches_in_area,
    keys_for_person,
    keys_for_query,
    nickname_roots,
    normalise,
    parse_search,
    refresh_keys,
    score,
)
from waymark.people.models import MatchKey, OtherName, Person

D = datetime.date


def q(first="", last="", dob=None, precision=None, known_as="", age=None, on=None, other_names=()):
    if precision is None:
        precision = "exact" if dob else ("estimated" if age is not None else "unknown")
    return MatchQuery(
        first_name=first,
        last_name=last,
        known_as=known_as,
        other_names=tuple(other_names),
        date_of_birth=dob,
        birth_date_precision=precision,
        estimated_age=age,
        age_estimated_on=on,
    )


# --- normalising and keys -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("O'Brien", "OBRIEN"),
        ("  zoë   smith-JONES ", "ZOE SMITH JONES"),
        ("Łukasz Straße", "LUKASZ STRASSE"),
        ("<script>alert('x')</script>", "SCRIPT ALERT X SCRIPT"),
        ("مرحبا", "مرحبا"),
        ("", ""),
    ],
)
def test_it_normalises_case_accents_and_punctuation(raw, expected):
    assert normalise(raw) == expected


def test_nicknames_share_a_root():
    assert "ROBERT" in nickname_roots("Bob")
    assert "ELIZABETH" in nickname_roots("liz")
    assert nickname_roots("Mo") & nickname_roots("Muhammad")
    assert nickname_roots("Zebedee") == {"ZEBEDEE"}


def test_person_keys_cover_names_sounds_nicknames_and_dates():
    person = Person(first_name="Bob", last_name="Smith-Jones", known_as="Smudge", date_of_birth=D(1980, 5, 12))
    person.birth_date_precision = "exact"
    keys = keys_for_person(person, [("Robert", "Smith")])
    assert {"ln:SMITHJONES", "ln:SMITH", "ln:JONES", "lp:SM0", "fr:ROBERT", "ka:SMUDGE"} <= keys
    assert {"dob:1980-05-12", "dob:1980-12-05", "dx:1980-05", "by:1980"} <= keys
    assert any(key.startswith("fy:") and key.endswith(":1980") for key in keys)
    assert all(len(key) <= 80 for key in keys)


def test_keys_stay_short_for_very_long_names():
    person = Person(first_name="x" * 200, last_name="y" * 200)
    assert all(len(key) <= 80 for key in keys_for_person(person))


def test_query_keys_leave_out_the_broad_year_key():
    keys = keys_for_query(q("Dan", "Moss", D(1980, 1, 2)))
    assert "by:1980" not in keys
    assert "dob:1980-01-02" in keys


def test_an_estimated_age_keys_several_years():
    keys = keys_for_query(q("Dan", "Moss", age=40, on=D(2024, 6, 1)))
    assert {f"fy:TN:{year}" for year in range(1982, 1987)} <= keys


# --- scoring --------------------------------------------------------------------------


def person(first="", last="", dob=None, precision=None, known_as="", age=None, on=None):
    p = Person(first_name=first, last_name=last, known_as=known_as, date_of_birth=dob)
    p.birth_date_precision = precision or ("exact" if dob else ("estimated" if age is not None else "unknown"))
    p.estimated_age, p.age_estimated_on = age, on
    return p


def _reasons(query, candidate):
    value, reasons = score(query, candidate)
    return value, " | ".join(reasons)


@pytest.mark.parametrize(
    ("query", "candidate", "reason"),
    [
        (q("Bob", "Smith", D(1980, 5, 12)), person("Robert", "Smith", D(1980, 5, 12)), "nickname of Robert"),
        (q("Liz", "Taylor", D(1975, 3, 1)), person("Elizabeth", "Taylor", D(1975, 3, 1)), "nickname of Elizabeth"),
        (q("Mo", "Khan", D(1990, 3, 3)), person("Muhammad", "Khan", D(1990, 3, 3)), "Mohammed"),
        (q("Robert", "Smyth", D(1980, 5, 12)), person("Robert", "Smith", D(1980, 5, 12)), "surname sounds alike"),
        (q("Jon", "Smtih", D(1980, 5, 12)), person("John", "Smith", D(1980, 5, 12)), "surname spelt similarly"),
        (q("Anna", "Kowalski", D(1980, 12, 5)), person("Anna", "Kowalski", D(1980, 5, 12)), "day and month swapped"),
        (q("Sara", "Jones", D(1980, 5, 12)), person("Sara", "Smith-Jones", D(1980, 5, 12)), "double surname"),
        (q("Sara", "Jones", D(1980, 5, 12)), person("Sarah", "Jones", D(1980, 5, 13)), "one digit"),
        (q("Dan", "Moss"), person("Dan", "Moss", D(1980, 5, 12)), "no date of birth recorded"),
        (q("Dan", "Moss", D(1980, 5, 12)), person("Dan", "Moss", D(1980, 1, 1), "year"), "only the year"),
        (q("Dan", "Moss", D(1980, 5, 12)), person("Dan", "Moss", D(1980, 5, 1), "month"), "day not recorded"),
        (q("Dan", "Moss", age=44, on=D(2024, 6, 1)), person("Dan", "Moss", D(1980, 5, 12)), "age fits"),
        (q("Jock", "Mcdonald", D(1970, 1, 1)), person("John", "MacDonald", D(1970, 1, 1), known_as="Jock"), "known-as"),
        (q("Seán", "O'Neill", D(1985, 7, 7)), person("Sean", "ONeill", D(1985, 7, 7)), "same surname"),
    ],
)
def test_near_duplicates_score_above_the_threshold_with_reasons(query, candidate, reason):
    value, reasons = _reasons(query, candidate)
    assert value >= MATCH_THRESHOLD, (value, reasons)
    assert reason.lower() in reasons.lower(), reasons


@pytest.mark.parametrize(
    ("query", "candidate"),
    [
        (q("John", "Smith", D(1980, 5, 12)), person("John", "Smith", D(1962, 11, 30))),
        (q("John", "Smith", D(1980, 5, 12)), person("Peter", "Jones", D(1980, 5, 12))),
        (q("Mary", "Brown", D(1990, 1, 1)), person("Mark", "Brown", D(1971, 8, 19))),
        (q("Anna", "Nowak", D(1980, 5, 12)), person("Anna", "Nowak", D(1999, 9, 9))),
        (q("Sam", "Patel"), person("Priya", "Patel", D(1980, 1, 1))),
        (q(last="Moss"), person("Dan", "Moss", D(1980, 5, 12))),
        (q("Dan", "Moss", age=25, on=D(2024, 6, 1)), person("Dan", "Moss", D(1950, 5, 12))),
    ],
)
def test_different_people_score_below_the_threshold(query, candidate):
    value, reasons = score(query, candidate)
    assert value < MATCH_THRESHOLD, (value, reasons)


# Different people that the first scoring showed to workers: a shared surname and no
# date of birth to confirm, with first names that plainly differ.
@pytest.mark.parametrize(
    ("query", "candidate"),
    [
        (q("Jereemy", "Dobson"), person("Aimee", "Dobson")),
        (q("Jereemy", "Dobson"), person("Tracy", "Dobson", D(1990, 4, 4))),
        (q("Elaine", "Crawford", D(1986, 6, 9)), person("Daniel", "Crawford", age=38, on=D(2025, 1, 1))),
        (q("Pawel", "Dabrowski"), person("Kamil", "Dabrowski")),
        (q("Rachel", "Gregory", D(1977, 11, 19)), person("Ryan", "Gregory", D(1977, 12, 19))),
        (q("Babak", "Mohammadi", D(1980, 1, 1), "year"), person("Hamid", "Mohammadi", D(1980, 3, 14))),
        # The same first name, another surname, nothing else.
        (q("Kibrom", "Mehrai", D(1971, 7, 11)), person("Kibrom", "Andemariam")),
        (q("Pawel", "Dabrowski"), person("Pawel", "Grabowski")),
        # Names spelt alike that are different names.
        (q("Christian", "Lamb", D(1978, 7, 12)), person("Christopher", "Lamb")),
        (q("Paul", "Green"), person("Paula", "Green")),
        (q("Mary", "Brown"), person("Mark", "Brown")),
        (q("Gosia", "Kozlowski"), person("Kasia", "Kozlowski")),
        (q("Mo", "Riaz", D(1999, 7, 25)), person("Mohammed", "Rees")),
        # A nickname two people share does not make two first names one.
        (q("Jonny", "Peacock", known_as="Jock"), person("Lewis", "Peacock", D(1981, 2, 3), known_as="Jock")),
        # A known-as alone is their first name: not a match for anyone with the surname.
        (q(last="Marsden", known_as="Clifford", age=40, on=D(2025, 1, 1)), person("Jennifer", "Marsden")),
        # A surname shared only through another name, with a different first name.
        (q("Elaine", "Crawford", D(1986, 6, 9)), q("Valentin", "Popa", other_names=[("Patrick", "Crawford")])),
        # An estimate far out.
        (q("Dan", "Moss", age=30, on=D(2025, 1, 1)), person("Dan", "Moss", D(1980, 5, 12))),
    ],
)
def test_a_different_first_name_without_a_confirming_date_of_birth_is_well_below(query, candidate):
    value, reasons = score(query, candidate)
    assert value < MATCH_THRESHOLD - 0.1, (value, reasons)


# Near-duplicates the first scoring missed: a missing or rough date of birth must not
# sink names that agree.
@pytest.mark.parametrize(
    ("query", "candidate"),
    [
        (q("Seun", "Okafor"), person("Oluwaseun", "Okafor", D(1991, 1, 18))),
        (q("Leigh", "Jarvis"), person("Lee", "Jarvis", D(1996, 10, 13))),
        (q("Stevie", "Schofield", age=35, on=D(2025, 1, 1)), person("Steven", "Schofield", age=40, on=D(2024, 1, 1))),
        (q("Keith", "Hardy", age=45, on=D(2024, 5, 2)), person("Keith", "Hardy", D(1988, 5, 1), "month")),
        (q("Guy", "Smith", age=30, on=D(2025, 1, 1)), person("Guy", "Davidson-Smith", D(1993, 2, 4))),
        (q("Rui", "Santos-Pereira"), person("Rui", "Pereira Santos", D(1989, 10, 17))),
        (q(last="Hyde", known_as="Jock", age=40, on=D(2025, 1, 1)), person("Gerard", "Hyde", known_as="Jock")),
        (q("Jock", "Peacock"), person("Lewis", "Peacock", D(1981, 2, 3), known_as="Jock")),
        (q("Marai", "Hayward", age=32, on=D(2026, 5, 1)), person("Maria", "Hayward", age=37, on=D(2025, 1, 23))),
        (q("Amaka", "Ogunleye", D(1991, 1, 1), "year"), person("Chiamaka", "Ogunleye", D(1991, 12, 13))),
    ],
)
def test_near_duplicates_without_a_good_date_of_birth_stay_above(query, candidate):
    value, reasons = score(query, candidate)
    assert value >= MATCH_THRESHOLD, (value, reasons)


def test_a_date_of_birth_alone_is_never_a_match():
    value, _ = score(q(dob=D(1980, 5, 12)), person("Dan", "Moss", D(1980, 5, 12)))
    assert value < MATCH_THRESHOLD


def _with(item, **fields):
    if isinstance(item, MatchQuery):
        return dataclasses.replace(item, **fields)
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def test_a_different_gender_or_nationality_counts_against_a_name_only_match():
    same_name = score(q("Robin", "Richards"), person("Robin", "Richards"))[0]
    assert same_name >= MATCH_THRESHOLD
    woman = _with(q("Robin", "Richards"), gender="Woman")
    assert score(woman, _with(person("Robin", "Richards"), gender="Man"))[0] < MATCH_THRESHOLD
    sudanese = _with(q("Abdul", "Mohamed"), nationality="Sudanese")
    assert score(sudanese, _with(person("Abdul", "Mohamed"), nationality="Afghan"))[0] < MATCH_THRESHOLD


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("Man", "male"),
        ("Female", " woman "),
        ("Prefers not to say", "Man"),
        ("", "Woman"),
        ("Non-binary", "non-binary"),
    ],
)
def test_gender_written_differently_or_not_said_does_not_count_against(ours, theirs):
    base = score(q("Robin", "Richards"), person("Robin", "Richards"))[0]
    query = _with(q("Robin", "Richards"), gender=ours)
    assert score(query, _with(person("Robin", "Richards"), gender=theirs))[0] == base


def test_a_strong_name_and_date_of_birth_still_match_across_a_recorded_gender():
    # A record can be out of date: someone may describe their gender differently now.
    query = _with(q("Alex", "Morgan", D(1990, 4, 4)), gender="Man")
    value = score(query, _with(person("Alex", "Morgan", D(1990, 4, 4)), gender="Woman", nationality=""))[0]
    assert value >= MATCH_THRESHOLD


def test_more_agreement_scores_higher():
    base = person("Robert", "Smith", D(1980, 5, 12))
    values = [
        score(query, base)[0]
        for query in (
            q("Robert", "Smith", D(1980, 5, 12)),
            q("Bob", "Smith", D(1980, 5, 12)),
            q("Bob", "Smith"),
            q("Bob", "Smyth"),
            q(last="Smith"),
        )
    ]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values), values


# A labelled set, the kind of near-duplicates the demo seeds: the threshold must
# keep recall at or above 0.95 and precision at or above 0.9.
PAIRS = [
    (q("Robert", "Smith", D(1980, 5, 12)), person("Bob", "Smith", D(1980, 5, 12)), True),
    (q("Elizabeth", "Taylor", D(1975, 3, 1)), person("Liz", "Tailor", D(1975, 3, 1)), True),
    (q("Muhammad", "Ali", D(1991, 2, 3)), person("Mohammed", "Ali", D(1991, 3, 2)), True),
    (q("Katherine", "Oconnor", D(1988, 8, 8)), person("Kathryn", "O'Connor", D(1988, 8, 8)), True),
    (q("Stephen", "Hughes"), person("Steven", "Hughes", D(1970, 1, 1)), True),
    (q("Jane", "Clarke-Wood", D(1965, 4, 4)), person("Jane", "Wood", D(1965, 4, 4)), True),
    (q("Piotr", "Nowak", D(1983, 10, 21)), person("Peter", "Nowak", D(1983, 10, 21)), True),
    (q("Sean", "Murphy", D(1979, 6, 15)), person("Shaun", "Murphy", D(1979, 6, 15)), True),
    (q("Aisha", "Begum", D(1995, 12, 1)), person("Ayesha", "Begum", D(1995, 12, 1)), True),
    (q("Michael", "Johnson", D(1960, 3, 3)), person("Mick", "Jonson", D(1960, 3, 3)), True),
    (q("Christopher", "Lee", D(1982, 1, 1), "year"), person("Chris", "Lee", D(1982, 7, 4)), True),
    (q("Gary", "Evans", D(1977, 11, 1), "month"), person("Garry", "Evans", D(1977, 11, 23)), True),
    (q("Tom", "Walsh", age=45, on=D(2025, 1, 1)), person("Thomas", "Walsh", D(1980, 6, 6)), True),
    (q("Daniel", "Moss", D(1980, 5, 12)), person("Danny", "Moss", D(1980, 5, 21)), True),
    (q("Jakub", "Wisniewski", D(1992, 9, 9)), person("Jakub", "Wiśniewski", D(1992, 9, 9)), True),
    (q("Lee", "Robinson", D(1986, 2, 14)), person("Lee", "Robinsen", D(1986, 2, 14)), True),
    (q("Olu", "Adeyemi", D(1990, 5, 5)), person("Olu", "Adeyemi", D(1990, 5, 5)), True),
    (q("Rab", "Burns", D(1959, 1, 25)), person("Robert", "Burns", D(1959, 1, 25)), True),
    (q("Kasia", "Zielinska", D(1994, 4, 30)), person("Katarzyna", "Zielinska", D(1994, 4, 30)), True),
    (q("Jim", "Doyle"), person("James", "Doyle"), True),
    # Different people who share something.
    (q("John", "Smith", D(1980, 5, 12)), person("John", "Smith", D(1955, 2, 2)), False),
    (q("David", "Jones", D(1970, 1, 1)), person("Daniel", "Jones", D(1985, 6, 6)), False),
    (q("Sarah", "Khan", D(1990, 3, 3)), person("Sarah", "Malik", D(1972, 3, 3)), False),
    (q("Paul", "Green", D(1980, 5, 12)), person("Paula", "Greenwood", D(1964, 10, 10)), False),
    (q("Mark", "Lewis", D(1988, 8, 8)), person("Mark", "Lewis", D(1968, 8, 18)), False),
    (q("Emma", "Hall", D(1993, 1, 1)), person("Jack", "Hall", D(1993, 1, 1)), False),
    (q("Ali", "Hassan", D(1999, 9, 9)), person("Ali", "Hussain", D(1961, 1, 1)), False),
    (q("Chris", "Lee", D(1982, 7, 4)), person("Christine", "Leigh", D(1951, 12, 12)), False),
    (q("Tom", "Walsh", age=20, on=D(2025, 1, 1)), person("Thomas", "Walsh", D(1950, 6, 6)), False),
    (q("Amy", "Wilson", D(2000, 2, 2)), person("Amir", "Wilson", D(1975, 2, 2)), False),
]


def test_the_threshold_gives_the_recall_and_precision_the_issue_asks_for():
    shown = [(score(query, candidate)[0] >= MATCH_THRESHOLD, same) for query, candidate, same in PAIRS]
    true_positives = sum(1 for s, same in shown if s and same)
    recall = true_positives / sum(1 for _, same in shown if same)
    precision = true_positives / max(1, sum(1 for s, _ in shown if s))
    assert recall >= 0.95, [(q_.first_name, c.first_name, score(q_, c)) for q_, c, same in PAIRS if same]
    assert precision >= 0.9


def test_parse_search_reads_dates_references_and_words():
    assert parse_search("wm-7k3q9").reference == "WM-7K3Q9"
    parsed = parse_search("Dan Moss 12/05/1980")
    assert parsed.words == ("DAN", "MOSS")
    assert parsed.dates[0].value == D(1980, 5, 12)
    assert parse_search("1980-05-12").dates[0].value == D(1980, 5, 12)
    assert parse_search("05/1980").dates[0].precision == "month"
    assert parse_search("1980").dates[0].precision == "year"
    assert parse_search("31/02/1980").dates == ()


# --- through the database and the access model -------------------------------------------


def _person(service, episode=True, **fields):
    p = PersonFactory(registered_by_service=service, **fields)
    if episode:
        EpisodeFactory(person=p, service=service)
    return p


def test_saving_a_person_keeps_their_keys(cast):
    p = _person(cast.outreach, first_name="Robert", last_name="Smith")
    assert "ln:SMITH" in set(MatchKey.objects.filter(person=p).values_list("key", flat=True))
    p.last_name = "Jones"
    p.save()
    keys = set(MatchKey.objects.filter(person=p).values_list("key", flat=True))
    assert "ln:JONES" in keys and "ln:SMITH" not in keys
    OtherName.objects.create(person=p, first_name="Bobby", last_name="Brown")
    refresh_keys(p)
    assert MatchKey.objects.filter(person=p, key="ln:BROWN", area=cast.area).exists()


def test_candidates_come_only_from_what_the_user_may_see(cast):
    query = q("Priya", "Shah")
    refuge_view = find_matches(cast.refuge_worker, query)
    assert refuge_view and refuge_view[0].person == cast.protected_person
    assert refuge_view[0].visibility == Visibility.FULL
    [limited] = find_matches(cast.outreach_worker, query)
    assert limited.visibility == Visibility.EXISTS
    assert limited.reasons == []
    assert [s.name for s in limited.contacts] == ["Safe Haven"]
    for who in ("solo_worker", "analyst", "outsider"):
        assert find_matches(getattr(cast, who), query) == [], who


def test_a_protected_record_is_not_judged_on_gender_or_nationality(cast):
    # Were they to count, trying genders or nationalities until it vanished would tell.
    Person.objects.filter(pk=cast.protected_person.pk).update(gender="Woman", nationality="British")
    for gender, nationality in (("Woman", "British"), ("Man", "Eritrean")):
        query = _with(q("Priya", "Shah"), gender=gender, nationality=nationality)
        [limited] = find_matches(cast.outreach_worker, query)
        assert limited.visibility == Visibility.EXISTS and limited.score is None


def test_hidden_people_never_appear_to_services_not_working_with_them(cast):
    query = q("Hana", "Kaur")
    for who in ("outreach_worker", "hostel_worker", "viewer", "solo_worker", "coordinator"):
        assert find_matches(getattr(cast, who), query) == [], who
    assert find_matches(cast.refuge_worker, query)[0].person == cast.hidden_person
    assert cast.hidden_person.restriction == Restriction.HIDDEN


def test_area_matching_finds_near_duplicates_and_can_leave_one_out(cast):
    a = _person(cast.outreach, first_name="Robert", last_name="Smith", date_of_birth=D(1980, 5, 12))
    a.birth_date_precision = "exact"
    a.save()
    b = _person(cast.hostel, first_name="Bob", last_name="Smyth", date_of_birth=D(1980, 12, 5))
    b.birth_date_precision = "exact"
    b.save()
    found = find_matches_in_area(cast.area, MatchQuery.from_person(b), exclude=[b.pk])
    assert [c.person for c in found] == [a]
    assert found[0].score >= MATCH_THRESHOLD


def test_the_check_makes_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    for i in range(40):
        _person(cast.outreach, first_name="John", last_name=f"Smith{i % 3}", date_of_birth=D(1980, 1, 1 + i % 28))
    from waymark.access import rules

    rules.context_for(cast.outreach_worker)
    with django_assert_max_num_queries(5):
        find_matches(cast.outreach_worker, q("John", "Smith0", D(1980, 1, 1)))
