"""The OpenAPI schema and the Swagger UI: served locally, working under our CSP."""

from __future__ import annotations

import re

from django.test import Client

# Endpoints for anyone, signed in or not: a member of the public reporting someone sleeping rough.
PUBLIC = {"/api/v1/alerts/public/"}


def test_the_schema_describes_errors_and_token_auth(db):
    schema = Client().get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["tokenAuth"]["description"],
    }
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(schema["components"]["schemas"]["ErrorDetail"]["properties"]) == {"code", "message", "fields"}
    for path, operations in schema["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in operations.items():
            for status in ("401", "403", "429", "500"):
                content = operation["responses"][status]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/Error"}, (method, path, status)
            if path in PUBLIC:
                continue  # open to anyone: no credentials to describe
            assert {"tokenAuth": []} in operation["security"]
    # Records are named by public UUIDs; integer keys never appear.
    (parameter,) = schema["paths"]["/api/v1/organisations/{id}/"]["get"]["parameters"]
    assert parameter["schema"] == {"type": "string", "format": "uuid"}


def test_the_docs_page_loads_everything_from_us_with_no_inline_script_or_style(db):
    client = Client()
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and "style=" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        asset = client.get(source.replace("&amp;", "&"))
        assert asset.status_code == 200, source
        if "script" in source:
            assert asset["Content-Type"].startswith("application/javascript")
            assert "/api/v1/schema/" in asset.content.decode()
    assert any("swagger-ui-bundle.js" in s for s in sources)
