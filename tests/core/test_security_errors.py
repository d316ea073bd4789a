"""Errors never show a stack trace or data; 404 and 403 pages say what to do next.

This module doubles as a test-only URLconf: the real URLs plus views that fail.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from tests.conftest import signed_in
from waymark.urls import urlpatterns as real_urlpatterns

SECRET_IN_THE_ERROR = "Dan Moss, date of birth 1 April 1980"


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"Something broke while handling {SECRET_IN_THE_ERROR}")


def forbid(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(f"No access to {SECRET_IN_THE_ERROR}")


urlpatterns = [
    path("test-errors/explode/", explode),
    path("test-errors/forbid/", forbid),
    path("api/v1/test-errors/explode/", explode),
    *real_urlpatterns,
]
handler400 = "waymark.core.views.bad_request"
handler403 = "waymark.core.views.permission_denied"
handler404 = "waymark.core.views.page_not_found"
handler500 = "waymark.core.views.server_error"


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


def test_debug_is_off_by_default():
    from django.conf import settings

    assert settings.DEBUG is False


def test_a_crash_shows_the_friendly_page_and_nothing_else(cast, error_urls):
    client = signed_in(cast.hostel_worker)
    client.raise_request_exception = False
    response = client.get("/test-errors/explode/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Sorry, there is a problem with the service" in content
    assert "tell your area admin" in content
    for leak in ("Traceback", "RuntimeError", "Dan Moss", "Something broke", "explode", "site-packages"):
        assert leak not in content, leak
    assert "Content-Security-Policy" in response.headers


def test_a_crash_for_anonymous_shows_the_friendly_page(db, error_urls):
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/explode/")
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
    assert b"Traceback" not in response.content


def test_an_api_crash_gives_the_json_error_shape_and_no_detail(cast, error_urls):
    client = signed_in(cast.hostel_worker)
    client.raise_request_exception = False
    response = client.get("/api/v1/test-errors/explode/")
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"]
    assert "Dan Moss" not in response.content.decode()


def test_403_says_what_to_do_next_without_the_reason(cast, error_urls):
    response = signed_in(cast.hostel_worker).get("/test-errors/forbid/")
    assert response.status_code == 403
    content = response.content.decode()
    assert "You do not have permission" in content
    assert "ask your service manager or area admin" in content
    assert 'href="/"' in content
    assert "Dan Moss" not in content


def test_404_says_what_to_do_next(cast):
    response = signed_in(cast.hostel_worker).get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert "check it is correct" in content
    assert 'href="/"' in content


def test_404_for_anonymous_too(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
