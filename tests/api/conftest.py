"""API test helpers: clients that authenticate with a real personal token, as integrations do."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from waymark.access.services import create_api_token


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


def token_client(user, name: str = "tests") -> APIClient:
    """An API client sending `Authorization: Token <key>` with a new token of the user's."""
    _, key = create_api_token(user, name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.token_key = key
    return client


@pytest.fixture
def api():
    """`api(user)` → a token-authenticated client; `api(None)` → an anonymous one."""

    def make(user=None) -> APIClient:
        return APIClient() if user is None else token_client(user)

    return make


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is the one error shape with this status; returns the inner error."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
