"""The rough-sleeping figures page, its CSV and XLSX exports and the API endpoint: who may see
them, what the form accepts, suppression as it leaves the building, and bounded queries."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.api.conftest import assert_error, token_client
from tests.conftest import signed_in
from tests.factories import AreaFactory, DistrictFactory, PersonFactory
from tests.outreach.helpers import at, stored_contact
from waymark.audit.models import AuditEvent, AuditKind

pytestmark = pytest.mark.django_db

PAGE = "/outreach/figures/"
CSV = "/outreach/figures/export.csv"
XLSX = "/outreach/figures/export.xlsx"
API = "/api/v1/figures/rough-sleeping/"
Q1 = {"period": "2025-Q1"}
D = datetime.date


def seen(cast, person, day, **fields):
    return stored_contact(cast, person, when=at(23, day=day), **fields)


@pytest.fixture
def q1(cast):
    """Twelve people seen rough sleeping in Q1 2025, the hidden and protected people among them:
    7 new, 3 stock (seen in Q4 2024), 2 returners (seen in 2023)."""
    people = [cast.hidden_person, cast.protected_person, cast.person]
    people += [PersonFactory(registered_by_service=cast.outreach, gender="Man") for _ in range(9)]
    for i, person in enumerate(people):
        if i in (1, 2, 3):
            seen(cast, person, D(2024, 11, 5))
        elif i in (4, 5):
            seen(cast, person, D(2023, 5, 5))
        seen(cast, person, D(2025, 1, 10) + datetime.timedelta(days=i), district=cast.district, needs=["drugs"])
    return people


def body(response) -> str:
    return response.content.decode()


def secrets_of(cast) -> list[str]:
    return [
        cast.hidden_person.first_name,
        cast.hidden_person.last_name,
        cast.hidden_person.reference,
        cast.protected_person.first_name,
        cast.protected_person.last_name,
        cast.protected_person.reference,
        cast.person.last_name,
    ]


# --- who may see them --------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, CSV, XLSX])
def test_anonymous_is_sent_to_sign_in(url):
    response = Client().get(url, Q1)
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"] or "login" in response["Location"]


@pytest.mark.parametrize("who", ["hostel_worker", "viewer", "solo_worker", "manager", "refuge_worker"])
@pytest.mark.parametrize("url", [PAGE, CSV, XLSX])
def test_other_services_are_refused(cast, q1, who, url):
    response = signed_in(getattr(cast, who)).get(url, Q1)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


@pytest.mark.parametrize("who", ["area_admin", "coordinator", "analyst", "outreach_worker"])
def test_area_roles_and_outreach_teams_see_the_page(cast, q1, who):
    response = signed_in(getattr(cast, who)).get(PAGE, Q1)
    assert response.status_code == 200
    page = body(response)
    assert 'data-measure="people"' in page
    assert re.search(r'data-measure="people">\s*<th[^>]*>People seen rough sleeping</th>\s*<td[^>]*>12</td>', page)


def test_the_analyst_sees_only_suppressed_aggregates_and_no_names(cast, q1):
    response = signed_in(cast.analyst).get(PAGE, Q1)
    page = body(response)
    shown = dict(re.findall(r'data-measure="(\w+)">\s*<th[^>]*>[^<]*</th>\s*<td[^>]*>(.*?)</td>', page))
    assert shown["people"] == "12"
    assert shown["flow"] == "7"
    # 3 stock and 2 returners: both under 5, so both hidden.
    assert ">&lt;5<" in shown["stock"] and ">&lt;5<" in shown["returners"]
    assert "fewer than 5" in shown["stock"]
    for secret in secrets_of(cast):
        assert secret not in page


def test_an_outsider_sees_their_own_area_only(cast, q1):
    client = signed_in(cast.outsider)
    page = body(client.get(PAGE, Q1))
    assert "Testford" not in page
    assert not re.search(r'data-measure="people">\s*<th[^>]*>[^<]*</th>\s*<td[^>]*>12<', page)
    refused = client.get(PAGE, {**Q1, "district": str(cast.district.public_id)})
    assert refused.status_code == 400
    assert "Choose a district in your area" in body(refused)
    assert client.get(CSV, {**Q1, "district": str(cast.district.public_id)}).status_code == 400
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


# --- the form ------------------------------------------------------------------------------


def test_with_nothing_chosen_the_page_shows_the_last_whole_quarter(cast):
    response = signed_in(cast.area_admin).get(PAGE)
    assert response.status_code == 200
    page = body(response)
    assert 'value="quarter" checked' in page
    assert "There is a problem" not in page


def test_the_form_and_the_short_form_give_the_same_figures(cast, q1):
    client = signed_in(cast.area_admin)
    by_form = body(client.get(PAGE, {"kind": "quarter", "quarter": "1", "quarter_year": "2025"}))
    by_period = body(client.get(PAGE, Q1))
    heading = "Q1 2025 (January to March), the whole area"
    assert heading in by_form and heading in by_period
    assert 'value="quarter" checked' in by_period  # the short form fills the form in
    assert f'href="{CSV}?period=2025-Q1"' in by_form


def test_a_month_a_year_dates_and_a_district(cast, q1):
    client = signed_in(cast.area_admin)
    march = body(client.get(PAGE, {"kind": "month", "month": "1", "month_year": "2025"}))
    assert "January 2025, the whole area" in march
    year = body(client.get(PAGE, {"kind": "year", "year": "2025"}))
    assert "2025, the whole area" in year
    dates = body(client.get(PAGE, {"kind": "range", "date_from": "10/1/2025", "date_to": "15/1/2025"}))
    assert "10 January 2025 to 15 January 2025" in dates
    assert "The previous period is 4 January 2025 to 9 January 2025" in dates
    district = client.get(PAGE, {**Q1, "district": str(cast.district.public_id)})
    assert "Q1 2025 (January to March), Testford" in body(district)
    assert f"district={cast.district.public_id}" in body(district)


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ({"kind": "month", "month": "3", "month_year": "twenty"}, "Enter the year as 4 digits", 'value="twenty"'),
        ({"kind": "month", "month": "3", "month_year": ""}, "Enter the year, for example 2025", None),
        ({"kind": "range", "date_from": "10/2/2025", "date_to": "1/1/2025"}, "end date must be the same", "10/2/2025"),
        ({"kind": "range", "date_from": "31/2/2025", "date_to": "1/3/2025"}, "as a real date", "31/2/2025"),
        ({"kind": "year", "year": "2099"}, "has not started yet", 'value="2099"'),
        ({"kind": "year", "year": "1985"}, "from 1990 onwards", 'value="1985"'),
        ({"kind": "quarter", "quarter": "7", "quarter_year": "2025"}, "Choose the quarter from the list", None),
        ({"kind": "fortnight"}, "Choose a month, a quarter, a year or dates", None),
        ({"district": "Testford"}, "Choose a month, a quarter, a year or dates", None),
        ({"period": "last Tuesday"}, "Give the period as", None),
        ({"period": "2025-13"}, "There is no month 13", None),
    ],
)
def test_bad_input_says_what_to_fix_and_keeps_what_was_typed(cast, query, message, kept):
    response = signed_in(cast.area_admin).get(PAGE, query)
    assert response.status_code == 400
    page = body(response)
    assert "There is a problem" in page
    assert message in page
    if kept:
        assert kept in page
    assert 'data-measure="people"' not in page


def test_fields_of_a_kind_not_chosen_are_kept_but_not_read(cast, q1):
    response = signed_in(cast.area_admin).get(
        PAGE, {"kind": "quarter", "quarter": "1", "quarter_year": "2025", "year": "abc", "date_from": "soon"}
    )
    assert response.status_code == 200
    page = body(response)
    assert "There is a problem" not in page
    assert 'value="abc"' in page and 'value="soon"' in page


# --- what the page holds -------------------------------------------------------------------


def test_definitions_tables_and_charts(cast, q1):
    page = body(signed_in(cast.area_admin).get(PAGE, Q1))
    for words in ("Flow", "Stock", "Returners", "Living on the streets", "no second night out", "not yet identified"):
        assert words in page
    for breakdown in ("age", "gender", "nationality", "needs", "district"):
        assert f'id="table-{breakdown}"' in page
        assert f'data-figures-chart="{breakdown}"' in page
    assert '<canvas aria-hidden="true"></canvas>' in page
    assert '<script id="figures-chart-data" type="application/json">' in page
    assert "chartjs/chart.umd.min.js" in page and "waymark/js/figures-chart.js" in page
    # No inline script: every <script> has a src or is JSON data.
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_a_district_has_no_district_breakdown(cast, q1):
    page = body(signed_in(cast.area_admin).get(PAGE, {**Q1, "district": str(cast.district.public_id)}))
    assert 'id="table-age"' in page
    assert 'id="table-district"' not in page


def test_a_period_not_over_yet_says_so(cast):
    page = body(signed_in(cast.area_admin).get(PAGE, {"period": str(datetime.date.today().year)}))
    assert "figures so far" in page


# --- exports -----------------------------------------------------------------------------


def test_csv_export_is_suppressed_and_audited(cast, q1):
    response = signed_in(cast.analyst).get(CSV, Q1)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="rough-sleeping-2025-Q1.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    measures = {row[1]: row[2] for row in rows if row and row[0] == "Measures"}
    assert measures["People seen rough sleeping"] == "12"
    assert measures["Stock: also seen in the previous period"] == "<5"
    assert any(row and row[0] == "Definition" and row[1] == "Flow" for row in rows)
    for secret in secrets_of(cast):
        assert secret not in text
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.username == cast.analyst.username
    assert event.detail == {"period": "2025-Q1", "district": "", "format": "csv"}


def test_xlsx_export_has_the_same_figures(cast, q1):
    response = signed_in(cast.area_admin).get(XLSX, {**Q1, "district": str(cast.district.public_id)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="rough-sleeping-2025-Q1-testford.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    measures = {row[1]: row[2] for row in values if row[0] == "Measures"}
    assert measures["People seen rough sleeping"] == 12  # a number a spreadsheet can add up
    assert measures["Returners: seen before the previous period, not in it, and again now"] == "<5"
    assert ["Place", "Testford", None, None] in [list(row[:4]) for row in values]
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.detail["format"] == "xlsx" and event.detail["district"] == str(cast.district.public_id)


def test_a_district_name_is_never_run_as_a_formula(cast, q1):
    DistrictFactory(area=cast.area, name="=HYPERLINK(1)")
    text = signed_in(cast.area_admin).get(CSV, Q1).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    sheet = load_workbook(io.BytesIO(signed_in(cast.area_admin).get(XLSX, Q1).content)).active
    assert "'=HYPERLINK(1)" in [row[1] for row in sheet.iter_rows(values_only=True)]


def test_an_export_with_bad_input_is_refused_and_not_audited(cast):
    response = signed_in(cast.area_admin).get(CSV, {"period": "2025-Q9"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


# --- the API -----------------------------------------------------------------------------


def test_the_api_gives_the_figures_suppressed(cast, q1):
    response = token_client(cast.analyst).get(API, {**Q1, "district": str(cast.district.public_id)})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["period"] == {
        "kind": "quarter",
        "value": "2025-Q1",
        "label": "Q1 2025 (January to March)",
        "start": "2025-01-01",
        "end": "2025-03-31",
        "days": 90,
    }
    assert data["previous_period"]["start"] == "2024-10-01"
    assert data["district"] == {"id": str(cast.district.public_id), "name": "Testford"}
    measures = {m["key"]: m for m in data["measures"]}
    assert measures["people"]["count"] == 12 and measures["flow"]["count"] == 7
    assert measures["stock"] == {
        "key": "stock",
        "label": "Stock: also seen in the previous period",
        "count": None,
        "shown": "<5",
        "suppressed": True,
    }
    assert data["living_on_the_streets_rule"] == {"min_days": 3, "min_span_days": 21}
    needs = next(b for b in data["breakdowns"] if b["key"] == "needs")
    assert {r["key"]: r["count"] for r in needs["rows"]}["drugs"] == 12
    assert not any(b["key"] == "district" for b in data["breakdowns"])
    text = response.content.decode()
    for secret in secrets_of(cast):
        assert secret not in text


def test_the_api_defaults_to_the_last_whole_quarter(cast):
    response = token_client(cast.outreach_worker).get(API)
    assert response.status_code == 200
    assert response.json()["period"]["kind"] == "quarter"
    assert response.json()["district"] is None


@pytest.mark.parametrize("who", ["hostel_worker", "viewer", "solo_worker"])
def test_the_api_refuses_other_services(cast, who):
    assert_error(token_client(getattr(cast, who)).get(API, Q1), 403, "permission_denied")


def test_the_api_refuses_anonymous_callers():
    from rest_framework.test import APIClient

    assert_error(APIClient().get(API, Q1), 401)


def test_the_api_says_what_is_wrong_with_the_parameters(cast):
    other = DistrictFactory(area=AreaFactory(name="Elsewhere"), name="Faraway")
    error = assert_error(
        token_client(cast.area_admin).get(API, {"period": "2025-Q5", "district": str(other.public_id)}), 400
    )
    assert "Give the period as" in error["fields"]["period"][0]
    assert "Choose a district in your area" in error["fields"]["district"][0]
    for district in ("not-a-uuid", ""):
        error = assert_error(token_client(cast.area_admin).get(API, {"district": district}), 400)
        assert "district" in error["fields"]


# --- bounded queries ---------------------------------------------------------------------


# Session, user, second factor, memberships, districts and four aggregate queries; an export adds its audit event.
QUERIES = 11


def test_the_page_takes_a_handful_of_queries_whatever_the_data(cast, django_assert_max_num_queries):
    client = signed_in(cast.area_admin)
    client.get(PAGE, Q1)
    with django_assert_max_num_queries(QUERIES):
        small = client.get(PAGE, Q1)
    assert small.status_code == 200
    for i in range(40):
        person = PersonFactory(registered_by_service=cast.outreach, nationality="Polish" if i % 2 else "British")
        seen(cast, person, D(2024, 12, 1) + datetime.timedelta(days=i % 7))
        seen(cast, person, D(2025, 1, 1) + datetime.timedelta(days=i), needs=["alcohol"])
    with django_assert_max_num_queries(QUERIES):
        big = client.get(PAGE, Q1)
    assert re.search(r'data-measure="people">\s*<th[^>]*>[^<]*</th>\s*<td[^>]*>40<', body(big))
    with django_assert_max_num_queries(QUERIES):
        assert client.get(CSV, Q1).status_code == 200
