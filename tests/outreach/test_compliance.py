"""Compliance scores: the score on hand-made records, London month boundaries, per-area essential
fields, the command, the Celery task, the pages and the API, who is refused, and bounded queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import assert_error, token_client
from tests.conftest import signed_in
from tests.factories import AreaFactory, OrganisationFactory, PersonFactory, ServiceFactory, member
from tests.outreach.conftest import contact
from waymark.access.constants import Restriction, Role, ServiceKind
from waymark.audit.models import AuditEvent
from waymark.outreach import compliance, tasks
from waymark.outreach.models import ComplianceScore, EssentialField
from waymark.people.models import Person

UTC = datetime.UTC
MAY = datetime.date(2024, 5, 1)
JANUARY_2023 = datetime.date(2023, 1, 1)
DEFAULT_PERSON = ["date_of_birth", "gender", "nationality", "local_connection", "immigration_status"]


def registered(service, at: datetime.datetime, **fields) -> Person:
    """A person registered by `service`, their record created at `at` (UTC)."""
    person = PersonFactory(registered_by_service=service, **fields)
    Person.objects.filter(pk=person.pk).update(created_at=at)
    person.refresh_from_db()
    return person


def complete_fields(cast) -> dict:
    return {
        "birth_date_precision": "exact",
        "date_of_birth": datetime.date(1980, 5, 1),
        "gender": "Man",
        "nationality": "British",
        "local_connection": cast.district,
        "immigration_status": "british_irish",
    }


@pytest.fixture
def outreach_manager(cast):
    return member(
        Role.MANAGER, cast.outreach, username="meg.manager", area=cast.area, organisation=cast.outreach.organisation
    )


@pytest.fixture
def may(cast):
    """Northway's May 2024: three people (0, 5 and 2 fields missing) and two contacts (0 and 3 missing)."""
    when = datetime.datetime(2024, 5, 10, 12, tzinfo=UTC)
    full = registered(cast.outreach, when, first_name="Ann", last_name="Full", **complete_fields(cast))
    empty = registered(cast.outreach, when, first_name="Bob", last_name="Empty")
    estimated = registered(
        cast.outreach,
        when,
        first_name="Cat",
        last_name="Aged",
        birth_date_precision="estimated",
        estimated_age=40,
        age_estimated_on=datetime.date(2024, 5, 10),
        gender="Woman",
        nationality="Irish",
    )
    good = contact(
        cast.outreach_worker,
        cast.outreach,
        person=full,
        when=when,
        district=cast.district,
        site_type="doorway",
    )
    vague = contact(cast.outreach_worker, cast.outreach, description="Man, 40s", when=when)
    return {"full": full, "empty": empty, "estimated": estimated, "good": good, "vague": vague}


# --- the score ---------------------------------------------------------------------------------------


def test_the_score_counts_the_essential_fields_present(cast, may):
    score = compliance.compute_month(cast.outreach, MAY)
    # People: 3 × 5 fields, 7 missing; contacts: 2 × 4 fields, 3 missing. 13 of 23 present.
    assert (score.records, score.fields_checked, score.fields_missing) == (5, 23, 10)
    assert score.score == Decimal("56.5")
    entries = compliance.fix_list(score)
    by_id = {e.get("person") if e["kind"] == "person" else e["contact"]: e for e in entries}
    assert set(by_id) == {str(may["empty"].public_id), str(may["estimated"].public_id), str(may["vague"].public_id)}
    assert by_id[str(may["empty"].public_id)]["fields"] == DEFAULT_PERSON
    assert by_id[str(may["empty"].public_id)]["reference"] == may["empty"].reference
    assert by_id[str(may["estimated"].public_id)]["fields"] == ["local_connection", "immigration_status"]
    assert by_id[str(may["vague"].public_id)]["fields"] == ["person", "district", "site_type"]
    assert by_id[str(may["vague"].public_id)]["seen_on"] == "2024-05-10"
    summary = compliance.summary_of(score)
    assert (summary.people, summary.contacts, summary.incomplete_people, summary.incomplete_contacts) == (3, 2, 2, 1)
    assert summary.more == 0
    totals = {(t.kind, t.name): t.missing for t in summary.fields}
    assert totals[("person", "gender")] == 1 and totals[("person", "local_connection")] == 2
    assert totals[("contact", "person")] == 1 and totals[("contact", "location")] == 0


def test_computing_again_updates_the_one_score(cast, may):
    first = compliance.compute_month(cast.outreach, MAY)
    Person.objects.filter(pk=may["empty"].pk).update(gender="Man")
    again = compliance.compute_month(cast.outreach, datetime.date(2024, 5, 20))
    assert again.pk == first.pk and again.month == MAY
    assert again.fields_missing == 9
    assert ComplianceScore.objects.filter(service=cast.outreach).count() == 1


def test_nothing_entered_means_no_score(cast, may):
    assert compliance.compute_month(cast.hostel, MAY) is None
    compliance.compute_month(cast.outreach, MAY)
    Person.objects.filter(registered_by_service=cast.outreach, created_at__year=2024).update(
        created_at=datetime.datetime(2023, 1, 5, tzinfo=UTC)
    )
    for made in (may["good"], may["vague"]):
        made.delete()
    assert compliance.compute_month(cast.outreach, MAY) is None
    assert not ComplianceScore.objects.filter(service=cast.outreach, month=MAY).exists()


def test_a_complete_month_scores_100_and_a_near_complete_one_never_does(cast):
    when = datetime.datetime(2024, 5, 3, 9, tzinfo=UTC)
    registered(cast.outreach, when, **complete_fields(cast))
    assert compliance.compute_month(cast.outreach, MAY).score == Decimal("100.0")
    for _ in range(400):
        registered(cast.outreach, when, **complete_fields(cast))
    registered(cast.outreach, when, **{**complete_fields(cast), "gender": ""})
    # 2009 of 2010 present is 99.95%: shown as 99.9, not 100.0, because something is missing.
    assert compliance.compute_month(cast.outreach, MAY).score == Decimal("99.9")


def test_only_the_services_own_records_count(cast, may):
    registered(cast.hostel, datetime.datetime(2024, 5, 10, tzinfo=UTC))
    contact(cast.hostel_worker, cast.hostel, description="Woman", when=datetime.datetime(2024, 5, 11, tzinfo=UTC))
    assert compliance.compute_month(cast.outreach, MAY).records == 5
    assert compliance.compute_month(cast.hostel, MAY).records == 2


def test_the_fix_it_list_is_capped_and_says_how_many_more(cast, monkeypatch):
    monkeypatch.setattr(compliance, "LIST_CAP", 2)
    when = datetime.datetime(2024, 5, 2, tzinfo=UTC)
    for _ in range(3):
        registered(cast.outreach, when)
    contact(cast.outreach_worker, cast.outreach, description="Man", when=when)
    score = compliance.compute_month(cast.outreach, MAY)
    assert len(compliance.fix_list(score)) == 2
    summary = compliance.summary_of(score)
    assert (summary.listed, summary.more) == (2, 2)
    assert score.records == 4


# --- month boundaries in London time -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "month"),
    [
        # GMT in winter: midnight UTC is midnight in London.
        (datetime.datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC), datetime.date(2024, 2, 1)),
        (datetime.datetime(2024, 3, 1, 0, 0, tzinfo=UTC), datetime.date(2024, 3, 1)),
        # 31 March 2024 23:30 UTC is 00:30 on 1 April in London (summer time began that day).
        (datetime.datetime(2024, 3, 31, 22, 59, 59, tzinfo=UTC), datetime.date(2024, 3, 1)),
        (datetime.datetime(2024, 3, 31, 23, 0, tzinfo=UTC), datetime.date(2024, 4, 1)),
        (datetime.datetime(2024, 6, 30, 23, 30, tzinfo=UTC), datetime.date(2024, 7, 1)),
        # The clocks go back on 27 October 2024; 31 October 23:30 UTC is still October.
        (datetime.datetime(2024, 10, 31, 23, 30, tzinfo=UTC), datetime.date(2024, 10, 1)),
        (datetime.datetime(2024, 12, 31, 23, 59, tzinfo=UTC), datetime.date(2024, 12, 1)),
    ],
)
def test_a_person_counts_in_their_london_month(cast, created, month):
    registered(cast.outreach, created)
    assert compliance.compute_month(cast.outreach, month).records == 1
    for other in (compliance.add_months(month, -1), compliance.add_months(month, 1)):
        assert compliance.compute_month(cast.outreach, other) is None


def test_a_contact_counts_in_the_month_of_its_london_day(cast):
    late = datetime.datetime(2024, 3, 31, 23, 30, tzinfo=UTC)
    contact(cast.outreach_worker, cast.outreach, description="Man", when=late)
    assert compliance.compute_month(cast.outreach, datetime.date(2024, 3, 1)) is None
    assert compliance.compute_month(cast.outreach, datetime.date(2024, 4, 1)).records == 1


def test_months_are_parsed_strictly():
    assert compliance.parse_month("2024-02") == datetime.date(2024, 2, 1)
    for bad in ("2024-13", "24-02", "2024/02", "", "1999-12", "2024-2"):
        with pytest.raises(ValidationError):
            compliance.parse_month(bad)
    assert compliance.add_months(datetime.date(2024, 12, 1), 1) == datetime.date(2025, 1, 1)
    assert compliance.add_months(datetime.date(2024, 1, 1), -13) == datetime.date(2022, 12, 1)


# --- essential fields per area ------------------------------------------------------------------------


def test_an_area_chooses_its_essential_fields(cast, may):
    elsewhere = AreaFactory(name="Elsewhere")
    other = ServiceFactory(organisation=OrganisationFactory(area=elsewhere), kind=ServiceKind.OUTREACH)
    registered(other, datetime.datetime(2024, 5, 4, tzinfo=UTC))
    compliance.set_essential_fields(cast.area_admin, ["gender", "nationality"], ["site_type"])
    assert compliance.essential_fields(cast.area.pk) == {"person": ["gender", "nationality"], "contact": ["site_type"]}
    score = compliance.compute_month(cast.outreach, MAY)
    # People: 3 × 2 fields, 2 missing (Bob's); contacts: 2 × 1, 1 missing.
    assert (score.fields_checked, score.fields_missing) == (8, 3)
    assert compliance.summary_of(score).essential == {"person": ["gender", "nationality"], "contact": ["site_type"]}
    # Another area keeps the defaults.
    assert compliance.compute_month(other, MAY).fields_checked == 5
    assert AuditEvent.objects.filter(kind="admin", action__contains="essential fields").exists()


def test_only_an_area_admin_sets_the_fields_and_only_from_the_list(cast):
    with pytest.raises(PermissionDenied):
        compliance.set_essential_fields(cast.manager, ["gender"], ["site_type"])
    # Another area's admin chooses for their own area only.
    compliance.set_essential_fields(cast.outsider, ["gender"], ["site_type"])
    assert compliance.essential_fields(cast.area.pk)["person"] == DEFAULT_PERSON
    EssentialField.objects.all().delete()
    with pytest.raises(ValidationError) as raised:
        compliance.set_essential_fields(cast.area_admin, ["gender", "password"], [])
    assert set(raised.value.message_dict) == {"person_fields", "contact_fields"}
    assert not EssentialField.objects.exists()


def test_the_fields_page_saves_the_ticked_fields(cast):
    client = signed_in(cast.area_admin)
    url = reverse("outreach:compliance_fields")
    page = client.get(url)
    assert page.status_code == 200 and b"has not chosen yet" in page.content
    saved = client.post(url, {"person_fields": ["gender", "local_connection"], "contact_fields": ["district"]})
    assert saved.status_code == 302
    assert compliance.essential_fields(cast.area.pk) == {
        "person": ["gender", "local_connection"],
        "contact": ["district"],
    }
    again = client.get(url).content.decode()
    assert 'value="gender" checked' in again and 'value="nationality" checked' not in again


def test_the_fields_page_keeps_the_choice_and_says_what_to_fix(cast):
    client = signed_in(cast.area_admin)
    url = reverse("outreach:compliance_fields")
    nothing = client.post(url, {"person_fields": ["gender"]})
    assert nothing.status_code == 400
    text = nothing.content.decode()
    assert "Choose at least one essential field for street contacts" in text
    assert 'value="gender" checked' in text and 'href="#id_contact_fields_0"' in text
    made_up = client.post(url, {"person_fields": ["password"], "contact_fields": ["district"]})
    assert made_up.status_code == 400 and b"Select a valid choice" in made_up.content
    assert not EssentialField.objects.exists()


@pytest.mark.parametrize("who", ["manager", "outreach_worker", "viewer", "analyst", "coordinator", "solo_worker"])
def test_only_area_admins_open_the_fields_page(cast, who):
    response = signed_in(getattr(cast, who)).get(reverse("outreach:compliance_fields"))
    assert response.status_code == 403


# --- the command and the task -------------------------------------------------------------------------


def test_the_command_scores_every_active_service(cast, may, capsys):
    registered(cast.hostel, datetime.datetime(2024, 5, 4, tzinfo=UTC))
    registered(cast.solo, datetime.datetime(2024, 5, 4, tzinfo=UTC))
    cast.solo.is_active = False
    cast.solo.save()
    call_command("compute_compliance", "--month", "2024-05")
    assert "Saved 2 compliance scores for May 2024" in capsys.readouterr().out
    assert set(ComplianceScore.objects.values_list("service__name", flat=True)) == {
        "Northway Street Team",
        "Harbour House",
    }


def test_the_command_scores_one_service(cast, may, capsys):
    call_command("compute_compliance", "--month", "2024-05", "--service", str(cast.outreach.public_id))
    assert "Northway Street Team, May 2024: 56.5%" in capsys.readouterr().out
    call_command("compute_compliance", "--month", "2024-05", "--service", str(cast.hostel.public_id))
    assert "entered nothing" in capsys.readouterr().out
    assert ComplianceScore.objects.count() == 1


@pytest.mark.parametrize(
    "arguments",
    [
        ["--month", "May 2024"],
        ["--month", "2999-01"],
        ["--month", "2024-05", "--service", "not-a-uuid"],
        ["--month", "2024-05", "--service", "00000000-0000-0000-0000-000000000000"],
    ],
)
def test_the_command_refuses_bad_arguments(cast, arguments):
    with pytest.raises(CommandError):
        call_command("compute_compliance", *arguments)


def test_the_task_scores_a_month(cast, may):
    assert tasks.compute_compliance_scores("2024-05") == 1
    assert ComplianceScore.objects.get(service=cast.outreach).score == Decimal("56.5")
    # Celery runs eagerly here, as in the embedded default.
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert tasks.compute_compliance_scores.delay("2024-05").get() == 1


def test_the_task_scores_last_month_by_default(cast):
    last = compliance.previous_month()
    start, _ = compliance.month_bounds(last)
    registered(cast.outreach, start + datetime.timedelta(days=2))
    assert tasks.compute_compliance_scores() == 1
    assert ComplianceScore.objects.get().month == last


def test_beat_runs_the_task_on_the_first_of_the_month():
    entry = settings.CELERY_BEAT_SCHEDULE["outreach-compliance-monthly"]
    assert entry["task"] == tasks.compute_compliance_scores.name
    assert entry["schedule"].day_of_month == {1}


# --- pages -------------------------------------------------------------------------------------------------


def detail_url(service, month=MAY):
    return reverse("outreach:compliance_detail", args=[service.public_id, month])


def test_a_manager_sees_their_services_trend(cast, may, outreach_manager):
    compliance.compute_month(cast.outreach, MAY)
    page = signed_in(outreach_manager).get(reverse("outreach:compliance"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Northway Street Team" in text and "Harbour House" not in text
    assert "56.5" in text and detail_url(cast.outreach) in text


def test_the_hostel_manager_sees_the_hostel_only(cast, may):
    compliance.compute_month(cast.outreach, MAY)
    client = signed_in(cast.manager)
    index = client.get(reverse("outreach:compliance")).content.decode()
    assert "Harbour House" in index and "Northway Street Team" not in index
    assert client.get(detail_url(cast.outreach)).status_code == 404
    recalculate = reverse("outreach:compliance_recalculate", args=[cast.outreach.public_id, MAY])
    assert client.post(recalculate).status_code == 404


def test_an_area_admin_sees_every_service_of_the_area(cast, may):
    compliance.compute_month(cast.outreach, MAY)
    client = signed_in(cast.area_admin)
    index = client.get(reverse("outreach:compliance")).content.decode()
    for name in ("Northway Street Team", "Harbour House", "Safe Haven", "Solo Drop-in"):
        assert name in index
    assert client.get(detail_url(cast.outreach)).status_code == 200


@pytest.mark.parametrize("who", ["outreach_worker", "solo_worker", "viewer", "analyst", "coordinator"])
def test_workers_viewers_and_analysts_are_refused(cast, may, who):
    compliance.compute_month(cast.outreach, MAY)
    client = signed_in(getattr(cast, who))
    assert client.get(reverse("outreach:compliance")).status_code == 403
    assert client.get(detail_url(cast.outreach)).status_code == 403
    recalculate = reverse("outreach:compliance_recalculate", args=[cast.outreach.public_id, MAY])
    assert client.post(recalculate).status_code == 403


def test_another_areas_admin_does_not_see_our_services(cast, may):
    compliance.compute_month(cast.outreach, MAY)
    client = signed_in(cast.outsider)
    index = client.get(reverse("outreach:compliance")).content.decode()
    assert "Northway Street Team" not in index
    assert client.get(detail_url(cast.outreach)).status_code == 404


def test_anonymous_is_sent_to_sign_in(cast, may):
    from django.test import Client

    compliance.compute_month(cast.outreach, MAY)
    for url in (reverse("outreach:compliance"), detail_url(cast.outreach), reverse("outreach:compliance_fields")):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_detail_lists_what_to_fix_with_links(cast, may, outreach_manager):
    compliance.compute_month(cast.outreach, MAY)
    page = signed_in(outreach_manager).get(detail_url(cast.outreach))
    text = page.content.decode()
    assert page.status_code == 200
    assert "56.5%" in text
    assert reverse("people:edit", args=[may["empty"].public_id]) in text
    assert "Bob Empty" in text and may["empty"].reference in text
    assert "Local connection, Immigration status" in text
    assert f"/outreach/contacts/{may['vague'].public_id}/" in text
    assert "Person identified, District, Site type" in text
    # Complete records are not listed.
    assert may["full"].reference not in text


def test_the_list_withholds_a_hidden_person_the_reader_may_not_open(cast, outreach_manager):
    hidden = registered(
        cast.outreach, datetime.datetime(2024, 5, 6, tzinfo=UTC), last_name="Secret", restriction=Restriction.HIDDEN
    )
    compliance.compute_month(cast.outreach, MAY)
    manager_view = signed_in(outreach_manager).get(detail_url(cast.outreach)).content.decode()
    assert hidden.reference not in manager_view and "Secret" not in manager_view
    assert "A person you cannot open now" in manager_view
    admin_view = signed_in(cast.area_admin).get(detail_url(cast.outreach)).content.decode()
    assert hidden.reference in admin_view


def test_recalculate_now(cast, may, outreach_manager):
    client = signed_in(outreach_manager)
    url = reverse("outreach:compliance_recalculate", args=[cast.outreach.public_id, MAY])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(cast.outreach)
    assert "Recalculated: 56.5%" in response.content.decode()
    assert ComplianceScore.objects.get(service=cast.outreach, month=MAY).score == Decimal("56.5")
    assert AuditEvent.objects.filter(kind="admin", action__startswith="Recalculated").exists()
    future = compliance.add_months(compliance.this_month(), 1)
    later = client.post(reverse("outreach:compliance_recalculate", args=[cast.outreach.public_id, future]), follow=True)
    assert "has not started yet" in later.content.decode()
    assert not ComplianceScore.objects.filter(month=future).exists()


def test_a_month_without_a_score_says_so(cast, outreach_manager):
    response = signed_in(outreach_manager).get(detail_url(cast.outreach, datetime.date(2023, 1, 1)))
    assert response.status_code == 200 and b"No score for January 2023" in response.content


@pytest.mark.parametrize("month", ["2024-13", "1999-12", "2024-1"])
def test_a_month_that_is_not_one_is_a_404(cast, outreach_manager, month):
    url = f"/outreach/compliance/{cast.outreach.public_id}/{month}/"
    assert signed_in(outreach_manager).get(url).status_code == 404


# --- the API ----------------------------------------------------------------------------------------------


API = "/api/v1/compliance/"


def test_the_api_gives_a_score_and_its_list(cast, may, outreach_manager):
    compliance.compute_month(cast.outreach, MAY)
    response = token_client(outreach_manager).get(API, {"service": str(cast.outreach.public_id), "month": "2024-05"})
    assert response.status_code == 200, response.content
    [score] = response.json()["results"]
    assert score["score"] == 56.5 and score["month"] == "2024-05" and score["records"] == 5
    assert (score["people"], score["contacts"], score["incomplete"], score["more"]) == (3, 2, 3, 0)
    missing = {(e["record_type"], e["person"] or e["contact"]): e["fields"] for e in score["missing"]}
    assert missing[("person", str(may["empty"].public_id))] == DEFAULT_PERSON
    assert missing[("contact", str(may["vague"].public_id))] == ["person", "district", "site_type"]
    gender = next(t for t in score["by_field"] if t["field"] == "gender")
    assert gender == {"record_type": "person", "field": "gender", "label": "Gender", "missing": 1, "checked": 3}


def test_the_api_lists_only_your_services_without_the_list(cast, may, outreach_manager):
    compliance.compute_month(cast.outreach, MAY)
    registered(cast.hostel, datetime.datetime(2024, 5, 4, tzinfo=UTC))
    compliance.compute_month(cast.hostel, MAY)
    mine = token_client(outreach_manager).get(API).json()["results"]
    assert [s["service_name"] for s in mine] == ["Northway Street Team"] and mine[0]["missing"] is None
    everything = token_client(cast.area_admin).get(API, {"month": "2024-05"}).json()["results"]
    assert {s["service_name"] for s in everything} == {"Northway Street Team", "Harbour House"}


def test_the_api_refuses_others(cast, may):
    compliance.compute_month(cast.outreach, MAY)
    params = {"service": str(cast.outreach.public_id), "month": "2024-05"}
    assert_error(token_client(cast.manager).get(API, params), 404)
    assert_error(token_client(cast.outsider).get(API, params), 404)
    for who in ("outreach_worker", "solo_worker", "viewer", "analyst", "coordinator"):
        assert_error(token_client(getattr(cast, who)).get(API, params), 403)
    from rest_framework.test import APIClient

    assert_error(APIClient().get(API, params), 401)


def test_the_api_says_what_is_wrong_with_the_parameters(cast, outreach_manager):
    client = token_client(outreach_manager)
    bad_month = assert_error(client.get(API, {"month": "May"}), 400)
    assert "month" in bad_month["fields"]
    bad_service = assert_error(client.get(API, {"service": "nope"}), 400)
    assert "service" in bad_service["fields"]


# --- bounded queries ----------------------------------------------------------------------------------------


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_computing_takes_the_same_queries_for_many_records(cast, may):
    compliance.compute_month(cast.outreach, MAY)
    few = _queries(lambda: compliance.compute_month(cast.outreach, MAY))
    when = datetime.datetime(2024, 5, 12, tzinfo=UTC)
    for _ in range(40):
        registered(cast.outreach, when)
        contact(cast.outreach_worker, cast.outreach, description="Man", when=when)
    many = _queries(lambda: compliance.compute_month(cast.outreach, MAY))
    assert many == few <= 10


def test_the_pages_are_bounded(cast, outreach_manager, django_assert_max_num_queries):
    when = datetime.datetime(2024, 5, 12, tzinfo=UTC)
    for _ in range(60):
        registered(cast.outreach, when)
        contact(cast.outreach_worker, cast.outreach, description="Man", when=when)
    for month in range(1, 13):
        registered(cast.outreach, datetime.datetime(2024, month, 3, tzinfo=UTC))
        compliance.compute_month(cast.outreach, datetime.date(2024, month, 1))
    client = signed_in(outreach_manager)
    with django_assert_max_num_queries(12):
        assert client.get(detail_url(cast.outreach)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(detail_url(cast.outreach) + "?page=3").status_code == 200
    admin = signed_in(cast.area_admin)
    with django_assert_max_num_queries(10):
        assert admin.get(reverse("outreach:compliance")).status_code == 200
    api = token_client(outreach_manager)
    with django_assert_max_num_queries(10):
        assert api.get(API, {"service": str(cast.outreach.public_id), "month": "2024-05"}).status_code == 200


def test_the_optional_contact_fields_are_checked(cast):
    compliance.set_essential_fields(cast.area_admin, ["gender"], ["actions", "needs", "map_pin"])
    when = datetime.datetime(2024, 5, 9, 22, tzinfo=UTC)
    pinned = contact(
        cast.outreach_worker,
        cast.outreach,
        description="Man",
        when=when,
        latitude="53.48",
        longitude="-2.24",
        actions=["conversation"],
    )
    placed = contact(cast.outreach_worker, cast.outreach, description="Woman", when=when, needs=["drugs"])
    score = compliance.compute_month(cast.outreach, MAY)
    missing = {e["contact"]: e["fields"] for e in compliance.fix_list(score)}
    assert missing == {str(pinned.public_id): ["needs"], str(placed.public_id): ["map_pin", "actions"]}
    assert (score.fields_checked, score.fields_missing, score.score) == (6, 3, Decimal("50.0"))
