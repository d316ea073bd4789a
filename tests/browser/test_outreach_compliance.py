"""The compliance pages in a real browser: axe-core finds nothing and they fit 320 px,
the essential fields page with an error too."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations, narrow_overflow, sign_in
from tests.outreach import test_compliance
from tests.outreach.test_compliance import JANUARY_2023, MAY, detail_url, registered
from waymark.access.constants import Restriction
from waymark.outreach import compliance

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_mfa")]

UTC = datetime.UTC

# The compliance tests' data: Northway's May 2024, and a manager of Northway.
may = test_compliance.may
outreach_manager = test_compliance.outreach_manager


def test_the_pages_pass_axe_and_fit_320_px(cast, may, outreach_manager, new_page):
    hidden = registered(cast.outreach, datetime.datetime(2024, 5, 6, tzinfo=UTC), restriction=Restriction.HIDDEN)
    assert hidden.pk
    compliance.compute_month(cast.outreach, MAY)
    problems = []
    for user, urls in (
        (outreach_manager, [reverse("outreach:compliance"), detail_url(cast.outreach)]),
        (cast.area_admin, [reverse("outreach:compliance_fields"), detail_url(cast.outreach, JANUARY_2023)]),
    ):
        browser_page = new_page()
        sign_in(browser_page, user)
        for url in urls:
            browser_page.goto(url)
            assert browser_page.locator("h1").count() == 1, url
            problems += [f"{url}: {line}" for line in axe_violations(browser_page)]
            if narrow_overflow(browser_page):
                problems.append(f"{url}: wider than 320 px")
        # The fields page with an error: nothing ticked for contacts.
        if user is cast.area_admin:
            browser_page.goto(reverse("outreach:compliance_fields"))
            for box in browser_page.locator("input[name=contact_fields]").all():
                box.uncheck()
            browser_page.get_by_role("button", name="Save essential fields").click()
            assert "There is a problem" in browser_page.inner_text("main")
            problems += [f"fields page with an error: {line}" for line in axe_violations(browser_page)]
    assert not problems, "\n".join(problems)
