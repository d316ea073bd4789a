"""The alerts API: partner platforms sending alerts, and the queue (list, retrieve, assign, outcome, tell)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.factories import DistrictFactory
from tests.outreach.conftest import contact
from tests.outreach.test_alerts_queue import make_alert
from waymark.audit.models import AuditEvent
from waymark.outreach.models import Alert, AlertSource

ALERTS = "/api/v1/alerts/"


def partner(**changes):
    body = {
        "external_id": "SL-1001",
        "seen_at": (timezone.now() - datetime.timedelta(hours=3)).isoformat(),
        "latitude": 53.48,
        "longitude": -2.24,
        "location": "Under the railway bridge, Station Road",
        "description": "Two people, tent, one dog",
        "reporter_is_person": False,
        "reporter_email": "kim@example.org",
    }
    body.update(changes)
    return body


# --- partner platforms ------------------------------------------------------------------------------


def test_a_partner_alert_is_kept_once_by_its_external_id(cast, testford_outline):
    client = token_client(cast.outreach_worker)
    first = client.post(ALERTS, partner(), format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["source"] == "partner" and body["external_id"] == "SL-1001"
    assert body["district"] == str(cast.district.public_id) and body["district_name"] == "Testford"
    again = client.post(ALERTS, partner(description="Sent again, changed"), format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Alert.objects.count() == 1
    assert Alert.objects.get().description == "Two people, tent, one dog"
    assert AuditEvent.objects.filter(object_id=body["id"], kind="create").count() == 1


def test_the_same_external_id_from_another_source_or_area_is_another_alert(cast):
    assert token_client(cast.coordinator).post(ALERTS, partner(), format="json").status_code == 201
    make_alert(cast, source=AlertSource.IMPORT, external_id="SL-1002")
    assert token_client(cast.coordinator).post(ALERTS, partner(external_id="SL-1002"), format="json").status_code == 201
    response = token_client(cast.outsider).post(ALERTS, partner(), format="json")
    assert response.status_code == 201
    assert Alert.objects.filter(external_id="SL-1001").count() == 2


@pytest.mark.parametrize("who", ["area_admin", "coordinator", "outreach_worker"])
def test_who_may_send_partner_alerts(cast, who):
    assert token_client(getattr(cast, who)).post(ALERTS, partner(), format="json").status_code == 201


@pytest.mark.parametrize("who", ["hostel_worker", "viewer", "analyst", "solo_worker", "manager"])
def test_other_services_may_not_send_them(cast, who):
    assert_error(token_client(getattr(cast, who)).post(ALERTS, partner(), format="json"), 403, "permission_denied")
    assert not Alert.objects.exists()


def test_anonymous_callers_may_not_send_them(cast):
    assert_error(APIClient().post(ALERTS, partner(), format="json"), 401)


def test_a_partner_alert_needs_its_id_and_valid_fields(cast):
    client = token_client(cast.outreach_worker)
    body = partner()
    del body["external_id"]
    assert "external_id" in assert_error(client.post(ALERTS, body, format="json"), 400)["fields"]
    error = assert_error(client.post(ALERTS, partner(latitude=None, location="", longitude=None), format="json"), 400)
    assert "location" in error["fields"]
    error = assert_error(client.post(ALERTS, partner(latitude=53.4, longitude=None), format="json"), 400)
    assert "longitude" in error["fields"]
    error = assert_error(client.post(ALERTS, partner(reporter_is_person="yes"), format="json"), 400)
    assert "reporter_is_person" in error["fields"]
    error = assert_error(client.post(ALERTS, partner(description="x" * 2001), format="json"), 400)
    assert "description" in error["fields"]
    assert not Alert.objects.exists()


# --- the queue --------------------------------------------------------------------------------------


@pytest.fixture
def alerts(cast):
    otherton = DistrictFactory(area=cast.area, name="Otherton")
    return {
        "testford": make_alert(cast, district=cast.district, hours_ago=5, reporter_email="kim@example.org"),
        "none": make_alert(cast, hours_ago=3),
        "otherton": make_alert(cast, district=otherton, hours_ago=1),
    }


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_team_lists_its_alerts_oldest_first(cast, alerts):
    ids = _ids(token_client(cast.outreach_worker).get(ALERTS))
    assert ids == [str(alerts["testford"].public_id), str(alerts["none"].public_id)]
    row = token_client(cast.outreach_worker).get(ALERTS).json()["results"][0]
    assert row["reference"] == alerts["testford"].public_id.hex[:8].upper()
    assert row["status"] == "new" and row["response_seconds"] is None and row["version"] == 1


def test_filters(cast, alerts):
    client = token_client(cast.coordinator)
    assert len(_ids(client.get(ALERTS))) == 3
    assert _ids(client.get(ALERTS, {"no_district": "true"})) == [str(alerts["none"].public_id)]
    assert _ids(client.get(ALERTS, {"district": str(cast.district.public_id)})) == [str(alerts["testford"].public_id)]
    assert _ids(client.get(ALERTS, {"status": "closed"})) == []
    assert len(_ids(client.get(ALERTS, {"status": "open"}))) == 3
    assert_error(client.get(ALERTS, {"status": "lost"}), 400)


@pytest.mark.parametrize("who", ["hostel_worker", "viewer", "analyst", "solo_worker", "outsider"])
def test_others_list_none_and_retrieve_none(cast, alerts, who):
    client = token_client(getattr(cast, who))
    assert _ids(client.get(ALERTS)) == []
    for alert in alerts.values():
        assert_error(client.get(f"{ALERTS}{alert.public_id}/"), 404)


def test_anonymous_callers_list_nothing(cast, alerts):
    assert_error(APIClient().get(ALERTS), 401)


def test_assign_outcome_and_tell_through_the_api(cast, alerts):
    alert = alerts["testford"]
    client = token_client(cast.outreach_worker)
    detail = f"{ALERTS}{alert.public_id}/"
    service = {"HTTP_X_WAYMARK_SERVICE": str(cast.outreach.public_id)}
    response = client.post(
        f"{detail}assign/", {"assignee": str(cast.outreach_worker.public_id), "version": 1}, format="json", **service
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "assigned" and body["assigned_to"] == str(cast.outreach_worker.public_id)
    assert body["assigned_service"] == str(cast.outreach.public_id) and body["version"] == 2
    # Stale: the version read before the assignment.
    assert_error(client.post(f"{detail}outcome/", {"outcome": "not_found", "version": 1}, format="json"), 409)
    met = contact(cast.outreach_worker, cast.outreach, person=cast.person)
    response = client.post(
        f"{detail}outcome/", {"outcome": "found", "contact": str(met.public_id), "version": 2}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed" and body["outcome"] == "found" and body["contact"] == str(met.public_id)
    assert body["response_seconds"] >= 5 * 3600
    response = client.post(f"{detail}tell-reporter/", {"version": 3}, format="json")
    assert response.status_code == 200 and response.json()["reporter_told_at"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kim@example.org"]
    # A coordinator sees the alert, but not a contact with a person they may not see in full.
    assert token_client(cast.hostel_worker).get(detail).status_code == 404


def test_a_contact_the_caller_cannot_see_is_null(cast, alerts):
    refuge_contact = contact(
        cast.refuge_worker, cast.refuge, person=cast.hidden_person, seen_doing="sitting_or_walking"
    )
    Alert.objects.filter(pk=alerts["none"].pk).update(
        contact=refuge_contact, status="closed", outcome="found", outcome_at=timezone.now()
    )
    body = token_client(cast.coordinator).get(f"{ALERTS}{alerts['none'].public_id}/").json()
    assert body["outcome"] == "found" and body["contact"] is None


def test_an_outcome_linking_another_teams_contact_is_refused(cast, alerts):
    theirs = contact(cast.hostel_worker, cast.hostel, description="Hostel one")
    response = token_client(cast.outreach_worker).post(
        f"{ALERTS}{alerts['testford'].public_id}/outcome/",
        {"outcome": "found", "contact": str(theirs.public_id), "version": 1},
        format="json",
    )
    assert_error(response, 400)
    assert Alert.objects.get(pk=alerts["testford"].pk).status == "new"


@pytest.mark.parametrize("who", ["hostel_worker", "viewer", "analyst", "solo_worker"])
def test_others_cannot_assign(cast, alerts, who):
    response = token_client(getattr(cast, who)).post(
        f"{ALERTS}{alerts['testford'].public_id}/assign/",
        {"service": str(cast.outreach.public_id), "version": 1},
        format="json",
    )
    assert response.status_code in (403, 404)
    assert Alert.objects.get(pk=alerts["testford"].pk).status == "new"


def test_the_queue_list_has_bounded_queries(cast, django_assert_max_num_queries):
    for n in range(40):
        make_alert(cast, district=cast.district, hours_ago=50 - n)
    client = token_client(cast.outreach_worker)
    with django_assert_max_num_queries(10):
        assert len(_ids(client.get(ALERTS))) == 40
