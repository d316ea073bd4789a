"""The public report page and the public alerts API: no sign-in, the same rules, honeypot and limits."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import assert_error
from tests.conftest import signed_in
from waymark.audit.models import AuditEvent
from waymark.outreach import services_alerts
from waymark.outreach.models import Alert, AlertSource

REPORT = "/outreach/report/"
DONE = "/outreach/report/thank-you/"
PUBLIC_API = "/api/v1/alerts/public/"


def form(cast, **changes):
    """A valid report as the page posts it."""
    seen = timezone.localtime() - datetime.timedelta(hours=2)
    data = {
        "area": str(cast.area.public_id),
        "location": "Doorway of the old bank, 12 High Street",
        "latitude": "53.480000",
        "longitude": "-2.240000",
        "seen_date": seen.strftime("%Y-%m-%d"),
        "seen_time": seen.strftime("%H:%M"),
        "description": "Man, about 50, grey beard, blue sleeping bag",
        "reporter_name": "Pat Reporter",
        "reporter_email": "pat@example.org",
        "reporter_phone": "07700 900123",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def api_body(cast, **changes):
    body = {
        "area": str(cast.area.public_id),
        "seen_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "location": "Bus station, stand D",
        "description": "Woman, 30s, red coat",
        "consent": True,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


# --- the page -------------------------------------------------------------------------------------


def test_the_page_is_open_to_anyone_and_shows_no_signed_in_navigation(cast):
    response = Client().get(REPORT)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tell us about someone sleeping rough" in page
    assert "Sign out" not in page and "People</a>" not in page
    # Two areas in this installation: the reporter chooses.
    assert cast.area.name in page and 'name="area"' in page


def test_the_honeypot_is_hidden_from_people_without_inline_styles(cast):
    page = Client().get(REPORT).content.decode()
    trap = re.search(r'<div class="wm-alert-trap" aria-hidden="true">.*?</div>', page, re.S)
    assert trap is not None
    field = trap.group(0)
    assert 'name="website"' in field and 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "style=" not in page
    assert "<script>" not in page


def test_a_report_is_kept_with_its_district_and_the_reference_is_shown(cast, testford_outline):
    client = Client()
    response = client.post(REPORT, form(cast))
    assert response.status_code == 302 and response["Location"] == DONE
    alert = Alert.objects.get()
    assert alert.source == AlertSource.PUBLIC and alert.area == cast.area
    assert alert.district == cast.district
    assert alert.description.startswith("Man, about 50")
    assert alert.reporter_email == "pat@example.org" and alert.status == "new"
    done = client.get(DONE).content.decode()
    assert services_alerts.reference(alert) in done
    assert len(services_alerts.reference(alert)) == 8
    event = AuditEvent.objects.get(object_id=str(alert.public_id))
    assert event.kind == "create" and event.user_id is None


def test_a_place_without_a_pin_is_enough(cast):
    response = Client().post(REPORT, form(cast, latitude="", longitude=""))
    assert response.status_code == 302
    assert Alert.objects.get().district is None


def test_one_area_set_for_reports_needs_no_choice(cast, settings):
    settings.WAYMARK_ALERT_AREA = cast.area.name
    assert 'name="area"' not in Client().get(REPORT).content.decode()
    response = Client().post(REPORT, form(cast, area=None))
    assert response.status_code == 302
    assert Alert.objects.get().area == cast.area


def test_the_honeypot_filled_in_keeps_nothing_but_looks_the_same(cast):
    client = Client()
    response = client.post(REPORT, form(cast, website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == DONE
    assert not Alert.objects.exists()
    assert "Your reference" in client.get(DONE).content.decode()


def test_bad_input_says_what_to_fix_all_at_once_and_keeps_what_was_typed(cast):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = Client().post(
        REPORT,
        form(
            cast,
            location="",
            latitude="",
            longitude="",
            reporter_email="not-an-email",
            seen_date=tomorrow.isoformat(),
            consent=None,
            description="Tall man with a dog called Biscuit",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Give the address or describe the place" in page
    assert "email address in the right form" in page
    assert "must be now or in the past" in page
    assert "Tick the box to agree" in page
    # What was typed stays.
    assert "Tall man with a dog called Biscuit" in page and 'value="not-an-email"' in page
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"latitude": "53.48", "longitude": ""}, "Give both latitude and longitude"),
        ({"latitude": "north", "longitude": "-2.2"}, "latitude as a number"),
        ({"latitude": "95", "longitude": "-2.2"}, "not on the map"),
        ({"description": "x" * 2001}, "Keep the description to 2000 characters"),
        ({"location": "y" * 301}, "Keep the place to 300 characters"),
        ({"description": ""}, "Describe the person"),
        ({"reporter_phone": "call me"}, "phone number using digits"),
        ({"seen_date": "1999-12-31"}, "2000 or later"),
        ({"area": ""}, "Choose the area the person is in"),
        ({"seen_time": "25:99"}, "Give a time like 23:30"),
    ],
)
def test_each_rule_has_a_message(cast, changes, message):
    response = Client().post(REPORT, form(cast, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Alert.objects.exists()


def test_reports_are_limited_per_address_and_what_was_typed_is_kept(cast, settings):
    settings.WAYMARK_ALERT_RATE = "2/hour"
    client = Client()
    for _ in range(2):
        assert client.post(REPORT, form(cast)).status_code == 302
    response = client.post(REPORT, form(cast, description="The third report, kept on the page"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "several reports in a short time" in page and "The third report, kept on the page" in page
    assert Alert.objects.count() == 2
    # Another address is not held up by this one.
    assert Client(REMOTE_ADDR="192.0.2.7").post(REPORT, form(cast)).status_code == 302


def test_invalid_reports_do_not_use_up_the_limit(cast, settings):
    settings.WAYMARK_ALERT_RATE = "1/hour"
    client = Client()
    assert client.post(REPORT, form(cast, description="")).status_code == 200
    assert client.post(REPORT, form(cast)).status_code == 302


def test_there_is_a_cap_on_everyone_together(cast, settings):
    settings.WAYMARK_ALERT_GLOBAL_RATE = "2/hour"
    for n in range(2):
        assert Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post(REPORT, form(cast)).status_code == 302
    response = Client(REMOTE_ADDR="192.0.2.99").post(REPORT, form(cast))
    assert response.status_code == 429
    assert "very large number of reports" in response.content.decode()


def test_a_signed_in_worker_can_report_too(cast):
    response = signed_in(cast.hostel_worker).post(REPORT, form(cast))
    assert response.status_code == 302 and Alert.objects.count() == 1


# --- the public API ----------------------------------------------------------------------------------


def test_the_public_api_takes_a_report_without_credentials(cast, testford_outline):
    response = APIClient().post(PUBLIC_API, api_body(cast, latitude=53.48, longitude=-2.24), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    alert = Alert.objects.get()
    assert body["reference"] == services_alerts.reference(alert)
    assert alert.source == AlertSource.PUBLIC and alert.district == cast.district
    assert set(body) == {"reference", "message"}


def test_the_public_api_needs_consent(cast):
    error = assert_error(APIClient().post(PUBLIC_API, api_body(cast, consent=False), format="json"), 400, "invalid")
    assert "consent" in error["fields"]
    assert not Alert.objects.exists()


def test_the_public_api_says_what_to_fix(cast):
    body = api_body(cast, location="", latitude="abc", reporter_email="nope", area=None)
    error = assert_error(APIClient().post(PUBLIC_API, body, format="json"), 400, "invalid")
    assert "latitude" in error["fields"]
    body = api_body(cast, location="", reporter_email="nope", area=None)
    error = assert_error(APIClient().post(PUBLIC_API, body, format="json"), 400, "invalid")
    # Two areas: the area is needed before anything else is checked.
    assert "area" in error["fields"]
    body = api_body(cast, location="", reporter_email="nope")
    error = assert_error(APIClient().post(PUBLIC_API, body, format="json"), 400, "invalid")
    assert {"location", "reporter_email"} <= set(error["fields"])
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    error = assert_error(APIClient().post(PUBLIC_API, api_body(cast, seen_at=future), format="json"), 400)
    assert "seen_at" in error["fields"]
    assert not Alert.objects.exists()


def test_the_public_api_is_rate_limited_in_the_error_shape(cast, settings):
    settings.WAYMARK_ALERT_RATE = "1/hour"
    client = APIClient()
    assert client.post(PUBLIC_API, api_body(cast), format="json").status_code == 201
    response = client.post(PUBLIC_API, api_body(cast), format="json")
    error = assert_error(response, 429, "throttled")
    assert "short time" in error["message"]
    assert int(response["Retry-After"]) > 0
    assert Alert.objects.count() == 1


def test_the_public_api_and_the_page_share_the_limit(cast, settings):
    settings.WAYMARK_ALERT_RATE = "1/hour"
    assert Client().post(REPORT, form(cast)).status_code == 302
    assert_error(APIClient().post(PUBLIC_API, api_body(cast), format="json"), 429)
