"""The audit: every state change is recorded with who, what, where; reads of personal data need a
reason; the admin is read-only; the database refuses UPDATE, DELETE and TRUNCATE of it, on PostgreSQL and
SQLite alike."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from opscenter.errors import ReasonRequired
from opscenter.models import AuditEntry, AuditSeal
from opscenter.services.alerts import alert_raise
from opscenter.services.audit import audit_context, audit_personal_data_read, audit_record
from opscenter.services.audit_chain import audit_seal
from tests.audit_triggers import audit_triggers_bypassed
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


def test_the_admin_shows_each_entrys_seal(admin_client, operator_uralsk):
    entry = audit_record(actor=operator_uralsk, action="x.y")
    assert "—" in admin_client.get(f"/admin/opscenter/auditentry/{entry.pk}/change/").content.decode()
    audit_seal()
    seal = AuditSeal.objects.get(entry=entry)
    listing = admin_client.get("/admin/opscenter/auditentry/").content.decode()
    assert f"#{seal.seq} {seal.hash[:12]}" in listing


def _raw(statement: str):
    def run(entry: AuditEntry) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement)

    return run


EDITS = {
    "raw UPDATE": _raw("UPDATE opscenter_auditentry SET action = 'z'"),
    "raw DELETE": _raw("DELETE FROM opscenter_auditentry"),
    "ORM update": lambda entry: AuditEntry.objects.filter(pk=entry.pk).update(action="z"),
    "ORM save": lambda entry: (setattr(entry, "action", "z"), entry.save()),
    "ORM delete": lambda entry: entry.delete(),
    "ORM queryset delete": lambda entry: AuditEntry.objects.all().delete(),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_the_database_refuses_to_edit_the_audit(operator_uralsk, edit):
    entry = audit_record(actor=operator_uralsk, action="x.y")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        edit(entry)
    assert list(AuditEntry.objects.values_list("pk", "action")) == [(entry.pk, "x.y")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE (its DELETE is refused above)")
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE opscenter_auditentry, opscenter_auditseal",
        "TRUNCATE opscenter_auditentry CASCADE",
        "TRUNCATE opscenter_auditseal",
    ],
)
def test_postgresql_refuses_to_truncate_the_audit(operator_uralsk, statement):
    entry = audit_record(actor=operator_uralsk, action="x.y")
    with connection.cursor() as cursor:
        # The test's transaction still holds the deferred foreign-key checks of that insert, which would
        # refuse TRUNCATE by themselves ("pending trigger events"): run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [entry.pk]


def test_the_tests_bypass_of_the_triggers_lasts_only_its_block(operator_uralsk):
    entry = audit_record(actor=operator_uralsk, action="x.y")
    with audit_triggers_bypassed():
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="again")
    assert AuditEntry.objects.get(pk=entry.pk).action == "tampered"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as every transactional test here
@pytest.mark.parametrize("run", ["first", "second"])
def test_transactional_tests_still_start_with_an_empty_audit(run):
    """The flush after a transactional test empties the audit through the tests' bypass (tests/conftest.py);
    the second run would find the first one's entry, or its teardown would fail, without it."""
    assert not AuditEntry.objects.exists()
    audit_record(actor=None, action=f"x.{run}")
    assert AuditEntry.objects.count() == 1
