"""The page shell in a real browser: the skip link and the idle-timeout warning."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_mfa")]


def test_first_tab_reaches_the_skip_link_and_enter_moves_to_main(cast, page):
    sign_in(page, cast.outreach_worker)
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent.trim()]")
    assert "govuk-skip-link" in focused[0], f"first Tab reached {focused!r}, not the skip link"
    assert focused[1] == "Skip to main content"
    assert page.locator(".govuk-skip-link").is_visible(), "the skip link must show when focused"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main-content'")


def test_skip_link_comes_first_on_the_login_page_too(page):
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    assert "govuk-skip-link" in page.evaluate("document.activeElement.className")


def test_idle_warning_appears_and_stay_signed_in_keeps_the_session(cast, page, settings):
    # One minute idle with a 58-second warning: the dialog is due two seconds after load.
    settings.WAYMARK_SESSION_IDLE_MINUTES = 1
    settings.WAYMARK_SESSION_WARNING_SECONDS = 58
    sign_in(page, cast.hostel_worker)
    page.goto("/people/")
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for(state="visible", timeout=8_000)
    assert "about to be signed out" in dialog.inner_text()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alertdialog", (
        "focus must move to the dialog"
    )

    with page.expect_response(lambda response: "/accounts/keepalive/" in response.url) as keepalive:
        page.get_by_role("button", name="Stay signed in").click()
    assert keepalive.value.ok
    dialog.wait_for(state="hidden")

    page.reload()
    assert "/accounts/login/" not in page.url
    assert "Signed in as" in page.inner_text("body")
