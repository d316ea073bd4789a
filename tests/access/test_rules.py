"""The access rules: the pure function, the queryset, and that they agree."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import EpisodeFactory, PersonFactory
from waymark.access import rules
from waymark.access.constants import Restriction, Role, Visibility
from waymark.access.rules import AccessContext, PersonFacts, person_visibility
from waymark.people.models import Person

# --- the pure statement -----------------------------------------------------------

WORKER = AccessContext(
    user_id=1, area_id=1, service_ids=frozenset({10}), organisation_ids=frozenset({100}), shares=True
)


def facts(**kw) -> PersonFacts:
    base = {
        "area_id": 1,
        "linked_organisation_ids": frozenset({200}),
        "linked_sharing_organisation_ids": frozenset({200}),
    }
    base.update(kw)
    return PersonFacts(**base)


def test_anonymous_sees_nothing():
    assert person_visibility(rules.ANONYMOUS, facts()) == Visibility.NONE


def test_sharing_organisations_see_each_others_people():
    assert person_visibility(WORKER, facts()) == Visibility.FULL


def test_without_a_current_agreement_only_own_records_are_seen():
    lonely = AccessContext(
        user_id=1, area_id=1, service_ids=frozenset({10}), organisation_ids=frozenset({100}), shares=False
    )
    assert person_visibility(lonely, facts()) == Visibility.NONE
    own = facts(linked_organisation_ids=frozenset({100}), linked_sharing_organisation_ids=frozenset())
    assert person_visibility(lonely, own) == Visibility.FULL


def test_people_known_only_to_a_non_sharing_organisation_are_not_shared():
    assert person_visibility(WORKER, facts(linked_sharing_organisation_ids=frozenset())) == Visibility.NONE


def test_protected_shows_only_that_a_record_exists():
    assert person_visibility(WORKER, facts(restriction=Restriction.PROTECTED)) == Visibility.EXISTS


def test_hidden_is_invisible_unless_working_with():
    assert person_visibility(WORKER, facts(restriction=Restriction.HIDDEN)) == Visibility.NONE
    working = facts(restriction=Restriction.HIDDEN, open_service_ids=frozenset({10}))
    assert person_visibility(WORKER, working) == Visibility.FULL


def test_working_with_sees_protected_in_full():
    assert (
        person_visibility(WORKER, facts(restriction=Restriction.PROTECTED, open_service_ids=frozenset({10})))
        == Visibility.FULL
    )


def test_area_admin_sees_all_in_area_only():
    admin = AccessContext(user_id=1, area_id=1, area_roles=frozenset({Role.AREA_ADMIN}))
    assert person_visibility(admin, facts(restriction=Restriction.HIDDEN)) == Visibility.FULL
    assert person_visibility(admin, facts(area_id=2)) == Visibility.NONE


def test_analyst_sees_no_person():
    analyst = AccessContext(user_id=1, area_id=1, area_roles=frozenset({Role.ANALYST}))
    assert person_visibility(analyst, facts()) == Visibility.NONE


# --- the cast, through the database -----------------------------------------------------


def visible_names(user) -> set[str]:
    return set(Person.objects.visible_to(user).values_list("first_name", flat=True))


def test_cast_visibility(cast):
    assert visible_names(cast.outreach_worker) == {"Dan", "Priya"}
    assert visible_names(cast.refuge_worker) == {"Dan", "Priya", "Hana"}
    assert visible_names(cast.solo_worker) == {"Sol"}
    assert visible_names(cast.viewer) == {"Dan", "Priya"}
    assert visible_names(cast.coordinator) == {"Dan", "Priya"}
    assert visible_names(cast.area_admin) == {"Dan", "Priya", "Hana", "Sol"}
    assert visible_names(cast.analyst) == set()
    assert visible_names(cast.outsider) == set()
    full = set(Person.objects.fully_visible_to(cast.outreach_worker).values_list("first_name", flat=True))
    assert full == {"Dan"}


def test_an_expired_agreement_takes_effect_without_restart(cast):
    from waymark.access.models import SharingAgreement

    assert "Dan" in visible_names(cast.hostel_worker)
    SharingAgreement.objects.filter(organisation=cast.hostel.organisation).update(
        expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    cast.hostel_worker._waymark_access_context = None  # a new request
    cast.hostel_worker = type(cast.hostel_worker).objects.get(pk=cast.hostel_worker.pk)
    assert visible_names(cast.hostel_worker) == set()


def test_ending_an_episode_ends_full_access_to_a_protected_person(cast):
    from waymark.casework.models import Episode

    worker = cast.refuge_worker
    assert rules.visibility_of(worker, cast.protected_person) == Visibility.FULL
    Episode.objects.filter(person=cast.protected_person).update(ended_on=datetime.date.today())
    worker = type(worker).objects.get(pk=worker.pk)
    assert rules.visibility_of(worker, cast.protected_person) == Visibility.EXISTS


# --- the pure function and the queryset agree ----------------------------------------------


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(
    restriction=st.sampled_from(list(Restriction)),
    registered=st.integers(0, 2),
    episodes=st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=3, unique_by=lambda e: e[0]),
    viewer_service=st.integers(0, 2),
    role=st.sampled_from([Role.CONTRIBUTOR, Role.VIEWER, Role.COORDINATOR, Role.AREA_ADMIN, Role.ANALYST]),
    sharing=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_queryset_agrees_with_the_pure_rules(restriction, registered, episodes, viewer_service, role, sharing):
    from tests.factories import AgreementFactory, AreaFactory, OrganisationFactory, ServiceFactory, member

    area = AreaFactory(name="Property Area")
    orgs = [OrganisationFactory(area=area) for _ in range(3)]
    services = [ServiceFactory(organisation=org) for org in orgs]
    for org, shares in zip(orgs, sharing, strict=True):
        if shares:
            AgreementFactory(organisation=org)
    person = PersonFactory(registered_by_service=services[registered], restriction=restriction)
    for index, is_open in episodes:
        EpisodeFactory(person=person, service=services[index], ended_on=None if is_open else datetime.date.today())
    if role in (Role.COORDINATOR, Role.AREA_ADMIN, Role.ANALYST):
        user = member(role, area=area, organisation=orgs[viewer_service])
    else:
        user = member(role, services[viewer_service], area=area, organisation=orgs[viewer_service])
    expected = rules.visibility_of(user, person)
    in_exists = Person.objects.visible_to(user).filter(pk=person.pk).exists()
    in_full = Person.objects.fully_visible_to(user).filter(pk=person.pk).exists()
    assert in_exists == (expected >= Visibility.EXISTS)
    assert in_full == (expected == Visibility.FULL)


def test_people_linked_only_by_an_episode_are_reached_from_either_side(cast):
    """Both ways `_linked_by_episode` is written: from a large reach (a sharing
    organisation) and from a small one (an organisation without an agreement)."""
    registered_by_solo = PersonFactory(registered_by_service=cast.solo, first_name="Via", last_name="Outreach")
    EpisodeFactory(person=registered_by_solo, service=cast.outreach)
    registered_by_outreach = PersonFactory(registered_by_service=cast.outreach, first_name="Via", last_name="Solo")
    EpisodeFactory(person=registered_by_outreach, service=cast.solo, ended_on=datetime.date.today())
    assert {"Via Outreach", "Via Solo"} <= {
        f"{p.first_name} {p.last_name}" for p in Person.objects.visible_to(cast.hostel_worker)
    }
    solo_sees = {f"{p.first_name} {p.last_name}" for p in Person.objects.visible_to(cast.solo_worker)}
    assert "Via Solo" in solo_sees
    assert "Via Outreach" in solo_sees  # registered by Solo itself
    assert "Dan Moss" not in solo_sees
