"""Browser tests: Playwright's sync API driving Debian's Chromium against the live server.

`playwright install` cannot download a browser on these machines, so the tests use
Debian's `chromium` package (CI installs it). A missing browser is a failure, not a
skip, unless WAYMARK_SKIP_BROWSER=1 says so on purpose.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses database
# calls from a thread with a running loop unless told this is intended.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("WAYMARK_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine has no outside network: without these Chromium keeps dialling out.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PASSWORD = "correct-horse-battery-staple"  # tests.factories.PASSWORD
WIDE = {"width": 1280, "height": 900}
NARROW_WIDTH = 320
NARROW_TOLERANCE = 2


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("WAYMARK_SKIP_BROWSER") == "1":
            pytest.skip("WAYMARK_SKIP_BROWSER=1: browser tests skipped on purpose")
        pytest.fail(
            f"Chromium is not at {CHROMIUM}. Install Debian's browser with `apt-get install -y chromium` "
            "(`.ci/run` does), or set WAYMARK_SKIP_BROWSER=1 to skip the browser tests on purpose.",
            pytrace=False,
        )
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `npm ci` first.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Any]:
    """A factory of pages, each in its own browser context (its own cookies)."""
    contexts = []

    def make() -> Any:
        # Our CSP forbids inline script; axe-core is injected, so the test context bypasses it.
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=WIDE)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Any:
    return new_page()


@pytest.fixture
def no_mfa(settings) -> None:
    """Most browser tests are about pages, not the second factor."""
    settings.WAYMARK_REQUIRE_MFA = False


def sign_in(page: Any, user: Any, password: str = PASSWORD) -> None:
    """Sign in through the real login page."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        raise AssertionError(f"{user.username} could not sign in; the page says: {page.inner_text('main')[:500]}")


def axe_violations(page: Any) -> list[str]:
    """Serious and critical WCAG 2.x A/AA violations on the page, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
               runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
        AXE_TAGS,
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:10])
        found.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} — {targets}")
    return found


def narrow_overflow(page: Any) -> int | None:
    """The document's scroll width at 320 px, or None if it fits."""
    page.set_viewport_size({"width": NARROW_WIDTH, "height": 800})
    try:
        page.wait_for_timeout(50)
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(WIDE)
    return width if width > NARROW_WIDTH + NARROW_TOLERANCE else None
