"""The audit: every state change is recorded with who, what, where; reads of personal data need a
reason; the admin is read-only; on PostgreSQL the table refuses UPDATE and DELETE."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from opscenter.errors import ReasonRequired
from opscenter.models import AuditEntry
from opscenter.services.alerts import alert_raise
from opscenter.services.audit import audit_context, audit_personal_data_read, audit_record
from tests.factories import district

pytestmark = pytest.mark.django_db


def test_a_record_carries_actor_object_reason_and_address(operator_uralsk):
    alert = alert_raise(source="test", kind="t", severity=2, title="x", district=district("uralsk"))
    with audit_context(address="10.1.2.3"):
        entry = audit_record(actor=operator_uralsk, action="alert.view", obj=alert, reason="case 123")
    assert (entry.actor, entry.actor_label, entry.action) == (operator_uralsk, "op_uralsk", "alert.view")
    assert (entry.object_type, entry.object_id, entry.reason, entry.address) == (
        "opscenter.alert",
        str(alert.pk),
        "case 123",
        "10.1.2.3",
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_reading_personal_data_without_a_reason_is_refused_and_not_recorded(operator_uralsk, reason):
    with pytest.raises(ReasonRequired):
        audit_personal_data_read(actor=operator_uralsk, obj=operator_uralsk, reason=reason)
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()


def test_reading_personal_data_with_a_reason_is_recorded(operator_uralsk, officer_terekti):
    entry = audit_personal_data_read(actor=operator_uralsk, obj=officer_terekti, reason=" УД 2411 ", what="card")
    assert (entry.action, entry.reason, entry.data) == ("personal_data.read", "УД 2411", {"what": "card"})


def test_requests_record_their_address(operator_uralsk):
    alert = alert_raise(source="test", kind="t", severity=2, title="x", district=district("uralsk"))
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.force_login(operator_uralsk)
    client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert AuditEntry.objects.get(action="alert.acknowledge").address == "192.0.2.7"


def test_the_admin_shows_the_audit_read_only(admin_client, operator_uralsk):
    entry = audit_record(actor=operator_uralsk, action="x.y")
    assert admin_client.get("/admin/opscenter/auditentry/").status_code == 200
    assert admin_client.get("/admin/opscenter/auditentry/add/").status_code == 403
    assert admin_client.post(f"/admin/opscenter/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/opscenter/auditentry/{entry.pk}/change/", {"action": "z"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "x.y"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's; CI runs this on it")
def test_postgresql_refuses_update_and_delete_of_the_audit(operator_uralsk):
    entry = audit_record(actor=operator_uralsk, action="x.y")
    for statement in ("UPDATE opscenter_auditentry SET action = 'z'", "DELETE FROM opscenter_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="z")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    entry.refresh_from_db()
    assert entry.action == "x.y"
