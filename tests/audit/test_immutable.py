"""The audit log is append-only: the ORM refuses changes, and so does PostgreSQL itself."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from waymark.audit.models import AuditEvent, AuditImmutable, AuditKind
from waymark.audit.services import record


@pytest.fixture
def event(db) -> AuditEvent:
    return record(AuditKind.ADMIN, "Created something", username="someone")


def test_it_refuses_to_save_a_changed_event(event):
    event.action = "Rewritten history"
    with pytest.raises(AuditImmutable):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "Created something"


def test_it_refuses_to_delete_an_event(event):
    with pytest.raises(AuditImmutable):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_queryset_refuses_update_delete_and_bulk_update(event):
    events = AuditEvent.objects.filter(pk=event.pk)
    with pytest.raises(AuditImmutable):
        events.update(action="Rewritten")
    with pytest.raises(AuditImmutable):
        events.delete()
    event.action = "Rewritten"
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "Created something"


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("The append-only trigger exists on PostgreSQL only")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'Rewritten' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_update_and_delete(postgres_only, event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "Created something"
