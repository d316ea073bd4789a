"""The audit log pages: area admins only, scoped to their area, filtered, exported as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from tests.conftest import signed_in
from waymark.audit.models import AuditEvent, AuditKind
from waymark.audit.services import CSV_HEADER, record

LIST = reverse("audit:list")
EXPORT = reverse("audit:export")


def event_at(when: datetime, kind: str, action: str, **fields) -> AuditEvent:
    """An event as if recorded at `when` (occurred_at is set by the database layer's clock)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        return record(kind, action, **fields)


@pytest.fixture
def events(cast):
    """Events of this area's users and services, and one of another area's admin."""
    return {
        "read": event_at(
            datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
            AuditKind.READ,
            f"Opened the record of {cast.person.reference}",
            user=cast.outreach_worker,
            service=cast.outreach,
            person=cast.person,
            obj=cast.person,
        ),
        "change": event_at(
            datetime(2026, 3, 5, 9, 0, tzinfo=UTC),
            AuditKind.CHANGE,
            "Changed a hostel record",
            user=cast.hostel_worker,
            service=cast.hostel,
        ),
        # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
        "late": event_at(
            datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
            AuditKind.ADMIN,
            "Created user newbie",
            user=cast.area_admin,
        ),
        "failed": event_at(
            datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
            AuditKind.LOGIN_FAILED,
            "Sign-in failed",
            username=cast.viewer.username,
        ),
        "elsewhere": event_at(
            datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
            AuditKind.ADMIN,
            "Secret business of another area",
            user=cast.outsider,
        ),
    }


def actions(response) -> list[str]:
    """The listed events' actions, leaving out the sign-ins the test clients themselves make."""
    return [event.action for event in response.context["page"].object_list if event.kind != AuditKind.LOGIN]


def test_anonymous_is_sent_to_sign_in(client):
    for url in (LIST, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "who", ["outreach_worker", "hostel_worker", "refuge_worker", "viewer", "manager", "coordinator", "analyst"]
)
def test_it_refuses_everyone_but_area_admins(cast, events, who):
    client = signed_in(getattr(cast, who))
    for url in (LIST, EXPORT):
        response = client.get(url)
        assert response.status_code == 403
        assert b"Opened the record" not in response.content
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


def test_an_area_admin_sees_their_areas_events_newest_first(cast, events):
    response = signed_in(cast.area_admin).get(LIST)
    assert response.status_code == 200
    assert actions(response) == [
        "Created user newbie",
        "Changed a hostel record",
        f"Opened the record of {cast.person.reference}",
        "Sign-in failed",
    ]
    assert b"Secret business" not in response.content


def test_an_admin_of_another_area_sees_none_of_them(cast, events):
    client = signed_in(cast.outsider)
    response = client.get(LIST)
    assert response.status_code == 200
    assert actions(response) == ["Secret business of another area"]
    export = b"".join(client.get(EXPORT).streaming_content).decode()
    assert "Opened the record" not in export
    assert "Secret business of another area" in export


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "HARRY.HOSTEL"}, ["Changed a hostel record"]),
        ({"service": "street"}, ["read"]),
        ({"kind": "login_failed"}, ["Sign-in failed"]),
        ({"date_from": "2/3/2026", "date_to": "5/3/2026"}, ["Changed a hostel record", "read"]),
        ({"date_from": "2026-07-01"}, ["Created user newbie"]),
        ({"date_to": "30/06/2026"}, ["Changed a hostel record", "read", "Sign-in failed"]),
        ({"user": "nobody.at.all"}, []),
    ],
)
def test_it_filters(cast, events, query, expected):
    response = signed_in(cast.area_admin).get(LIST, query)
    assert response.status_code == 200
    got = ["read" if action.startswith("Opened the record") else action for action in actions(response)]
    assert got == expected


def test_it_filters_by_person_reference_or_record_id(cast, events):
    client = signed_in(cast.area_admin)
    for value in (cast.person.reference.lower(), str(cast.person.public_id)):
        response = client.get(LIST, {"person": value})
        assert actions(response) == [f"Opened the record of {cast.person.reference}"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "31/2/2026"}, "Enter the ‘from’ date as a real date"),
        ({"date_to": "next tuesday"}, "Enter the ‘to’ date as a real date"),
        ({"date_from": "5/3/2026", "date_to": "1/3/2026"}, "must be the same as or after the ‘from’ date"),
        ({"date_from": "1/1/1999"}, "on or after 1 January 2000"),
        ({"date_to": "1/1/2999"}, "today or in the past"),
        ({"person": "<script>alert(1)</script>"}, "Enter a person’s reference like WM-7K3Q9"),
    ],
)
def test_bad_filters_are_explained_and_kept(cast, events, query, message):
    response = signed_in(cast.area_admin).get(LIST, query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    for value in query.values():
        escaped = value.replace("<", "&lt;").replace(">", "&gt;")
        assert f'value="{escaped}"' in body
    assert "<script>alert(1)</script>" not in body


def test_bad_filters_on_export_give_the_form_not_a_file(cast, events):
    response = signed_in(cast.area_admin).get(EXPORT, {"date_from": "nonsense"})
    assert response.status_code == 400
    assert "Enter the ‘from’ date as a real date" in response.content.decode()
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


def test_it_pages_fifty_at_a_time(cast):
    for n in range(60):
        record(AuditKind.READ, f"Read {n}", user=cast.outreach_worker, service=cast.outreach)
    client = signed_in(cast.area_admin)
    first = client.get(LIST, {"kind": "read"})
    assert len(first.context["page"].object_list) == 50
    assert b"kind=read&amp;page=2" in first.content
    second = client.get(LIST, {"kind": "read", "page": 2})
    assert len(second.context["page"].object_list) == 10


def test_the_export_is_a_streamed_csv_with_header_and_rows(cast, events):
    response = signed_in(cast.area_admin).get(EXPORT, {"date_from": "1/3/2026", "date_to": "31/3/2026"})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == CSV_HEADER
    body = rows[1:]
    assert [row[2] for row in body] == [
        "Changed a hostel record",
        f"Opened the record of {cast.person.reference}",
        "Sign-in failed",
    ]
    read = body[1]
    assert read[0] == "2026-03-02 10:00:00"  # GMT in March
    assert read[3] == cast.outreach_worker.username
    assert read[5] == cast.outreach.name
    assert read[10] == cast.person.reference
    assert read[11] == str(cast.person.public_id)


def test_the_export_is_itself_audited(cast, events):
    signed_in(cast.area_admin).get(EXPORT, {"kind": "read"})
    export = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert export.username == cast.area_admin.username
    assert export.detail == {"filters": {"kind": "read"}}
    # ... and the export shows up in the log the admin reads.
    assert "Exported the audit log as CSV" in actions(signed_in(cast.area_admin).get(LIST))


def test_the_export_defuses_spreadsheet_formulas(cast):
    record(AuditKind.CHANGE, '=HYPERLINK("http://evil")', user=cast.outreach_worker)
    response = signed_in(cast.area_admin).get(EXPORT, {"kind": "change"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
