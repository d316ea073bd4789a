"""The security baseline: CSP with no inline script, cookie flags, headers, and `check --deploy`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import signed_in

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "waymark" / "templates"

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.DOTALL)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=\s*['\"]", re.IGNORECASE | re.DOTALL)


def csp_of(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    return directives


@pytest.mark.parametrize("url", ["/accounts/login/", "/no-such-page/"])
def test_anonymous_pages_send_a_strict_csp(db, client, url):
    csp = csp_of(client.get(url))
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in str(csp) and "unsafe-eval" not in str(csp)


def test_signed_in_pages_send_the_csp_too(cast):
    client = signed_in(cast.hostel_worker)
    for url in ("/", "/accounts/", "/accounts/tokens/new/"):
        assert csp_of(client.get(url))["script-src"] == "'self'", url


def test_the_mfa_set_up_page_needs_no_inline_script_or_style(cast, settings):
    settings.WAYMARK_REQUIRE_MFA = True
    client = Client()
    client.force_login(cast.outreach_worker, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/accounts/mfa/setup/").content.decode()
    assert "<svg" in page
    assert not INLINE_SCRIPT.search(page)
    assert not STYLE_ATTRIBUTE.search(page)
    assert not STYLE_ELEMENT.search(page)


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_there_are_templates_to_scan():
    assert len(template_files()) > 10


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_or_style(path):
    # Template comments are not sent to the browser (and may mention what they avoid).
    text = COMMENTS.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
    problems = []
    for name, pattern in (
        ("inline <script> without src", INLINE_SCRIPT),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("inline event handler (onclick= ...)", EVENT_HANDLER),
    ):
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"line {line}: {name}: {match.group(0)[:80]!r}")
    assert not problems, "CSP forbids these; move them to waymark/static: " + "; ".join(problems)


def test_the_scan_catches_what_it_should():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">x()</script>')
    assert not INLINE_SCRIPT.search('<script type="module" src="/static/x.js"></script>')
    assert STYLE_ATTRIBUTE.search('<div class="a"\n     style="color: red">')
    assert not STYLE_ATTRIBUTE.search('<link rel="stylesheet" href="x.css">')
    assert EVENT_HANDLER.search('<button onclick="go()">')


def test_cookies_are_http_only_and_same_site(cast, settings):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    settings.WAYMARK_REQUIRE_MFA = False
    client.post(
        "/accounts/login/",
        {"username": "harry.hostel", "password": "correct-horse-battery-staple", "csrfmiddlewaretoken": csrf.value},
    )
    session = client.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


def test_a_form_without_its_csrf_token_is_refused_with_a_clear_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert b"The form had expired" in response.content


def test_pages_send_the_other_security_headers(db, client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_sent_over_https_when_configured(db, client, settings):
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


def production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WAYMARK_", "DEBUG"))}
    env.update(
        WAYMARK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="waymark.example.org",
        DJANGO_SETTINGS_MODULE="waymark.settings",
    )
    env.pop("DATABASE_URL", None)
    return env


def test_check_deploy_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_turns_on_secure_cookies_and_hsts():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "False"]


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_settings_are_not_production():
    # The suite itself runs with development settings; production is tested in subprocesses above.
    assert not settings.PRODUCTION
