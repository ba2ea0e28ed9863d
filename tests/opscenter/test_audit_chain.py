"""The hash chain over the audit: entries are sealed in order by the beat task, and audit_verify reports the
first link that does not hold once someone got past the triggers (tampering is simulated with the tests'
bypass of them)."""

import io
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from opscenter.models import AuditEntry, AuditSeal
from opscenter.services.audit import audit_record
from opscenter.services.audit_chain import GENESIS, audit_entry_digest, audit_seal, audit_verify
from opscenter.tasks import seal_audit
from tests.audit_triggers import audit_triggers_bypassed

pytestmark = pytest.mark.django_db


def run_command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sealed(operator_uralsk) -> list[AuditEntry]:
    entries = [
        audit_record(actor=operator_uralsk, action="alert.acknowledge", reason="", data={"n": 1}),
        audit_record(actor=None, action="personal_data.read", reason="УД 2411", data={"what": "card"}),
        audit_record(actor=None, actor_label="bracelet 7", action="x.y", address="10.1.2.3"),
    ]
    assert audit_seal() == 3
    return entries


def test_sealing_links_each_entry_to_the_one_before(sealed):
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [(seal.seq, seal.entry_id) for seal in seals] == [(1, sealed[0].pk), (2, sealed[1].pk), (3, sealed[2].pk)]
    assert [seal.previous_hash for seal in seals] == [GENESIS, seals[0].hash, seals[1].hash]
    stored = AuditEntry.objects.get(pk=sealed[1].pk)
    assert seals[1].hash == audit_entry_digest(stored, previous_hash=seals[0].hash)
    assert audit_seal() == 0


def test_the_beat_task_seals_and_is_scheduled(operator_uralsk):
    audit_record(actor=operator_uralsk, action="x.y")
    assert seal_audit.delay().get() == 1
    assert {"task": "opscenter.tasks.seal_audit"}.items() <= settings.CELERY_BEAT_SCHEDULE["seal-audit"].items()


def test_an_untouched_chain_holds(sealed):
    verdict = audit_verify()
    assert (verdict.holds, verdict.links, verdict.head) == (True, 3, AuditSeal.objects.get(seq=3).hash)
    assert run_command("audit_verify") == f"The audit chain holds: 3 links, head 3:{verdict.head}.\n"
    assert run_command("audit_verify", "--anchor", f"3:{verdict.head}").startswith("The audit chain holds")


def test_an_entry_that_committed_late_is_sealed_a_run_later(sealed):
    # Timed before the newest sealed entry (its transaction began earlier), committed after the seal ran.
    late = AuditEntry.objects.create(at=sealed[2].at - timedelta(seconds=60), actor_label="system", action="late")
    assert audit_seal() == 1
    assert AuditSeal.objects.get(entry=late).seq == 4
    assert audit_verify().holds


def _tamper(sql: str, params: list) -> None:
    with audit_triggers_bypassed(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _assert_broken(at: int, entry_pk: int, problem: str) -> None:
    verdict = audit_verify()
    assert (verdict.holds, verdict.broken_at, verdict.entry_pk, verdict.links) == (False, at, entry_pk, at - 1)
    assert problem in verdict.problem
    with pytest.raises(CommandError, match=f"broken at link {at} \\(entry {entry_pk}\\)"):
        run_command("audit_verify")


@pytest.mark.parametrize(
    "column, value",
    [("reason", "nothing to see"), ("action", "x.z"), ("actor_label", "someone else"), ("data", '{"n": 2}')],
)
def test_an_edited_entry_breaks_its_link(sealed, column, value):
    _tamper(f"UPDATE opscenter_auditentry SET {column} = %s WHERE id = %s", [value, sealed[1].pk])  # noqa: S608
    _assert_broken(2, sealed[1].pk, "was changed")


def test_a_removed_entry_breaks_the_chain_where_it_was(sealed):
    seal = AuditSeal.objects.get(entry=sealed[1])
    _tamper("DELETE FROM opscenter_auditseal WHERE id = %s", [seal.pk])
    _tamper("DELETE FROM opscenter_auditentry WHERE id = %s", [sealed[1].pk])
    _assert_broken(2, sealed[2].pk, "link 2 is missing")


def test_a_removed_and_renumbered_link_still_breaks_the_chain(sealed):
    seal = AuditSeal.objects.get(entry=sealed[1])
    _tamper("DELETE FROM opscenter_auditseal WHERE id = %s", [seal.pk])
    _tamper("DELETE FROM opscenter_auditentry WHERE id = %s", [sealed[1].pk])
    _tamper("UPDATE opscenter_auditseal SET seq = 2 WHERE seq = 3", [])
    _assert_broken(2, sealed[2].pk, "does not carry the hash of the link before it")


def test_a_chain_rewritten_whole_holds_by_itself_but_not_against_a_recorded_head(sealed):
    anchor = f"3:{AuditSeal.objects.get(seq=3).hash}"
    # Someone with the owner's rights edits entry 2 and recomputes every seal from there on.
    _tamper("UPDATE opscenter_auditentry SET reason = 'nothing to see' WHERE id = %s", [sealed[1].pk])
    previous_hash = AuditSeal.objects.get(seq=1).hash
    for seal in AuditSeal.objects.filter(seq__gte=2).select_related("entry").order_by("seq"):
        digest = audit_entry_digest(seal.entry, previous_hash=previous_hash)
        _tamper(
            "UPDATE opscenter_auditseal SET previous_hash = %s, hash = %s WHERE id = %s",
            [previous_hash, digest, seal.pk],
        )
        previous_hash = digest
    assert audit_verify().holds
    with pytest.raises(CommandError, match=r"broken at link 3 .*rewritten"):
        run_command("audit_verify", "--anchor", anchor)


def test_a_chain_cut_short_fails_against_a_recorded_head(sealed):
    anchor = f"3:{AuditSeal.objects.get(seq=3).hash}"
    _tamper("DELETE FROM opscenter_auditseal WHERE seq = 3", [])
    _tamper("DELETE FROM opscenter_auditentry WHERE id = %s", [sealed[2].pk])
    assert audit_verify().holds
    with pytest.raises(CommandError, match=r"broken at link 3: .*cut short"):
        run_command("audit_verify", "--anchor", anchor)


@pytest.mark.parametrize("anchor", ["3", "x:abc", "3:" + "g" * 64])
def test_a_malformed_anchor_is_refused(anchor):
    with pytest.raises(CommandError, match="expected POSITION:HASH"):
        run_command("audit_verify", "--anchor", anchor)


def test_an_entry_slipped_in_behind_the_platform_is_reported_unsealed(sealed):
    grace = settings.AUDIT_SEAL_GRACE_SECONDS
    slipped = AuditEntry.objects.create(at=timezone.now() - timedelta(seconds=grace + 5), actor_label="x", action="x")
    assert audit_seal() == 0  # older than the grace behind the newest sealed entry: not sealed afterwards
    verdict = audit_verify()
    assert (verdict.holds, verdict.broken_at, verdict.unsealed, verdict.entry_pk) == (False, None, 1, slipped.pk)
    with pytest.raises(CommandError, match="1 audit entries are older than"):
        run_command("audit_verify")


def test_an_entry_dated_in_the_future_does_not_stop_the_sealing(sealed):
    AuditEntry.objects.create(at=timezone.now() + timedelta(days=365), actor_label="x", action="from the future")
    assert audit_seal() == 1
    later = audit_record(actor=None, action="x.later")
    assert audit_seal() == 1
    assert AuditSeal.objects.get(entry=later).seq == 5
    assert audit_verify().holds


SEAL_EDITS = {
    "raw UPDATE": lambda: connection.cursor().execute("UPDATE opscenter_auditseal SET hash = 'x'"),
    "raw DELETE": lambda: connection.cursor().execute("DELETE FROM opscenter_auditseal"),
    "ORM update": lambda: AuditSeal.objects.update(previous_hash="x"),
}


@pytest.mark.parametrize("edit", SEAL_EDITS.values(), ids=SEAL_EDITS.keys())
def test_the_seals_cannot_be_edited_either(sealed, edit):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        edit()
    assert audit_verify().holds


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two sealers at once wait on PostgreSQL's advisory lock")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sealers_at_once_make_one_chain():
    for n in range(50):
        audit_record(actor=None, action=f"x.{n}")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def seal() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(audit_seal())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=seal) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (errors, sorted(results)) == ([], [0, 50])
    verdict = audit_verify()
    assert (verdict.holds, verdict.links) == (True, 50)
