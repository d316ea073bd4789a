"""Who looked: break-glass and flagged reads, for the owning services' managers and area admins only."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.conftest import signed_in
from tests.factories import member
from waymark.access.constants import Role
from waymark.access.models import BreakGlass
from waymark.access.services_record import FLAG_NOT_WORKING_WITH, break_glass, flagged_reads_for, glass_reads_for
from waymark.audit.models import AuditEvent, AuditKind
from waymark.audit.services import record
from waymark.core.context import acting_as

WHY = "Reported missing by her sister this morning; police asking."
URL = "/who-looked/"


@pytest.fixture
def looked(cast):
    """The hostel worker broke the glass on the refuge's protected resident; the hostel
    manager read her notes without working with her (a flagged read)."""
    with acting_as(user=cast.hostel_worker, service=cast.hostel):
        glass = break_glass(cast.hostel_worker, cast.protected_person, "identity", "missing", WHY)
    with acting_as(user=cast.manager, service=cast.hostel):
        record(
            AuditKind.READ,
            f"Read the case notes of {cast.protected_person.reference}",
            person=cast.protected_person,
            obj=cast.protected_person,
            detail={"flag": FLAG_NOT_WORKING_WITH},
        )
    return glass


def test_the_owning_service_manager_sees_who_looked(cast, looked, refuge_manager):
    assert list(glass_reads_for(refuge_manager)) == [looked]
    assert [e.username for e in flagged_reads_for(refuge_manager)] == ["mo.manager"]
    page = signed_in(refuge_manager).get(URL)
    assert page.status_code == 200
    content = page.content.decode()
    for text in ("harry.hostel", "Harbour House", cast.protected_person.reference, WHY, "Person reported missing"):
        assert text in content
    assert "Priya" not in content


def test_the_area_admin_sees_the_whole_area(cast, looked):
    assert list(glass_reads_for(cast.area_admin)) == [looked]
    assert flagged_reads_for(cast.area_admin).count() == 1
    flagged = signed_in(cast.area_admin).get(URL, {"show": "flagged"})
    assert flagged.status_code == 200
    assert "mo.manager" in flagged.content.decode()
    assert "Read the case notes of" in flagged.content.decode()


def test_another_organisations_manager_sees_none_of_it(cast, looked):
    # The hostel manager manages the service that looked, not the one whose record was read.
    assert not glass_reads_for(cast.manager).exists()
    assert not flagged_reads_for(cast.manager).exists()
    content = signed_in(cast.manager).get(URL).content.decode()
    assert WHY not in content and cast.protected_person.reference not in content


def test_an_area_admin_elsewhere_sees_none_of_it(cast, looked):
    assert not glass_reads_for(cast.outsider).exists()
    assert not flagged_reads_for(cast.outsider).exists()
    assert WHY not in signed_in(cast.outsider).get(URL).content.decode()


@pytest.mark.parametrize(
    "who", ["outreach_worker", "hostel_worker", "refuge_worker", "viewer", "analyst", "coordinator"]
)
def test_workers_viewers_and_analysts_may_not_open_it(cast, looked, who):
    assert signed_in(getattr(cast, who)).get(URL).status_code == 403
    assert signed_in(getattr(cast, who)).get(reverse("record:who_looked_export")).status_code == 403
    assert_error(token_client(getattr(cast, who)).get("/api/v1/break-glass/"), 403)


def test_anonymous_is_sent_to_sign_in(cast):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert_error(APIClient().get("/api/v1/break-glass/"), 401)


def test_filters_by_date_and_service(cast, looked, refuge_manager):
    client = signed_in(refuge_manager)
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    assert WHY in client.get(URL, {"date_from": today.strftime("%d/%m/%Y")}).content.decode()
    assert WHY not in client.get(URL, {"date_to": yesterday.strftime("%d/%m/%Y")}).content.decode()
    assert WHY in client.get(URL, {"service": str(cast.hostel.public_id)}).content.decode()
    assert WHY not in client.get(URL, {"service": str(cast.outreach.public_id)}).content.decode()
    bad = client.get(URL, {"date_from": "31/02/2026"})
    assert bad.status_code == 400
    assert b'id="id_date_from-error"' in bad.content
    later = client.get(URL, {"date_from": today.strftime("%d/%m/%Y"), "date_to": yesterday.strftime("%d/%m/%Y")})
    assert later.status_code == 400


def test_the_csv_export_is_audited(cast, looked, refuge_manager):
    client = signed_in(refuge_manager)
    response = client.get(reverse("record:who_looked_export"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "When (UK time)"
    assert rows[1][1] == "harry.hostel" and rows[1][4] == cast.protected_person.reference and rows[1][7] == WHY
    assert len(rows) == 2
    flagged = client.get(reverse("record:who_looked_export"), {"show": "flagged"})
    flagged_rows = list(csv.reader(io.StringIO(b"".join(flagged.streaming_content).decode())))
    assert flagged_rows[1][1] == "mo.manager"
    exports = AuditEvent.objects.filter(kind=AuditKind.EXPORT, username="rae.refugemanager")
    assert exports.count() == 2


def test_a_formula_in_an_explanation_is_exported_as_text(cast, refuge_manager):
    with acting_as(user=cast.hostel_worker, service=cast.hostel):
        break_glass(cast.hostel_worker, cast.protected_person, "identity", "other", '=HYPERLINK("x") and more words')
    response = signed_in(refuge_manager).get(reverse("record:who_looked_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][7].startswith("'=")


def test_the_api_lists_who_looked_for_the_same_audience(cast, looked, refuge_manager):
    body = token_client(refuge_manager).get("/api/v1/break-glass/").json()
    assert [row["id"] for row in body["results"]] == [str(looked.public_id)]
    assert body["results"][0]["explanation"] == WHY
    assert body["results"][0]["person_reference"] == cast.protected_person.reference
    assert "Priya" not in str(body)
    assert token_client(cast.area_admin).get("/api/v1/break-glass/").json()["results"][0]["username"] == "harry.hostel"
    assert token_client(cast.manager).get("/api/v1/break-glass/").json()["results"] == []
    assert token_client(cast.outsider).get("/api/v1/break-glass/").json()["results"] == []
    filtered = token_client(refuge_manager).get("/api/v1/break-glass/", {"service": str(cast.outreach.public_id)})
    assert filtered.json()["results"] == []
    assert_error(token_client(refuge_manager).get("/api/v1/break-glass/", {"date_from": "soon"}), 400)


def test_the_page_makes_a_bounded_number_of_queries(cast, refuge_manager, django_assert_max_num_queries):
    workers = [
        member(
            Role.CONTRIBUTOR, cast.hostel, username=f"worker{i}", area=cast.area, organisation=cast.hostel.organisation
        )
        for i in range(30)
    ]
    for worker in workers:
        with acting_as(user=worker, service=cast.hostel):
            break_glass(worker, cast.protected_person, "identity", "missing", WHY)
    for worker in workers[:10]:
        with acting_as(user=worker, service=cast.hostel):
            record(AuditKind.READ, "Read", person=cast.protected_person, detail={"flag": FLAG_NOT_WORKING_WITH})
    client = signed_in(refuge_manager)
    with django_assert_max_num_queries(15):
        glass = client.get(URL)
    assert glass.status_code == 200
    assert len(glass.context["page"].object_list) == 30
    with django_assert_max_num_queries(15):
        assert client.get(URL, {"show": "flagged"}).status_code == 200
    for _ in range(25):
        BreakGlass.objects.create(
            user=workers[0],
            service=cast.hostel,
            person=cast.protected_person,
            area=cast.area,
            scope="identity",
            reason="missing",
            explanation=WHY,
            expires_at=timezone.now(),
        )
    with django_assert_max_num_queries(15):
        paged = client.get(URL)
    assert paged.context["page"].paginator.num_pages == 2
