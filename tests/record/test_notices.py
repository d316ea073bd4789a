"""Service notices: each service reads its own, and marks them read."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.conftest import signed_in
from waymark.access.models import ServiceNotice
from waymark.access.services_record import mark_notice_read, notices_for, unread_notice_count

MESSAGE = "The record WM-ABCDE is now protected: you will see only that a record exists and whom to contact."


@pytest.fixture
def notice(cast):
    ServiceNotice.objects.create(service=cast.outreach, message="For the street team only.")
    return ServiceNotice.objects.create(service=cast.hostel, message=MESSAGE)


def test_a_service_sees_its_own_notices_only(cast, notice):
    assert list(notices_for(cast.hostel_worker)) == [notice]
    assert list(notices_for(cast.manager)) == [notice]
    assert unread_notice_count(cast.hostel_worker) == 1
    for user in (cast.viewer, cast.analyst, cast.area_admin, cast.outsider, cast.refuge_worker):
        assert not notices_for(user).filter(pk=notice.pk).exists()


def test_marking_read(cast, notice):
    mark_notice_read(cast.hostel_worker, notice)
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert unread_notice_count(cast.manager) == 0
    from django.http import Http404

    with pytest.raises(Http404):
        mark_notice_read(cast.outreach_worker, notice)


def test_the_page_lists_and_marks_read(cast, notice):
    client = signed_in(cast.hostel_worker)
    page = client.get(reverse("record:notices"))
    assert page.status_code == 200
    assert MESSAGE in page.content.decode()
    assert "For the street team only." not in page.content.decode()
    done = client.post(reverse("record:notice_read", args=[notice.public_id]))
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_another_services_notice_cannot_be_marked(cast, notice):
    for user in (cast.outreach_worker, cast.viewer, cast.outsider):
        assert signed_in(user).post(reverse("record:notice_read", args=[notice.public_id])).status_code == 404
    assert signed_in(cast.hostel_worker).post(reverse("record:notice_read", args=[uuid.uuid4()])).status_code == 404
    assert signed_in(cast.hostel_worker).get(reverse("record:notice_read", args=[notice.public_id])).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_anonymous_is_sent_to_sign_in(cast, notice):
    assert Client().get(reverse("record:notices")).status_code == 302
    assert_error(APIClient().get("/api/v1/notices/"), 401)


def test_the_api_lists_and_marks_read(cast, notice):
    client = token_client(cast.hostel_worker)
    body = client.get("/api/v1/notices/").json()
    assert [row["message"] for row in body["results"]] == [MESSAGE]
    assert body["results"][0]["service_name"] == "Harbour House"
    assert body["results"][0]["read_at"] is None
    assert client.get("/api/v1/notices/", {"unread": "false"}).json()["results"] == []
    read = client.post(f"/api/v1/notices/{notice.public_id}/read/")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.get("/api/v1/notices/", {"unread": "true"}).json()["results"] == []
    for user in (cast.outreach_worker, cast.outsider, cast.analyst):
        assert_error(token_client(user).post(f"/api/v1/notices/{notice.public_id}/read/"), 404)
        assert MESSAGE not in token_client(user).get("/api/v1/notices/").content.decode()
