"""The audit log is append-only at every level: model, queryset, database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from observatory.core.audit import audit_record
from observatory.core.context import Origin, origin
from observatory.core.errors import AuditLogIsAppendOnly
from observatory.core.models import AuditEvent


@pytest.fixture
def event(db: object) -> AuditEvent:
    with origin(Origin(via="web", ip_address="203.0.113.9", user_agent="pytest")):
        return audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            object_type="test.thing",
            object_id="1",
            object_repr="thing",
        )


def test_record_keeps_where_it_came_from(event: AuditEvent) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.via, stored.ip_address, stored.user_agent) == ("web", "203.0.113.9", "pytest")


def test_model_refuses_update(event: AuditEvent) -> None:
    event.object_repr = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()


def test_model_refuses_delete(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()


def test_queryset_refuses_update_and_delete(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="changed")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_database_refuses_update_behind_the_orm(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET object_repr = 'changed' WHERE id = %s", [event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "thing"


# Engine-specific on purpose: SQLite keeps DELETE possible because test-database
# flushes use it (the model refuses deletes there); this runs in make test's
# PostgreSQL pass.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="delete trigger is PostgreSQL-only")
def test_postgres_refuses_delete_behind_the_orm(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
