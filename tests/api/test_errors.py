"""Every error status has one JSON shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tests.api.conftest import assert_error, token_client
from tests.conftest import signed_in


def test_unknown_urls_under_api_are_json_404(cast, settings):
    settings.DEBUG = False
    client = token_client(cast.area_admin)
    for url in ("/api/v1/nothing-here/", "/api/v1/organisations/not-a-uuid/", "/api/v2/", "/api/"):
        assert_error(client.get(url), 404, "not_found")


def test_anonymous_gets_401_with_www_authenticate(db):
    response = Client().get("/api/v1/organisations/")
    error = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert "credentials" in error["message"].lower()


def test_a_malformed_authorization_header_is_401(db):
    response = Client().get("/api/v1/organisations/", HTTP_AUTHORIZATION="Token")
    assert_error(response, 401)
    response = Client().get("/api/v1/organisations/", HTTP_AUTHORIZATION="Token a b")
    assert_error(response, 401)


def test_a_made_up_token_is_401(db):
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION="Token wm_made-up")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_forbidden_is_403(cast):
    response = token_client(cast.viewer).post("/api/v1/organisations/", {"name": "X"}, format="json")
    assert_error(response, 403, "permission_denied")


def test_a_record_out_of_sight_is_404_and_says_nothing_of_it(cast):
    client = token_client(cast.outsider)
    response = client.get(f"/api/v1/people/{cast.person.public_id}/")
    error = assert_error(response, 404, "not_found")
    assert "Dan" not in response.content.decode() and "person" not in error["message"].lower()
    assert_error(client.get(f"/api/v1/people/{uuid.uuid4()}/"), 404, "not_found")


def test_wrong_method_is_405_with_allow(cast):
    client = token_client(cast.area_admin)
    response = client.delete(f"/api/v1/organisations/{cast.outreach.organisation.public_id}/")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and "DELETE" not in response["Allow"]
    assert_error(client.put("/api/v1/people/", {}, format="json"), 405)


def test_a_body_that_is_not_json_is_415(cast):
    client = token_client(cast.area_admin)
    response = client.post("/api/v1/organisations/", "name=X", content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "unsupported_media_type")


def test_broken_json_is_400(cast):
    client = token_client(cast.area_admin)
    response = client.post("/api/v1/organisations/", "{not json", content_type="application/json")
    assert_error(response, 400, "invalid")


def test_a_validation_error_names_its_fields(cast):
    client = token_client(cast.area_admin)
    response = client.post("/api/v1/services/", {"name": "", "kind": "castle"}, format="json")
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) >= {"name", "kind", "organisation"}
    assert all(isinstance(m, str) for msgs in error["fields"].values() for m in msgs)


def test_a_business_rule_error_from_a_service_function_is_400(cast):
    client = token_client(cast.area_admin)
    response = client.post(f"/api/v1/users/{cast.area_admin.public_id}/deactivate/", {}, format="json")
    error = assert_error(response, 400, "invalid")
    assert "your own account" in error["message"]


def test_throttled_is_429_with_retry_after(cast, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "user": "3/min"}}
    client = token_client(cast.viewer)
    for _ in range(3):
        assert client.get("/api/v1/me/").status_code == 200
    response = client.get("/api/v1/me/")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_anonymous_requests_are_throttled_too(db, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "anon": "2/min"}}
    client = Client()
    for _ in range(2):
        assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/schema/").status_code == 429


@pytest.mark.urls("tests.api.urls")
def test_a_stale_save_is_409(cast):
    response = token_client(cast.area_admin).post("/api/v1/test-stale/", {}, format="json")
    assert_error(response, 409, "conflict")


@pytest.mark.urls("tests.api.urls")
def test_a_bug_is_a_json_500_without_the_details(cast, settings):
    settings.DEBUG = False
    client = token_client(cast.area_admin)
    client.raise_request_exception = False
    response = client.get("/api/v1/test-broken/")
    error = assert_error(response, 500, "server_error")
    assert "secret" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert "Try again later" in error["message"]


def test_session_writes_need_the_csrf_token(cast):
    client = signed_in(cast.area_admin)
    client.handler.enforce_csrf_checks = True
    response = client.post("/api/v1/organisations/", {"name": "Via session"}, content_type="application/json")
    assert_error(response, 403, "permission_denied")
    assert "CSRF" in response.json()["error"]["message"]


def test_a_session_without_its_second_factor_is_401(cast, settings):
    settings.WAYMARK_REQUIRE_MFA = True
    client = Client()
    client.force_login(cast.viewer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/v1/me/")
    error = assert_error(response, 401)
    assert "multi-factor" in error["message"]


def test_an_idle_session_is_signed_out_with_a_json_401(cast, settings):
    client = signed_in(cast.viewer)
    session = client.session
    session["last_activity"] = 0
    session.save()
    response = client.get("/api/v1/me/")
    error = assert_error(response, 401, "not_authenticated")
    assert "without activity" in error["message"]
    assert response["WWW-Authenticate"] == "Token"
