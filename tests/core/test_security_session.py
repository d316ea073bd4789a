"""The session idle timeout, checked on the server by ageing the session's last activity."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from tests.conftest import signed_in
from waymark.audit.models import AuditEvent, AuditKind


def age_session(client, seconds: int) -> None:
    session = client.session
    session["last_activity"] = int(time.time()) - seconds
    session.save()


@pytest.fixture
def thirty_minutes(settings):
    settings.WAYMARK_SESSION_IDLE_MINUTES = 30


def test_a_session_idle_for_longer_than_the_limit_is_signed_out(cast, thirty_minutes):
    client = signed_in(cast.hostel_worker)
    assert client.get("/").status_code == 200
    age_session(client, 31 * 60)
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/people/"
    page = client.get(response["Location"])
    assert b"signed out after a period without activity" in page.content
    assert client.get("/").status_code == 302, "the session really ended"
    event = AuditEvent.objects.get(kind=AuditKind.LOGOUT)
    assert event.user_id == cast.hostel_worker.pk
    assert "without activity" in event.action


def test_a_session_inside_the_limit_carries_on(cast, thirty_minutes):
    client = signed_in(cast.hostel_worker)
    age_session(client, 29 * 60)
    assert client.get("/").status_code == 200
    assert int(time.time()) - client.session["last_activity"] < 5, "a request restarts the timer"


def test_the_limit_is_configurable(cast, settings):
    settings.WAYMARK_SESSION_IDLE_MINUTES = 5
    client = signed_in(cast.hostel_worker)
    age_session(client, 6 * 60)
    assert client.get("/").status_code == 302


def test_scripts_get_401_not_a_redirect_when_the_session_has_timed_out(cast, thirty_minutes):
    client = signed_in(cast.hostel_worker)
    age_session(client, 31 * 60)
    response = client.get(reverse("session-keepalive"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401


def test_keepalive_restarts_the_idle_timer(cast, thirty_minutes):
    client = signed_in(cast.hostel_worker)
    age_session(client, 29 * 60)
    response = client.get(reverse("session-keepalive"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")
    last = client.session["last_activity"]
    assert last is not None and int(time.time()) - last < 5
    # Two more minutes later (31 minutes after the last page) the user is still signed in.
    age_session(client, 2 * 60)
    assert client.get("/").status_code == 200


def test_keepalive_needs_a_signed_in_user(db, client):
    response = client.get(reverse("session-keepalive"))
    assert response.status_code == 302


def test_the_page_carries_the_timeout_for_the_warning_dialog(cast, thirty_minutes):
    page = signed_in(cast.hostel_worker).get("/").content.decode()
    assert 'data-session-idle-seconds="1800"' in page
    assert 'id="session-timeout"' in page
    assert 'data-session-keepalive-url="/accounts/keepalive/"' in page


def test_the_dialogs_sign_out_explains_why(cast):
    client = signed_in(cast.hostel_worker)
    response = client.post("/accounts/logout/", {"reason": "idle", "next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    login = client.get("/people/", follow=True)
    assert b"signed out after a period without activity" in login.content
    assert AuditEvent.objects.filter(kind=AuditKind.LOGOUT, action__contains="without activity").exists()
