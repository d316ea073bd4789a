"""`manage.py import_alerts`: CSV and JSON from another referral platform, duplicates skipped, bad rows reported."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.api.conftest import token_client
from waymark.audit.models import AuditEvent
from waymark.outreach.models import Alert, AlertSource

HEADER = (
    "id,received_at,seen_at,latitude,longitude,location,description,"
    "reporter_is_person,reporter_name,reporter_email,reporter_phone"
)


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_alerts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _when(hours: int) -> str:
    return (timezone.now() - datetime.timedelta(hours=hours)).isoformat()


@pytest.fixture
def csv_file(tmp_path):
    future = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    rows = [
        HEADER,
        f'A-1,{_when(5)},{_when(6)},53.48,-2.24,Doorway of the bank,"Man, 60s, crutches",false,Jo,jo@example.org,',
        f"A-2,{_when(4)},,,,Canal towpath by the lock,Woman with a shopping trolley,yes,,,",
        f'A-1,{_when(5)},,,,Same alert again,"Man, 60s",no,,,',
        f"A-3,{_when(3)},,,,Park bench,,no,,,",
        "A-4,not a date,,,,Park gates,Man in a green coat,no,,,",
        f"A-5,{_when(3)},{future},,,Car park,Man sleeping in a car,no,,,",
        f"A-6,{_when(3)},,91,-2.2,Bridge,Someone under the bridge,no,,,",
        f",{_when(3)},,,,Bridge,No id at all,no,,,",
        f"A-7,{_when(3)},,,,Bridge,Someone,perhaps,,,",
        f'A-8,{_when(2)},,,,"Market hall, back door","Young man, ""Jay""",no,,,07700 900456',
    ]
    path = tmp_path / "alerts.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_csv_import_keeps_good_rows_skips_duplicates_and_reports_bad_ones(cast, csv_file, testford_outline):
    out, err = run(csv_file, "--area", cast.area.name)
    assert "3 created, 1 skipped (already imported), 6 rejected" in out
    assert set(Alert.objects.values_list("external_id", flat=True)) == {"A-1", "A-2", "A-8"}
    first = Alert.objects.get(external_id="A-1")
    assert first.source == AlertSource.IMPORT and first.district == cast.district
    assert first.reporter_email == "jo@example.org" and first.received_at < timezone.now() - datetime.timedelta(hours=4)
    assert Alert.objects.get(external_id="A-2").reporter_is_person is True
    assert Alert.objects.get(external_id="A-8").description == 'Young man, "Jay"'
    # Each rejected row by its line in the file, with the reason.
    assert "Rejected line 5: description: Describe the person" in err
    assert "Rejected line 6: received_at" in err
    assert "Rejected line 7: seen_at: When you saw them must be now or in the past" in err
    assert "Rejected line 8: latitude: That point is not on the map" in err
    assert "Rejected line 9: id:" in err
    assert "Rejected line 10: reporter_is_person" in err
    assert AuditEvent.objects.filter(kind="create", action="Received an alert from an import").count() == 3


def test_importing_the_same_file_again_adds_nothing(cast, csv_file):
    run(csv_file, "--area", cast.area.name)
    out, _ = run(csv_file, "--area", cast.area.name)
    assert "0 created, 4 skipped" in out
    assert Alert.objects.count() == 3


def test_a_json_import(cast, tmp_path):
    items = [
        {"id": 501, "received_at": _when(2), "location": "Library steps", "description": "Older woman, many bags"},
        {"id": "502", "latitude": "53.49", "longitude": "-2.25", "description": "Man in a tent", "seen_at": None},
        {"id": "503", "description": "No place given"},
        "not an object",
        {"id": "501", "location": "Library steps", "description": "Older woman again"},
    ]
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    out, err = run(path, "--area", cast.area.name)
    assert "2 created, 1 skipped (already imported), 2 rejected" in out
    assert "Rejected item 3: location:" in err and "Rejected item 4:" in err
    assert Alert.objects.get(external_id="501").location == "Library steps"


def test_the_partner_source_recognises_what_the_platform_sent_through_the_api(cast, tmp_path):
    body = {"external_id": "SL-9", "location": "Arches", "description": "Man with a dog"}
    assert token_client(cast.coordinator).post("/api/v1/alerts/", body, format="json").status_code == 201
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps([{"id": "SL-9", "location": "Arches", "description": "Man with a dog"}]))
    out, _ = run(path, "--area", cast.area.name, "--source", "partner")
    assert "0 created, 1 skipped" in out and Alert.objects.count() == 1
    # Imported under the default source it is another platform's alert.
    out, _ = run(path, "--area", cast.area.name)
    assert "1 created" in out and Alert.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("id,location\nA,Here\n", "no-description.csv", "no description column"),
        ("{not json", "broken.json", "is not valid JSON"),
        ('{"id": 1}', "object.json", "must hold a JSON list"),
    ],
)
def test_a_file_that_cannot_be_read_imports_nothing(cast, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(path, "--area", cast.area.name)
    assert not Alert.objects.exists()


def test_a_missing_file_or_area_is_an_error(cast, tmp_path, csv_file):
    with pytest.raises(CommandError, match="There is no file"):
        run(tmp_path / "missing.csv", "--area", cast.area.name)
    with pytest.raises(CommandError, match="no area called"):
        run(csv_file, "--area", "Atlantis")
    assert not Alert.objects.exists()


def test_a_file_not_in_utf8_is_an_error(cast, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\nA-1,,,,,Caf\xe9 doorway,Man,no,,,\n").encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        run(path, "--area", cast.area.name)


def test_a_row_with_too_many_values_is_rejected_not_a_crash(cast, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(HEADER + "\nA-1,,,,,Here,Man,no,,,,extra,values\nA-2,,,,,There,Woman,no,,,\n")
    out, err = run(path, "--area", cast.area.name)
    assert "1 created" in out and "Rejected line 2: This row has more values" in err
