"""The outreach maps in a real browser: Leaflet draws them with no script errors, no tile is
fetched (MAP_TILE_URL is empty), the tables below them pass axe, and keyboard users can skip
past the map.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, narrow_overflow, sign_in
from tests.factories import PersonFactory
from tests.outreach.helpers import stored_contact
from waymark.outreach.models import Alert, StreetContact

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_mfa")]

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def no_tiles(settings) -> None:
    settings.MAP_TILE_URL = ""


def _contact(cast, person=None, hours=2, lat="53.481200", lng="-2.241200", place="Arches under the viaduct"):
    when = timezone.now() - datetime.timedelta(hours=hours)
    return stored_contact(cast, person, when=when, where=(lat, lng), place=place)


def _watch(page, live_server) -> dict[str, list[str]]:
    """Collect script errors and any request that leaves the test server (a tile, say)."""
    seen: dict[str, list[str]] = {"errors": [], "outside": []}
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("console", lambda message: seen["errors"].append(message.text) if message.type == "error" else None)
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith((live_server.url, "data:")) else seen["outside"].append(request.url)
        ),
    )
    return seen


def _no_axe_violations(page) -> None:
    found = axe_violations(page)
    assert not found, f"{page.url}:\n" + "\n".join(found)


def test_the_team_map_draws_its_points_and_the_table_is_reachable_past_it(cast, page, live_server, no_tiles):
    _contact(cast, cast.person)
    _contact(cast, hours=5, lat="53.490000", lng="-2.230000", place="Bus station")
    Alert.objects.create(
        area=cast.area,
        received_at=timezone.now() - datetime.timedelta(hours=1),
        latitude=Decimal("53.470000"),
        longitude=Decimal("-2.250000"),
        location="Car park behind the market",
        description="A woman in a doorway, cold and wet",
    )
    seen = _watch(page, live_server)
    sign_in(page, cast.outreach_worker)
    page.goto("/outreach/map/")
    page.locator(".leaflet-container").wait_for()
    page.locator("#map .wm-marker--contact, #map .wm-cluster").first.wait_for()
    assert page.locator(".leaflet-tile").count() == 0, "no tile layer without a tile URL"

    # A marker's popup says when and where, and links to the contact.
    page.locator("#map .wm-marker--alert").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Car park behind the market" in popup.inner_text()
    assert popup.get_by_role("link", name="Open the alert").get_attribute("href").startswith("/outreach/alerts/")

    table = page.locator("#map-table")
    assert "Arches under the viaduct" in table.inner_text() and "Bus station" in table.inner_text()
    _no_axe_violations(page)
    assert narrow_overflow(page) is None, "the page fits a 320 px screen"

    # Keyboard users skip the map: the skip link moves focus to the tables.
    page.focus("a.wm-map-skip")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "map-table"
    assert not seen["errors"], seen["errors"]
    assert not seen["outside"], seen["outside"]


def test_a_persons_map_numbers_the_points_in_time_order(cast, page, live_server, no_tiles):
    for days, place in ((6, "First place"), (3, "Second place"), (1, "Third place")):
        _contact(cast, cast.person, hours=24 * days, lat=f"53.48{days}000", place=place)
    seen = _watch(page, live_server)
    sign_in(page, cast.outreach_worker)
    page.goto(f"/outreach/people/{cast.person.public_id}/map/")
    page.locator(".wm-marker--numbered").first.wait_for()
    assert sorted(page.locator(".wm-marker--numbered").all_inner_texts()) == ["1", "2", "3"]
    assert page.locator(".wm-marker--latest").inner_text() == "3"
    assert page.locator("path.wm-route").count() == 1
    _no_axe_violations(page)
    assert not seen["errors"], seen["errors"]
    assert not seen["outside"], seen["outside"]


def test_the_hotspot_map_shades_cells_for_an_analyst(cast, page, live_server, no_tiles):
    day = timezone.localdate() - datetime.timedelta(days=1)
    for _ in range(5):
        person = PersonFactory(registered_by_service=cast.outreach)
        contact = _contact(cast, person)
        StreetContact.objects.filter(pk=contact.pk).update(seen_on=day)
    _contact(cast, cast.person, lat="53.500000")  # a cell of one person: not for analysts
    seen = _watch(page, live_server)
    sign_in(page, cast.analyst)
    page.goto(f"/outreach/hotspots/?start={day - datetime.timedelta(days=3)}&end={day + datetime.timedelta(days=1)}")
    page.locator("path.wm-cell").first.wait_for()
    assert page.locator("path.wm-cell").count() == 1
    assert page.locator("#map .wm-marker").count() == 0, "never points"
    _no_axe_violations(page)
    assert not seen["errors"], seen["errors"]
    assert not seen["outside"], seen["outside"]
