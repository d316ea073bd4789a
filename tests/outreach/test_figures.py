"""Rough-sleeping figures on hand-made data with known answers.

Contacts are made directly (the figures read `seen_on` and `rough_sleeping`, which
the service layer sets) except where the service layer's own day-keeping is what
is tested: the contact at 23:30 UTC on 31 March in summer time.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AreaFactory, DistrictFactory, OrganisationFactory, PersonFactory, ServiceFactory
from tests.outreach.conftest import contact
from tests.outreach.helpers import at, stored_contact
from waymark.access.constants import ServiceKind
from waymark.outreach import figures as f
from waymark.outreach.periods import parse_period

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 6, 15)


def seen(cast, person, day, *, rough=True, needs=(), hour=12, **fields):
    """One contact on a London day, as the service layer would store it."""
    seen_doing = "bedded_down" if rough else "sitting_or_walking"
    return stored_contact(cast, person, when=at(hour, day=day), seen_doing=seen_doing, needs=list(needs), **fields)


def someone(cast, **fields):
    return PersonFactory(registered_by_service=cast.outreach, **fields)


def counts(cast, period, district=None):
    """The raw (unsuppressed) headline counts, as the area admin's figures hold them."""
    figures = f.rough_sleeping_figures(cast.area_admin, parse_period(period, today=TODAY), district)
    return {cell.key: cell.count for cell in figures.measures}


def rows(breakdown):
    return {cell.label: cell.count for cell in breakdown.rows}


# --- flow, stock and returners --------------------------------------------------------


@pytest.fixture
def population(cast):
    """Q1 2025 (previous: Q4 2024) with one of each kind, at the edges of both periods."""
    people = {name: someone(cast, first_name=name) for name in "ABCDEFGHI"}
    p = people
    seen(cast, p["A"], D(2025, 2, 10))  # flow, seen once
    seen(cast, p["B"], D(2025, 1, 5))  # flow, seen twice
    seen(cast, p["B"], D(2025, 3, 20))
    seen(cast, p["B"], D(2025, 3, 20), hour=22)  # twice on one day is one day
    seen(cast, p["C"], D(2024, 11, 1))  # stock
    seen(cast, p["C"], D(2025, 1, 15))
    seen(cast, p["D"], D(2023, 6, 1))  # returner, seen on the period's last day
    seen(cast, p["D"], D(2025, 3, 31))
    seen(cast, p["E"], D(2024, 12, 31))  # stock: last day of the previous period, first of this
    seen(cast, p["E"], D(2025, 1, 1))
    seen(cast, p["F"], D(2024, 9, 30))  # returner: the day before the previous period
    seen(cast, p["F"], D(2025, 1, 1))
    seen(cast, p["G"], D(2025, 4, 1))  # the day after: not in the period
    seen(cast, p["H"], D(2024, 12, 31))  # the day before: not in the period
    seen(cast, p["I"], D(2025, 2, 1), rough=False)  # sitting, not rough sleeping
    seen(cast, None, D(2025, 2, 1))  # not yet identified: not a person to count
    return people


def test_flow_stock_and_returners_on_a_known_population(cast, population):
    assert counts(cast, "2025-Q1") == {
        "people": 6,
        "flow": 2,
        "stock": 2,
        "returners": 2,
        "living_on_streets": 0,
        "new_seen_once": 1,
    }


def test_flow_stock_and_returners_add_up_to_the_people_seen(cast, population):
    for period in ("2025-Q1", "2025-01", "2025-03", "2024-Q4", "2024", "2025", "2024-12-15..2025-01-15"):
        c = counts(cast, period)
        assert c["flow"] + c["stock"] + c["returners"] == c["people"], period


def test_other_periods_of_the_same_population(cast, population):
    # January 2025 (previous: December 2024): B, C, E, F seen; E seen on 31 December.
    assert counts(cast, "2025-01") | {"living_on_streets": 0} == {
        "people": 4,
        "flow": 1,  # B
        "stock": 1,  # E
        "returners": 2,  # C (November), F (September)
        "living_on_streets": 0,
        "new_seen_once": 1,  # B, once in January
    }
    # The last quarter of 2024: C, E, H new; F's 30 September is the day before.
    assert counts(cast, "2024-Q4")["flow"] == 3
    assert counts(cast, "2025-04") == {
        "people": 1,
        "flow": 1,
        "stock": 0,
        "returners": 0,
        "living_on_streets": 0,
        "new_seen_once": 1,
    }


def test_another_area_is_not_counted(cast, population):
    elsewhere = AreaFactory(name="Elsewhere")
    team = ServiceFactory(
        organisation=OrganisationFactory(area=elsewhere), kind=ServiceKind.OUTREACH, name="Far Away Team"
    )
    stranger = PersonFactory(registered_by_service=team)
    seen(cast, stranger, D(2025, 2, 2), area=elsewhere, service=team)
    assert counts(cast, "2025-Q1")["people"] == 6
    figures = f.rough_sleeping_figures(cast.outsider, parse_period("2025-Q1", today=TODAY))
    assert figures.measure("people").count == 1


# --- midnight, first and last days, leap years -----------------------------------------


def test_a_contact_at_half_past_eleven_utc_on_31_march_in_summer_time_is_on_1_april(cast):
    # 30 March 2025 was the first day of British Summer Time: 23:30 UTC is 00:30 on 1 April.
    made = contact(
        cast.outreach_worker,
        cast.outreach,
        person=cast.person,
        when=datetime.datetime(2025, 3, 31, 23, 30, tzinfo=datetime.UTC),
    )
    assert made.seen_on == D(2025, 4, 1) and made.rough_sleeping
    assert counts(cast, "2025-03")["people"] == 0
    assert counts(cast, "2025-Q1")["people"] == 0
    assert counts(cast, "2025-04")["people"] == 1
    assert counts(cast, "2025-04-01..2025-04-01")["people"] == 1


def test_a_contact_at_half_past_eleven_utc_in_winter_stays_on_its_day(cast):
    made = contact(
        cast.outreach_worker,
        cast.outreach,
        person=cast.person,
        when=datetime.datetime(2025, 1, 31, 23, 30, tzinfo=datetime.UTC),
    )
    assert made.seen_on == D(2025, 1, 31)
    assert counts(cast, "2025-01")["people"] == 1
    assert counts(cast, "2025-02")["people"] == 0


def test_first_and_last_days_of_a_range_are_included(cast):
    first, last, outside = someone(cast), someone(cast), someone(cast)
    seen(cast, first, D(2025, 1, 10))
    seen(cast, last, D(2025, 1, 20))
    seen(cast, outside, D(2025, 1, 9))
    seen(cast, outside, D(2025, 1, 21))
    assert counts(cast, "2025-01-10..2025-01-20")["people"] == 2


def test_29_february_counts_in_february_and_in_a_range_across_it(cast):
    leap, returning = someone(cast), someone(cast)
    seen(cast, leap, D(2024, 2, 29))
    seen(cast, leap, D(2024, 3, 1))
    seen(cast, returning, D(2024, 1, 31))
    seen(cast, returning, D(2024, 3, 15))
    assert counts(cast, "2024-02")["people"] == 1
    assert counts(cast, "2024-02-29..2024-02-29")["people"] == 1
    march = counts(cast, "2024-03")
    # Previous period: all 29 days of February 2024.
    assert (march["stock"], march["returners"], march["flow"]) == (1, 1, 0)
    # 20 days over 29 February (previous: 31 January to 19 February).
    across = counts(cast, "2024-02-20..2024-03-10")
    assert (across["people"], across["flow"], across["returners"]) == (1, 1, 0)
    assert counts(cast, "2024-03-01..2024-03-20")["stock"] == 1  # 29 February is in the 20 days before


# --- living on the streets, and seen only once ----------------------------------------


@pytest.fixture
def regulars(cast):
    """Q1 2025: who is seen how often."""
    people = {}
    for name, days in {
        "three_over_21": [D(2025, 1, 1), D(2025, 1, 10), D(2025, 1, 22)],
        "three_over_20": [D(2025, 1, 1), D(2025, 1, 10), D(2025, 1, 21)],
        "two_over_60": [D(2025, 1, 1), D(2025, 3, 2)],
        "twice_one_day": [D(2025, 1, 1), D(2025, 1, 1), D(2025, 1, 22)],
        "five_close": [D(2025, 2, d) for d in (1, 2, 3, 4, 5)],
        "ten_over_the_quarter": [D(2025, 1, 1) + datetime.timedelta(days=9 * i) for i in range(10)],
    }.items():
        person = people[name] = someone(cast, first_name=name)
        for hour, day in enumerate(days):
            seen(cast, person, day, hour=8 + hour)
    return people


def test_living_on_the_streets_by_default_is_three_days_over_21(cast, regulars):
    assert counts(cast, "2025-Q1")["living_on_streets"] == 2  # three_over_21, ten_over_the_quarter


def test_living_on_the_streets_counts_only_days_in_the_period(cast, regulars):
    # In January the ten-a-quarter person is seen on 1, 10, 19 and 28 January: still 27 days apart.
    assert counts(cast, "2025-01")["living_on_streets"] == 2
    # In February only 6, 15 and 24 February: 18 days apart.
    assert counts(cast, "2025-02")["living_on_streets"] == 0


def test_an_area_can_change_the_living_on_the_streets_rule(cast, regulars, settings):
    settings.ROUGH_SLEEPING_LIVING_ON_STREETS = {"min_days": 2, "min_span_days": 20}
    # Now two_over_60, three_over_20 and twice_one_day count as well.
    assert counts(cast, "2025-Q1")["living_on_streets"] == 5
    settings.ROUGH_SLEEPING_LIVING_ON_STREETS = {"min_days": 5, "min_span_days": 1}
    assert counts(cast, "2025-Q1")["living_on_streets"] == 2  # five_close, ten_over_the_quarter
    figures = f.rough_sleeping_figures(cast.area_admin, parse_period("2025-Q1", today=TODAY))
    assert "at least 5 different days" in dict(f.definitions(figures.rule))["Living on the streets"]


def test_a_nonsensical_rule_keeps_the_default(settings):
    settings.ROUGH_SLEEPING_LIVING_ON_STREETS = {"min_days": "three", "min_span_days": -4}
    assert f.living_rule() == f.LivingRule(3, 21)
    settings.ROUGH_SLEEPING_LIVING_ON_STREETS = {"min_span_days": 14}
    assert f.living_rule() == f.LivingRule(3, 14)


def test_new_people_seen_only_once_are_flow_people_with_one_day(cast, regulars):
    once, returner = someone(cast), someone(cast)
    seen(cast, once, D(2025, 2, 14))
    seen(cast, returner, D(2020, 5, 1))
    seen(cast, returner, D(2025, 2, 14))  # seen once, but not new
    c = counts(cast, "2025-Q1")
    assert (c["people"], c["flow"], c["returners"], c["new_seen_once"]) == (8, 7, 1, 1)


# --- districts -------------------------------------------------------------------------


def test_a_districts_figures_use_each_persons_history_across_the_area(cast):
    otherton = DistrictFactory(area=cast.area, name="Otherton")
    moved, local, away = someone(cast), someone(cast), someone(cast)
    seen(cast, moved, D(2024, 5, 1), district=otherton)
    seen(cast, moved, D(2025, 2, 1), district=cast.district)
    seen(cast, local, D(2025, 2, 1), district=cast.district)
    seen(cast, local, D(2025, 2, 20), district=otherton)  # seen twice, once in each district
    seen(cast, away, D(2025, 2, 1), district=otherton)
    testford = counts(cast, "2025-Q1", cast.district)
    assert (testford["people"], testford["flow"], testford["returners"], testford["new_seen_once"]) == (2, 1, 1, 0)
    assert counts(cast, "2025-Q1", otherton)["people"] == 2
    assert counts(cast, "2025-Q1")["people"] == 3
    figures = f.rough_sleeping_figures(cast.area_admin, parse_period("2025-Q1", today=TODAY))
    assert rows(figures.breakdown("district")) == {"Otherton": 2, "Testford": 2, "No district recorded": 0}


def test_a_district_of_another_area_is_refused(cast):
    elsewhere = DistrictFactory(area=AreaFactory(name="Elsewhere"), name="Faraway")
    with pytest.raises(ValidationError):
        f.rough_sleeping_figures(cast.area_admin, parse_period("2025-Q1", today=TODAY), elsewhere)
    with pytest.raises(ValidationError):
        f.find_district(f.districts_for(cast.area_admin), str(elsewhere.public_id))
    assert f.find_district(f.districts_for(cast.area_admin), str(cast.district.public_id)) == cast.district
    assert f.find_district(f.districts_for(cast.area_admin), "") is None


# --- breakdowns ------------------------------------------------------------------------


def test_age_bands_on_the_periods_last_day(cast):
    born = [
        {"date_of_birth": D(2007, 4, 1), "birth_date_precision": "exact"},  # 17 on 31 March 2025
        {"date_of_birth": D(2007, 3, 31), "birth_date_precision": "exact"},  # 18 that day
        {"date_of_birth": D(1999, 4, 1), "birth_date_precision": "exact"},  # 25
        {"date_of_birth": D(1999, 3, 31), "birth_date_precision": "exact"},  # 26
        {"date_of_birth": D(1969, 3, 1), "birth_date_precision": "month"},  # 56
        {"date_of_birth": D(1959, 1, 1), "birth_date_precision": "year"},  # 66
        {"estimated_age": 40, "age_estimated_on": D(2023, 6, 1), "birth_date_precision": "estimated"},  # 41
        {"estimated_age": 45, "age_estimated_on": D(2024, 4, 1), "birth_date_precision": "estimated"},  # still 45
        {"estimated_age": 45, "age_estimated_on": D(2024, 3, 31), "birth_date_precision": "estimated"},  # 46
        {"estimated_age": 30, "age_estimated_on": D(2026, 1, 1), "birth_date_precision": "estimated"},  # later: 30
        {},  # not known
        {"date_of_birth": D(1980, 1, 1), "birth_date_precision": "unknown"},  # precision says not known
    ]
    for fields in born:
        seen(cast, someone(cast, **fields), D(2025, 2, 1))
    figures = f.rough_sleeping_figures(cast.area_admin, parse_period("2025-Q1", today=TODAY))
    assert rows(figures.breakdown("age")) == {
        "Under 18": 1,
        "18 to 25": 2,
        "26 to 35": 2,
        "36 to 45": 2,
        "46 to 55": 1,
        "56 to 65": 1,
        "Over 65": 1,
        "Not known": 2,
    }
    assert sum(rows(figures.breakdown("age")).values()) == figures.measure("people").count


def test_someone_born_on_29_february_turns_18_on_1_march(cast):
    person = someone(cast, date_of_birth=D(2008, 2, 29), birth_date_precision="exact")
    seen(cast, person, D(2026, 2, 10))
    seen(cast, person, D(2026, 3, 10))
    february = f.rough_sleeping_figures(cast.area_admin, parse_period("2026-02", today=TODAY))
    march = f.rough_sleeping_figures(cast.area_admin, parse_period("2026-03", today=TODAY))
    assert rows(february.breakdown("age"))["Under 18"] == 1
    assert rows(march.breakdown("age"))["18 to 25"] == 1


def test_gender_as_written_is_folded(cast):
    for gender in ("Male", "man ", "M", "Trans man", "Female", "woman", "Non-binary", "", "Prefers not to say"):
        seen(cast, someone(cast, gender=gender), D(2025, 2, 1))
    figures = f.rough_sleeping_figures(cast.area_admin, parse_period("2025-Q1", today=TODAY))
    assert rows(figures.breakdown("gender")) == {
        "Man": 4,
        "Woman": 2,
        "Non-binary or another gender": 1,
        "Not known": 2,
    }


def test_nationality_top_ones_then_other_then_not_known(cast):
    written = ["British", "british ", "BRITISH", "British", "British", "British"]
    written += ["Polish"] * 5 + ["Romanian", "Romanian", "Eritrean", ""]
    for nationality in written:
        seen(cast, someone(cast, nationality=nationality), D(2025, 2, 1))
    figures = f.rough_sleeping_figures(cast.area_admin, parse_period("2025-Q1", today=TODAY))
    nationality = figures.breakdown("nationality")
    assert rows(nationality) == {"British": 6, "Polish": 5, "Other nationalities": 3, "Not known": 1}
    assert [cell.shown for cell in nationality.rows] == ["6", "5", "<5", "<5"]


def test_support_needs_observed_on_contacts_in_the_period(cast):
    one, two, three = someone(cast), someone(cast), someone(cast)
    seen(cast, one, D(2025, 1, 5), needs=["drugs", "alcohol"])
    seen(cast, one, D(2025, 2, 5), needs=["drugs"])  # the same need twice: one person
    seen(cast, two, D(2025, 1, 5), needs=["mental_health"])
    seen(cast, two, D(2024, 12, 5), needs=["nrpf"])  # before the period
    seen(cast, three, D(2025, 1, 5), needs=["drugs"], rough=False)  # not a rough-sleeping contact
    seen(cast, three, D(2025, 1, 6))
    figures = f.rough_sleeping_figures(cast.area_admin, parse_period("2025-Q1", today=TODAY))
    needs = rows(figures.breakdown("needs"))
    assert needs["Drug use"] == 1
    assert needs["Alcohol use"] == 1
    assert needs["Mental health"] == 1
    assert needs["No recourse to public funds"] == 0
    assert not figures.breakdown("needs").additive


def test_hidden_people_are_counted(cast):
    seen(cast, cast.hidden_person, D(2025, 2, 1))
    seen(cast, cast.protected_person, D(2025, 2, 1))
    seen(cast, cast.person, D(2025, 2, 1))
    for user in (cast.area_admin, cast.analyst, cast.outreach_worker):
        assert f.rough_sleeping_figures(user, parse_period("2025-Q1", today=TODAY)).measure("people").count == 3


# --- suppression -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts_", "total", "hidden"),
    [
        ([10, 12], 22, [False, False]),
        ([10, 3, 7], 20, [False, True, True]),  # 3 alone could be worked out: 7 goes too
        ([1, 2, 12], 15, [True, True, False]),  # two hidden: neither can be worked out
        ([0, 0, 12], 12, [True, True, True]),  # two hidden adding to nothing would show both are 0
        ([3, 8, 9], None, [True, False, False]),  # not a row with a total: no secondary
        ([2, 1], 3, [True, True]),  # the total is itself hidden
        ([4], None, [True]),
        ([5], None, [False]),
        ([0], None, [True]),
    ],
)
def test_suppression(counts_, total, hidden):
    assert f.suppress(counts_, total) == hidden


def test_small_headline_numbers_are_hidden_with_the_next_smallest(cast):
    # 3 new, 7 stock, 12 returners: 22 people; the flow alone could be worked out.
    for i in range(22):
        person = someone(cast)
        if i >= 3:
            seen(cast, person, D(2024, 12, 1) if i < 10 else D(2023, 1, 1))
        seen(cast, person, D(2025, 2, 1))
    figures = f.rough_sleeping_figures(cast.analyst, parse_period("2025-Q1", today=TODAY))
    shown = {cell.key: cell.shown for cell in figures.measures}
    assert shown == {
        "people": "22",
        "flow": "<5",
        "stock": "<5",  # 7, hidden so the flow cannot be worked out
        "returners": "12",
        "living_on_streets": "<5",
        "new_seen_once": "<5",
    }


# --- who may see them, and how many queries -------------------------------------------


@pytest.mark.parametrize("who", ["area_admin", "coordinator", "analyst", "outreach_worker"])
def test_who_may_see_the_figures(cast, who):
    f.rough_sleeping_figures(getattr(cast, who), parse_period("2025-Q1", today=TODAY))


@pytest.mark.parametrize("who", ["hostel_worker", "viewer", "solo_worker", "manager", "refuge_worker"])
def test_who_may_not(cast, who):
    with pytest.raises(PermissionDenied):
        f.rough_sleeping_figures(getattr(cast, who), parse_period("2025-Q1", today=TODAY))


def test_anonymous_may_not():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        f.check_access(AnonymousUser())


def test_the_number_of_queries_does_not_grow_with_the_data(cast):
    period = parse_period("2025-Q1", today=TODAY)
    f.rough_sleeping_figures(cast.area_admin, period)  # the access context is read once per user

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            f.rough_sleeping_figures(cast.area_admin, period)
        return len(captured)

    few = queries()
    for i in range(30):
        person = someone(cast, gender="Man" if i % 2 else "Woman", nationality="British")
        seen(cast, person, D(2025, 1, 1) + datetime.timedelta(days=i), needs=["drugs"])
        seen(cast, person, D(2024, 11, 1))
    assert queries() == few <= 8
