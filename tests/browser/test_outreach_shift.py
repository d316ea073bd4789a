"""The mobile shift in a real browser: a contact recorded with no signal is kept and sent once.

The first test runs with the page's real Content Security Policy (the service worker,
the modules and Leaflet must all work under it); the others bypass it to inject axe-core.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, narrow_overflow, sign_in
from tests.factories import EpisodeFactory, PersonFactory, member
from tests.outreach.conftest import contact
from waymark.access.constants import Role
from waymark.outreach.models import StreetContact

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_mfa", "no_tiles")]

URL = "/outreach/shift/"
# Where the phone says it is: by the bus station where the team met Dan.
HERE = {"latitude": 53.4808, "longitude": -2.2426}
PHONE = {"width": 390, "height": 844}

OUTBOX_KEYS = """async () => {
  const queue = await import("/static/waymark/js/shift-queue.js");
  return (await queue.all()).map((item) => item.key);
}"""


@pytest.fixture
def no_tiles(settings):
    """Tests never fetch map tiles: the map draws its pin on a plain background."""
    settings.MAP_TILE_URL = ""


@pytest.fixture
def phone(browser, live_server):
    """A phone in the street: its location allowed and known, the page's CSP enforced."""
    contexts = []

    def make(*, bypass_csp=False):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE,
            has_touch=True,
            geolocation=HERE,
            permissions=["geolocation"],
            timezone_id="Europe/London",
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def met_recently(cast):
    """Dan was met by the bus station yesterday; Fay, far off, more recently."""
    yesterday = timezone.now() - datetime.timedelta(days=1)
    contact(
        cast.outreach_worker,
        cast.outreach,
        person=cast.person,
        when=yesterday,
        latitude="53.4808",
        longitude="-2.2426",
        place="Bus station",
    )
    fay = PersonFactory(registered_by_service=cast.outreach, first_name="Fay", last_name="Faraway")
    EpisodeFactory(person=fay, service=cast.outreach)
    contact(
        cast.outreach_worker,
        cast.outreach,
        person=fay,
        when=yesterday + datetime.timedelta(hours=2),
        latitude="53.5300",
        longitude="-2.3500",
        place="Canal towpath",
    )
    return fay


def _open_shift(page) -> None:
    page.goto(URL)
    # The service worker keeps the page and its files; wait until it controls this page.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def _people_in_order(page) -> list[str]:
    return page.locator("#shift-people > .govuk-radios__item[data-lat] label").all_inner_texts()


def _no_axe_violations(page) -> None:
    found = axe_violations(page)
    assert not found, f"{page.url}:\n" + "\n".join(found)


def test_a_contact_recorded_offline_waits_then_arrives_once_when_back_online(cast, phone, met_recently):
    context = phone()
    page = context.new_page()
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    sign_in(page, cast.outreach_worker)
    _open_shift(page)

    # Recent people nearest first, once the phone knows where it is (location is allowed, so
    # the page asks at once); as the server draws them, the most recently met come first.
    drawn = page.request.get(URL).text()
    assert drawn.index("Fay Faraway") < drawn.index("Dan Moss")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_function("document.getElementById('id_latitude').value === '53.480800'")
    assert page.locator("#id_longitude").input_value() == "-2.242600"
    assert _people_in_order(page) == ["Dan Moss", "Fay Faraway"]
    assert "m away" in page.locator("#shift-people").inner_text()

    # No signal (a basement): the contact is kept on the phone, and says so.
    context.set_offline(True)
    page.get_by_label("Dan Moss").check()
    page.get_by_label("Bedded down (verified rough sleeping)").check()
    page.get_by_label("Conversation").check()
    page.get_by_role("button", name="Save contact").click()
    queue = page.locator("#shift-queue")
    queue.get_by_text("Waiting to send (1)").wait_for()
    assert queue.get_attribute("aria-live") == "polite"
    keys = page.evaluate(OUTBOX_KEYS)
    assert len(keys) == 1
    key = keys[0]
    assert not StreetContact.objects.filter(idempotency_key=key).exists()

    # Still no signal: the page opens from the phone's copy, the contact still waiting.
    page.reload()
    page.get_by_role("heading", name="Record a street contact").wait_for()
    queue.get_by_text("Waiting to send (1)").wait_for()
    assert not page.get_by_label("Dan Moss").is_checked(), "the form is ready for the next contact"

    # Back in signal: it is sent by itself, once, and the indicator clears.
    context.set_offline(False)
    queue.get_by_text("All contacts sent.").wait_for()
    assert "Waiting to send" not in queue.inner_text()
    assert page.evaluate(OUTBOX_KEYS) == []
    saved = StreetContact.objects.get(idempotency_key=key)
    assert saved.person == cast.person and saved.service == cast.outreach
    assert saved.seen_doing == "bedded_down" and saved.actions == ["conversation"] and saved.rough_sleeping
    assert (float(saved.latitude), float(saved.longitude)) == (53.4808, -2.2426)
    assert list(saved.workers.all()) == [cast.outreach_worker]
    assert abs(timezone.now() - saved.seen_at) < datetime.timedelta(minutes=5)

    # Sent again (say the answer was lost on the way back): still one contact.
    page.evaluate(
        """async (key) => {
             const queue = await import("/static/waymark/js/shift-queue.js");
             await queue.add({key, created: Date.now(), user: document.getElementById("shift").dataset.user,
                              service: document.getElementById("shift").dataset.service, state: "waiting",
                              summary: "Resent", form: {}, message: "", fields: {},
                              payload: {seen_at: new Date().toISOString(), seen_doing: "begging",
                                        description: "Someone else", place: "Elsewhere", idempotency_key: key}});
             window.dispatchEvent(new Event("online"));
           }""",
        key,
    )
    page.wait_for_function(f"({OUTBOX_KEYS})().then((keys) => keys.length === 0)")
    assert StreetContact.objects.filter(idempotency_key=key).count() == 1
    assert StreetContact.objects.get(idempotency_key=key).seen_doing == "bedded_down", "the first one stands"
    assert not refused, refused


def test_a_contact_the_server_turns_down_is_kept_aside_to_fix_never_dropped(cast, phone, met_recently):
    colleague = member(
        Role.CONTRIBUTOR, cast.outreach, username="pat.partner", area=cast.area, first_name="Pat", last_name="Partner"
    )
    page = phone(bypass_csp=True).new_page()
    sign_in(page, cast.outreach_worker)
    _open_shift(page)
    _no_axe_violations(page)
    assert narrow_overflow(page) is None, "the shift page fits a 320 px screen"
    page.set_viewport_size(PHONE)

    # A reference the phone cannot check: the server says no one has it.
    page.get_by_label("Someone else, or not yet identified").check()
    page.get_by_label("Their Waymark reference").fill("WM-ZZZZZ")
    page.get_by_label("In a tent or vehicle").check()
    page.get_by_label("Describe the place").fill("Under the railway arch")
    page.get_by_role("button", name="Save contact").click()
    attention = page.locator("#shift-attention")
    attention.get_by_text("No record with this id or reference is available to you").wait_for()
    assert "1 needs your attention" in page.locator("#shift-queue").inner_text()
    assert not StreetContact.objects.filter(place="Under the railway arch").exists()
    _no_axe_violations(page)

    # Put back in the form, fixed, and saved: it goes, and the kept copy with it.
    attention.get_by_role("button", name="Put it back in the form").click()
    assert page.get_by_label("Their Waymark reference").input_value() == "WM-ZZZZZ"
    assert page.get_by_label("Describe the place").input_value() == "Under the railway arch"
    page.get_by_label("Their Waymark reference").fill("")
    page.get_by_label("Describe them").fill("Man, 30s, grey hoodie")
    page.get_by_text("Needs, kind of place, who was with you, time").click()
    page.get_by_label("Alcohol use").check()
    page.get_by_label("Kind of place").select_option(label="Underpass or bridge")
    page.get_by_label("District").select_option(label="Testford")
    page.get_by_label("Pat Partner").check()
    # GOV.UK's button ignores a second press within a second (a double tap); a person is slower.
    page.wait_for_timeout(1_000)
    page.get_by_role("button", name="Save contact").click()
    page.locator("#shift-queue").get_by_text("All contacts sent.").wait_for()
    assert attention.is_hidden()
    saved = StreetContact.objects.get(place="Under the railway arch")
    assert saved.description == "Man, 30s, grey hoodie" and saved.person is None
    assert saved.seen_doing == "tent_or_vehicle" and saved.needs == ["alcohol"] and saved.site_type == "underpass"
    assert saved.district == cast.district
    assert set(saved.workers.all()) == {cast.outreach_worker, colleague}


def test_deleting_a_turned_down_contact_asks_first(cast, phone):
    page = phone(bypass_csp=True).new_page()
    sign_in(page, cast.outreach_worker)
    _open_shift(page)
    page.get_by_label("Someone else, or not yet identified").check()
    page.get_by_label("Their Waymark reference").fill("WM-ZZZZZ")
    page.get_by_label("Begging").check()
    page.get_by_label("Describe the place").fill("Market square")
    page.get_by_role("button", name="Save contact").click()
    attention = page.locator("#shift-attention")
    attention.get_by_role("button", name="Delete it").click()
    attention.get_by_role("button", name="No, keep it").click()
    assert len(page.evaluate(OUTBOX_KEYS)) == 1
    attention.get_by_role("button", name="Delete it").click()
    _no_axe_violations(page)
    attention.get_by_role("button", name="Yes, delete it").click()
    attention.wait_for(state="hidden")
    assert page.evaluate(OUTBOX_KEYS) == []


def test_the_page_checks_what_it_can_before_keeping_a_contact(cast, phone):
    page = phone(bypass_csp=True).new_page()
    sign_in(page, cast.outreach_worker)
    _open_shift(page)
    page.get_by_role("button", name="Save contact").click()
    summary = page.locator("#shift-check .govuk-error-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert "Choose the person, or describe them" in text
    assert "Choose what they were doing" in text
    assert page.evaluate(OUTBOX_KEYS) == []
    _no_axe_violations(page)


def test_with_map_tiles_the_map_and_its_credits_pass_axe(cast, phone, settings):
    settings.MAP_TILE_URL = "https://tiles.invalid/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Test tiles"
    context = phone(bypass_csp=True)
    context.route("https://tiles.invalid/**", lambda route: route.abort())
    page = context.new_page()
    sign_in(page, cast.outreach_worker)
    _open_shift(page)
    page.locator(".leaflet-control-attribution").get_by_text("© Test tiles").wait_for()
    _no_axe_violations(page)
