"""The alert queue and an alert's page: who sees what, assigning, outcomes, telling the reporter."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import DistrictFactory, ServiceFactory, member
from tests.outreach.conftest import contact
from waymark.access.constants import Role, ServiceKind
from waymark.audit.models import AuditEvent
from waymark.outreach import services_alerts
from waymark.outreach.models import Alert, AlertSource

QUEUE = "/outreach/alerts/"


def make_alert(cast, *, district=None, hours_ago=2, **fields) -> Alert:
    """An alert received `hours_ago`, straight into the table (the receiving rules are tested elsewhere)."""
    received = timezone.now() - datetime.timedelta(hours=hours_ago)
    defaults = {
        "area": cast.area,
        "source": AlertSource.PUBLIC,
        "received_at": received,
        "seen_at": received - datetime.timedelta(minutes=30),
        "location": "Doorway of 12 High Street",
        "description": "Man, 40s, green sleeping bag",
        "district": district,
    }
    defaults.update(fields)
    return Alert.objects.create(**defaults)


def url(alert, action="") -> str:
    return f"/outreach/alerts/{alert.public_id}/" + (f"{action}/" if action else "")


@pytest.fixture
def otherton(cast):
    return DistrictFactory(area=cast.area, name="Otherton")


@pytest.fixture
def alerts(cast, otherton):
    """One alert in Testford (the outreach team's district), one with no district, one in Otherton."""
    return {
        "testford": make_alert(cast, district=cast.district, hours_ago=5, location="Testford market"),
        "none": make_alert(cast, hours_ago=3, location="Somewhere by the canal"),
        "otherton": make_alert(cast, district=otherton, hours_ago=1, location="Otherton bus station"),
    }


# --- who sees the queue ------------------------------------------------------------------------------


def test_an_outreach_team_sees_its_district_and_unplaced_alerts_oldest_first(cast, alerts):
    page = signed_in(cast.outreach_worker).get(QUEUE).content.decode()
    assert "Testford market" in page and "Somewhere by the canal" in page
    assert "Otherton bus station" not in page
    assert page.index("Testford market") < page.index("Somewhere by the canal")
    assert "5\xa0hours ago" in page


@pytest.mark.parametrize("who", ["coordinator", "area_admin"])
def test_coordinators_and_area_admins_see_every_alert_in_the_area(cast, alerts, who):
    page = signed_in(getattr(cast, who)).get(QUEUE).content.decode()
    for place in ("Testford market", "Somewhere by the canal", "Otherton bus station"):
        assert place in page


@pytest.mark.parametrize("who", ["hostel_worker", "viewer", "analyst", "solo_worker", "manager", "refuge_worker"])
def test_other_services_and_analysts_see_no_alerts(cast, alerts, who):
    client = signed_in(getattr(cast, who))
    response = client.get(QUEUE)
    assert response.status_code == 403
    assert "Testford market" not in response.content.decode()
    for alert in alerts.values():
        assert client.get(url(alert)).status_code == 404


def test_another_area_sees_none_of_ours(cast, alerts):
    client = signed_in(cast.outsider)
    page = client.get(QUEUE)
    assert page.status_code == 200
    for place in ("Testford market", "Somewhere by the canal", "Otherton bus station"):
        assert place not in page.content.decode()
    assert client.get(url(alerts["none"])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(cast, alerts):
    client = Client()
    assert client.get(QUEUE).status_code == 302
    response = client.get(url(alerts["testford"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url(alerts["testford"], "assign")).status_code == 302
    assert Alert.objects.get(pk=alerts["testford"].pk).status == "new"


def test_the_team_cannot_open_another_districts_alert(cast, alerts):
    assert signed_in(cast.outreach_worker).get(url(alerts["otherton"])).status_code == 404


def test_an_alert_assigned_to_the_team_stays_visible_wherever_it_is(cast, alerts):
    alerts["otherton"].assigned_service = cast.outreach
    alerts["otherton"].status = "assigned"
    alerts["otherton"].save()
    assert "Otherton bus station" in signed_in(cast.outreach_worker).get(QUEUE).content.decode()


def test_an_outreach_team_with_no_district_covers_the_whole_area(cast, alerts):
    roaming = ServiceFactory(organisation=cast.outreach.organisation, name="Night Team", kind=ServiceKind.OUTREACH)
    worker = member(Role.CONTRIBUTOR, roaming, area=cast.area, organisation=cast.outreach.organisation)
    page = signed_in(worker).get(QUEUE).content.decode()
    assert "Otherton bus station" in page and "Testford market" in page


# --- filters, pages, queries ------------------------------------------------------------------------


def test_filters_by_status_and_district(cast, alerts, otherton):
    client = signed_in(cast.coordinator)
    alerts["none"].status = "closed"
    alerts["none"].outcome = "not_found"
    alerts["none"].outcome_at = timezone.now()
    alerts["none"].save()
    page = client.get(QUEUE).content.decode()
    assert "Somewhere by the canal" not in page  # open only, by default
    page = client.get(QUEUE, {"status": "closed"}).content.decode()
    assert "Somewhere by the canal" in page and "Testford market" not in page and "Not found" in page
    page = client.get(QUEUE, {"district": str(otherton.public_id)}).content.decode()
    assert "Otherton bus station" in page and "Testford market" not in page
    page = client.get(QUEUE, {"district": "none", "status": "all"}).content.decode()
    assert "Somewhere by the canal" in page and "Otherton bus station" not in page
    # Nonsense filters fall back to the defaults, not an error.
    assert client.get(QUEUE, {"status": "lost", "district": "nowhere"}).status_code == 200


def test_the_queue_pages_and_its_queries_are_bounded(cast, django_assert_max_num_queries):
    worker = member(Role.CONTRIBUTOR, cast.outreach, area=cast.area, organisation=cast.outreach.organisation)
    for n in range(30):
        alert = make_alert(cast, district=cast.district, hours_ago=100 - n, location=f"Place number {n:02d}")
        if n % 2:
            alert.assigned_service, alert.assigned_to, alert.status = cast.outreach, worker, "assigned"
            alert.save()
    client = signed_in(cast.outreach_worker)
    client.get(QUEUE)  # warm the session
    with django_assert_max_num_queries(16):
        first = client.get(QUEUE).content.decode()
    assert "Place number 00" in first and "Place number 24" in first and "Place number 25" not in first
    with django_assert_max_num_queries(16):
        second = client.get(QUEUE, {"page": 2}).content.decode()
    assert "Place number 25" in second and "Page 2 of 2" in second


def test_an_alert_page_has_bounded_queries(cast, alerts, django_assert_max_num_queries):
    client = signed_in(cast.outreach_worker)
    contact(cast.outreach_worker, cast.outreach, description="Man, 40s")
    client.get(url(alerts["testford"]))
    with django_assert_max_num_queries(18):
        assert client.get(url(alerts["testford"])).status_code == 200


# --- assigning --------------------------------------------------------------------------------------


def test_assign_to_me(cast, alerts):
    alert = alerts["testford"]
    client = signed_in(cast.outreach_worker)
    page = client.get(url(alert)).content.decode()
    assert "Assign to me" in page and "Record the outcome" in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "each form on the page has its own element ids"
    response = client.post(
        url(alert, "assign"),
        {"service": str(cast.outreach.public_id), "assignee": str(cast.outreach_worker.public_id), "version": 1},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "assigned" and alert.assigned_to == cast.outreach_worker
    assert alert.assigned_service == cast.outreach and alert.version == 2
    event = AuditEvent.objects.get(object_id=str(alert.public_id), kind="change")
    assert "Assigned an alert" in event.action


def test_assign_to_someone_outside_the_team_is_refused(cast, alerts):
    alert = alerts["testford"]
    response = signed_in(cast.outreach_worker).post(
        url(alert, "assign"),
        {"service": str(cast.outreach.public_id), "assignee": str(cast.hostel_worker.public_id), "version": 1},
    )
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == "new"


def test_a_stale_assignment_is_refused_and_says_so(cast, alerts):
    alert = alerts["testford"]
    colleague = member(Role.CONTRIBUTOR, cast.outreach, area=cast.area, organisation=cast.outreach.organisation)
    services_alerts.assign_alert(cast.coordinator, alert, service=cast.outreach, assignee=colleague)
    response = signed_in(cast.outreach_worker).post(
        url(alert, "assign"),
        {"service": str(cast.outreach.public_id), "assignee": str(cast.outreach_worker.public_id), "version": 1},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Someone else changed this alert" in page
    # The choice made stays selected, and the form now carries the new version.
    assert f'value="{cast.outreach_worker.public_id}" selected' in page
    assert 'name="version" value="2"' in page
    alert.refresh_from_db()
    assert alert.assigned_to == colleague


def test_a_coordinator_gives_an_alert_to_a_team(cast, alerts):
    alert = alerts["otherton"]
    response = signed_in(cast.coordinator).post(
        url(alert, "assign"), {"service": str(cast.outreach.public_id), "version": 1}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.assigned_service == cast.outreach and alert.assigned_to is None


def test_a_team_cannot_take_another_teams_alert(cast, alerts):
    other = ServiceFactory(organisation=cast.outreach.organisation, name="East Team", kind=ServiceKind.OUTREACH)
    alert = alerts["testford"]
    services_alerts.assign_alert(cast.coordinator, alert, service=other)
    client = signed_in(cast.outreach_worker)
    assert "Assign to me" not in client.get(url(alert)).content.decode()
    response = client.post(
        url(alert, "assign"),
        {"service": str(cast.outreach.public_id), "assignee": str(cast.outreach_worker.public_id), "version": 2},
    )
    assert response.status_code in (200, 403)
    alert.refresh_from_db()
    assert alert.assigned_service == other


# --- outcomes -----------------------------------------------------------------------------------


def test_found_and_contacted_links_the_teams_contact_and_keeps_the_response_time(cast, alerts):
    alert = alerts["testford"]
    met = contact(cast.outreach_worker, cast.outreach, person=cast.person)
    client = signed_in(cast.outreach_worker)
    page = client.get(url(alert)).content.decode()
    assert cast.person.reference in page  # offered as a contact to link
    response = client.post(
        url(alert, "outcome"), {"outcome": "found", "contact": str(met.public_id), "version": alert.version}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.outcome == "found" and alert.contact == met
    assert alert.outcome_by == cast.outreach_worker and alert.assigned_service == cast.outreach
    assert alert.response_time is not None and alert.response_time >= datetime.timedelta(hours=5)
    page = client.get(url(alert)).content.decode()
    assert "Time to respond" in page and "5\xa0hours" in page
    assert cast.person.reference in page
    event = AuditEvent.objects.get(object_id=str(alert.public_id), kind="change")
    assert event.person_reference == cast.person.reference and event.detail["outcome"] == "found"


def test_an_old_contact_or_another_teams_is_not_offered_or_accepted(cast, alerts):
    alert = alerts["testford"]
    old = contact(
        cast.outreach_worker, cast.outreach, description="Old one", when=timezone.now() - datetime.timedelta(days=4)
    )
    theirs = contact(cast.hostel_worker, cast.hostel, description="Hostel one")
    client = signed_in(cast.outreach_worker)
    page = client.get(url(alert)).content.decode()
    assert "Old one" not in page and "Hostel one" not in page
    for other in (old, theirs):
        response = client.post(
            url(alert, "outcome"), {"outcome": "found", "contact": str(other.public_id), "version": alert.version}
        )
        assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == "new"


def test_an_outcome_without_a_choice_keeps_the_page(cast, alerts):
    alert = alerts["testford"]
    response = signed_in(cast.outreach_worker).post(url(alert, "outcome"), {"version": alert.version})
    assert response.status_code == 200 and "Choose what came of the alert" in response.content.decode()


def test_a_stale_outcome_keeps_the_choice_and_says_what_happened(cast, alerts):
    alert = alerts["testford"]
    services_alerts.assign_alert(cast.outreach_worker, alert, service=cast.outreach, assignee=cast.outreach_worker)
    response = signed_in(cast.outreach_worker).post(url(alert, "outcome"), {"outcome": "not_found", "version": 1})
    page = response.content.decode()
    assert "Someone else changed this alert" in page
    assert 'value="not_found" checked' in page
    assert Alert.objects.get(pk=alert.pk).status == "assigned"


def test_a_hostel_worker_cannot_record_an_outcome(cast, alerts):
    alert = alerts["testford"]
    response = signed_in(cast.hostel_worker).post(url(alert, "outcome"), {"outcome": "not_found", "version": 1})
    assert response.status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == "new"


def test_a_hidden_persons_contact_stays_hidden_on_the_alert(cast, alerts):
    # The refuge met its hidden resident; a coordinator sees the alert, not whom it led to.
    refuge_contact = contact(
        cast.refuge_worker, cast.refuge, person=cast.hidden_person, seen_doing="sitting_or_walking"
    )
    alert = alerts["testford"]
    Alert.objects.filter(pk=alert.pk).update(status="closed", outcome="found", outcome_at=timezone.now())
    Alert.objects.filter(pk=alert.pk).update(contact=refuge_contact)
    page = signed_in(cast.coordinator).get(url(alert)).content.decode()
    assert cast.hidden_person.reference not in page and "Hana" not in page
    assert "Linked to a contact you cannot see" in page


# --- telling the reporter -------------------------------------------------------------------------


def _closed(cast, alert, outcome="found"):
    return services_alerts.record_outcome(cast.outreach_worker, alert, outcome=outcome, service=cast.outreach)


def test_tell_the_reporter_in_general_terms_after_confirming(cast, alerts):
    alert = alerts["testford"]
    Alert.objects.filter(pk=alert.pk).update(reporter_email="pat@example.org", reporter_name="Pat")
    alert.refresh_from_db()
    met = contact(cast.outreach_worker, cast.outreach, person=cast.person)
    alert = services_alerts.record_outcome(
        cast.outreach_worker, alert, outcome="found", contact=met, service=cast.outreach
    )
    client = signed_in(cast.outreach_worker)
    assert "Tell the reporter" in client.get(url(alert)).content.decode()
    confirm = client.post(url(alert, "tell-reporter"), {"version": alert.version})
    assert confirm.status_code == 200 and "pat@example.org" in confirm.content.decode()
    assert mail.outbox == []
    response = client.post(url(alert, "tell-reporter"), {"version": alert.version, "confirmed": "yes"})
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["pat@example.org"] and services_alerts.reference(alert) in email.subject
    assert "found the person" in email.body and "Dear Pat" in email.body
    for private in (cast.person.first_name, cast.person.last_name, cast.person.reference, "High Street", "Northway"):
        assert private not in email.body
    alert.refresh_from_db()
    assert alert.reporter_told_at is not None
    assert AuditEvent.objects.filter(object_id=str(alert.public_id), action__contains="Told the reporter").exists()
    # Once only.
    again = client.post(url(alert, "tell-reporter"), {"version": alert.version, "confirmed": "yes"})
    assert again.status_code == 200 and "already told" in again.content.decode()
    assert len(mail.outbox) == 1


def test_no_email_no_telling(cast, alerts):
    alert = _closed(cast, alerts["testford"], "not_found")
    client = signed_in(cast.outreach_worker)
    assert "Tell the reporter" not in client.get(url(alert)).content.decode()
    response = client.post(url(alert, "tell-reporter"), {"version": alert.version, "confirmed": "yes"})
    assert response.status_code == 200 and "did not leave an email" in response.content.decode()
    assert mail.outbox == []


def test_a_failed_email_records_nothing(cast, alerts, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    alert = alerts["testford"]
    Alert.objects.filter(pk=alert.pk).update(reporter_email="pat@example.org")
    alert = _closed(cast, Alert.objects.get(pk=alert.pk), "not_found")
    response = signed_in(cast.outreach_worker).post(
        url(alert, "tell-reporter"), {"version": alert.version, "confirmed": "yes"}
    )
    assert "could not be sent" in response.content.decode()
    alert.refresh_from_db()
    assert alert.reporter_told_at is None
