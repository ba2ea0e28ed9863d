"""The hash chain over the audit: each entry is sealed with the hash of the link before it, so that an
entry edited, removed or slipped in afterwards (by someone who got past the triggers and the runtime
role) shows as a broken link.

Entries are sealed by a beat task (`audit_seal`), not as they are written: a chain written in the
writers' transactions would make every service that records an action wait for every other one. The
chain's order is the order of sealing (`AuditSeal.seq`), not of the entries' ids, so an entry whose
transaction commits late is simply sealed a run later. `settings.AUDIT_SEAL_GRACE_SECONDS` is how long
an entry may stay unsealed: `audit_verify` reports older ones (the beat is down, or an entry was put in
behind the platform's back)."""

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from opscenter.models import AuditEntry, AuditSeal

GENESIS = "0" * 64
_SEAL_LOCK = 0x0A0D17  # pg_advisory_xact_lock key: one sealer at a time
_BATCH = 2000


def audit_entry_digest(entry: AuditEntry, *, previous_hash: str) -> str:
    """sha256 of the previous link's hash and the entry's content, as stored (read back from the database)."""
    content = {
        "id": entry.pk,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "reason": entry.reason,
        "address": entry.address,
        "data": entry.data,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def _seal_batch(now: datetime) -> int:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK])
        last = AuditSeal.objects.select_related("entry").order_by("-seq").first()
        entries = AuditEntry.objects.filter(seal__isnull=True)
        if last is not None:
            # Look only a grace period behind the newest sealed entry (not through the whole audit every
            # run): what is older and still unsealed is what audit_verify reports. Never behind a time
            # still to come: an entry put in with a date in the future must not stop the sealing.
            since = min(last.entry.at, now) - timedelta(seconds=settings.AUDIT_SEAL_GRACE_SECONDS)
            entries = entries.filter(at__gte=since)
        previous_hash, seq = (last.hash, last.seq) if last is not None else (GENESIS, 0)
        seals = []
        for entry in entries.order_by("pk")[:_BATCH]:
            seq += 1
            digest = audit_entry_digest(entry, previous_hash=previous_hash)
            seals.append(AuditSeal(seq=seq, entry=entry, previous_hash=previous_hash, hash=digest, sealed_at=now))
            previous_hash = digest
        AuditSeal.objects.bulk_create(seals)
        return len(seals)


def audit_seal(*, max_batches: int = 50) -> int:
    """Seal the entries committed since the last run, in batches of their own transactions; returns how many."""
    now = timezone.now()
    sealed = 0
    for _ in range(max_batches):
        count = _seal_batch(now)
        sealed += count
        if count < _BATCH:
            break
    return sealed


@dataclasses.dataclass(frozen=True)
class AuditVerdict:
    """What `audit_verify` found: the links checked, the head of the chain, and the first problem if any."""

    links: int
    head: str
    broken_at: int | None = None  # the position of the first link that does not hold
    entry_pk: int | None = None
    problem: str = ""
    unsealed: int = 0  # entries older than the grace period without a seal

    @property
    def holds(self) -> bool:
        return self.broken_at is None and not self.unsealed


def audit_verify(*, now: datetime | None = None, anchors: dict[int, str] | None = None) -> AuditVerdict:
    """Walk the chain from its start: every link must follow the one before it, carry its hash, and match
    its entry as stored now; no entry may be older than the grace period and unsealed.

    `anchors` are heads recorded earlier outside the database ({position: hash}, as audit_verify printed
    them): a chain rewritten from its start up to one of them, or cut short before it, holds together
    by itself but not against the anchor."""
    now = now or timezone.now()
    anchors = anchors or {}
    previous_hash, expected_seq = GENESIS, 1
    links = 0
    for seal in AuditSeal.objects.select_related("entry").order_by("seq").iterator(chunk_size=_BATCH):
        problem = ""
        if seal.seq != expected_seq:
            problem = f"link {expected_seq} is missing (the chain goes on at {seal.seq})"
        elif seal.previous_hash != previous_hash:
            problem = "it does not carry the hash of the link before it"
        elif audit_entry_digest(seal.entry, previous_hash=previous_hash) != seal.hash:
            problem = f"entry {seal.entry_id} is not what was sealed: it was changed"
        elif seal.seq in anchors and anchors[seal.seq] != seal.hash:
            problem = "its hash is not the one recorded for it: the chain was rewritten up to here"
        if problem:
            return AuditVerdict(
                links=links, head=previous_hash, broken_at=expected_seq, entry_pk=seal.entry_id, problem=problem
            )
        previous_hash, expected_seq, links = seal.hash, expected_seq + 1, links + 1
    beyond = sorted(seq for seq in anchors if seq > links)
    if beyond:
        return AuditVerdict(
            links=links,
            head=previous_hash,
            broken_at=beyond[0],
            problem=f"the chain ends at link {links}, before link {beyond[0]} recorded earlier: it was cut short",
        )
    cutoff = now - timedelta(seconds=settings.AUDIT_SEAL_GRACE_SECONDS)
    unsealed = AuditEntry.objects.filter(seal__isnull=True, at__lt=cutoff)
    first = unsealed.order_by("pk").first()
    if first is not None:
        return AuditVerdict(
            links=links,
            head=previous_hash,
            entry_pk=first.pk,
            unsealed=unsealed.count(),
            problem=f"entry {first.pk} of {first.at:%Y-%m-%d %H:%M:%S} is older than the grace period and unsealed",
        )
    return AuditVerdict(links=links, head=previous_hash)
