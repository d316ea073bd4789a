"""The demo's shared record at small scale: people's details, match keys, case notes and the
seeded near-duplicates with their truth file."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from waymark.access.constants import Restriction
from waymark.access.models import Area, District, Membership
from waymark.casework.models import CaseNote, Episode, NoteKind
from waymark.core.demo import SCALES, default_truth_file
from waymark.people.demo import NEAR_DUPLICATE_MIN, VARIATIONS
from waymark.people.matching import keys_for_person
from waymark.people.models import BirthDatePrecision, MatchKey, OtherName, Person


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Path]:
    """The small demo, built once for this module (a build takes seconds) and removed after it."""
    truth = tmp_path_factory.mktemp("truth") / "near-duplicates.json"
    with django_db_blocker.unblock():
        call_command("demo", scale="small", truth_file=truth, stdout=io.StringIO(), stderr=io.StringIO())
        try:
            yield truth
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def truth_file(built) -> Path:
    return built


@pytest.fixture
def demo(db, built) -> Area:
    return Area.objects.get()


def test_people_have_the_issues_details_in_a_realistic_mix(demo):
    people = Person.objects.filter(area=demo)
    named = people.exclude(first_name="", last_name="")
    precisions = dict(named.values_list("birth_date_precision").annotate(n=Count("pk")))
    # Most dates are exact; every other precision occurs.
    assert set(precisions) == set(BirthDatePrecision.values)
    assert precisions[BirthDatePrecision.EXACT] > sum(precisions.values()) / 2
    # A partial date is its first day; an estimate has an age and a day; unknown has nothing.
    assert not people.filter(birth_date_precision=BirthDatePrecision.MONTH).exclude(date_of_birth__day=1).exists()
    year_only = people.filter(birth_date_precision=BirthDatePrecision.YEAR)
    assert not year_only.exclude(date_of_birth__day=1, date_of_birth__month=1).exists()
    estimated = people.filter(birth_date_precision=BirthDatePrecision.ESTIMATED)
    assert not estimated.filter(Q(estimated_age__isnull=True) | Q(age_estimated_on__isnull=True)).exists()
    assert not estimated.filter(date_of_birth__isnull=False).exists()
    assert not people.filter(birth_date_precision=BirthDatePrecision.UNKNOWN, date_of_birth__isnull=False).exists()

    assert {"Man", "Woman"} <= set(people.values_list("gender", flat=True))
    assert (
        people.filter(pronouns="they/them").exists()
        or people.exclude(gender__in=["Man", "Male", "Woman", "Female", ""]).exists()
    )
    assert people.exclude(pronouns="").count() > 50
    nationalities = set(people.values_list("nationality", flat=True))
    assert "British" in nationalities and len(nationalities) > 5
    assert len(set(people.values_list("immigration_status", flat=True))) >= 4
    assert set(people.values_list("no_recourse_to_public_funds", flat=True)) == {True, False, None}
    assert people.filter(interpreter_needed=True).exists()
    assert people.exclude(languages="").exclude(languages="English").exists()
    for details in ("phone", "email", "safe_contact", "last_settled_address"):
        with_it = people.exclude(**{details: ""}).count()
        assert 0 < with_it < people.count(), details
    districts = set(District.objects.filter(area=demo).values_list("pk", flat=True))
    connections = set(people.exclude(local_connection=None).values_list("local_connection", flat=True))
    assert connections and connections <= districts
    # Refuge residents' safe contact goes through the refuge.
    assert not people.filter(restriction=Restriction.PROTECTED, safe_contact="").exclude(first_name="").exists()
    assert OtherName.objects.filter(person__area=demo).count() > 5


def test_every_person_has_the_match_keys_the_matcher_would_give_them(demo):
    people = Person.objects.filter(area=demo).prefetch_related("other_names")
    stored: dict[int, set[str]] = {}
    for person_id, area_id, key in MatchKey.objects.values_list("person_id", "area_id", "key"):
        assert area_id == demo.pk
        stored.setdefault(person_id, set()).add(key)
    for person in people:
        assert stored.get(person.pk, set()) == keys_for_person(person, person.other_names.all()), person.reference
    assert len(stored) > people.count() * 0.8


def test_case_notes_fall_inside_episodes_by_the_services_staff(demo):
    notes = CaseNote.objects.filter(person__area=demo)
    episodes = Episode.objects.filter(person__area=demo)
    events = notes.count() + episodes.count() + episodes.filter(ended_on__isnull=False).count()
    assert abs(events - SCALES["small"].events) < SCALES["small"].events * 0.1
    assert set(notes.values_list("kind", flat=True)) == set(NoteKind.values)
    assert 0 < notes.filter(private_to_service=True).count() < notes.count() / 4
    assert not notes.filter(signed_off_at__lt=F("contact_at")).exists()

    # Each original note is written by a member of a service that has an episode with the person, in it.
    spans: dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]] = {}
    for person_id, service_id, started, ended in episodes.values_list(
        "person_id", "service_id", "started_on", "ended_on"
    ):
        spans.setdefault((person_id, service_id), []).append((started, ended))
    members = set(Membership.objects.values_list("user_id", "service_id"))
    today = datetime.date.today()
    for person_id, service_id, author_id, contact_at in notes.filter(amends=None).values_list(
        "person_id", "service_id", "author_id", "contact_at"
    ):
        assert (author_id, service_id) in members
        day = contact_at.date()
        assert any(
            start <= day <= (end or today) + datetime.timedelta(days=1) for start, end in spans[(person_id, service_id)]
        )

    # Notes are spread unevenly: some people have many, most a few.
    per_person = sorted(notes.values("person").annotate(n=Count("pk")).values_list("n", flat=True))
    assert per_person[-1] > 10 * per_person[len(per_person) // 2]

    # Amendments correct a note of the same person and service, later, and keep it.
    amendments = notes.exclude(amends=None).select_related("amends")
    assert amendments.exists()
    for note in amendments:
        assert (note.person_id, note.service_id) == (note.amends.person_id, note.amends.service_id)
        assert note.signed_off_at >= note.amends.signed_off_at
        assert note.amends.amends_id is None

    # Mentions link other people, by reference only.
    mentions = CaseNote.mentions.through.objects.filter(casenote__person__area=demo)
    assert mentions.exists()
    assert not mentions.filter(casenote__person_id=F("person_id")).exists()


def test_near_duplicates_are_seeded_and_their_truth_written(demo, truth_file):
    truth = json.loads(truth_file.read_text())
    assert truth["scale"] == "small" and truth["seed"] == 1 and truth["area"] == demo.name
    pairs = truth["pairs"]
    assert len(pairs) == NEAR_DUPLICATE_MIN
    assert Person.objects.filter(area=demo).count() == SCALES["small"].people
    people = {p.reference: p for p in Person.objects.filter(area=demo)}
    seen = set()
    for pair in pairs:
        original, duplicate = people[pair["original"]], people[pair["duplicate"]]
        assert original.pk != duplicate.pk and pair["duplicate"] not in seen
        seen.add(pair["duplicate"])
        assert set(pair["variations"]) <= set(VARIATIONS)
        # Two ordinary records by different services, not the same details twice.
        assert original.restriction == duplicate.restriction == Restriction.NONE
        assert original.registered_by_service_id != duplicate.registered_by_service_id
        details = ("first_name", "last_name", "known_as", "date_of_birth", "birth_date_precision")
        assert [getattr(original, f) for f in details] != [getattr(duplicate, f) for f in details]
        if "day_month_swapped" in pair["variations"]:
            swapped = duplicate.date_of_birth
            assert (swapped.day, swapped.month) == (original.date_of_birth.month, original.date_of_birth.day)
        if "dob_missing" in pair["variations"]:
            assert duplicate.date_of_birth is None and original.date_of_birth is not None
        if "known_as_only" in pair["variations"]:
            assert duplicate.first_name == "" and duplicate.known_as


def test_the_truth_file_goes_under_build_by_default():
    path = default_truth_file("area", 3)
    assert path.parts[:2] == ("build", "demo") and path.name == "near-duplicates-area-seed3.json"


def test_if_empty_skips_and_writes_no_truth_file(demo, tmp_path):
    other = tmp_path / "other.json"
    out = io.StringIO()
    call_command("demo", scale="small", if_empty=True, truth_file=other, stdout=out, stderr=io.StringIO())
    assert "left as it is" in out.getvalue()
    assert not other.exists()
    assert Person.objects.count() == SCALES["small"].people
