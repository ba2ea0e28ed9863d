"""How fast the audit's hash chain is sealed and verified on PostgreSQL: what the beat task (`seal-audit`,
every minute) and `manage.py audit_verify` cost as the audit grows. See bench/README.md.

    .venv/bin/python bench/audit.py                      # 50,000 entries
    .venv/bin/python bench/audit.py --entries 5000       # quick

The entries stay: the audit is append-only, in the bench database too.
"""

import argparse
import json
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import set_up_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=50_000, help="audit entries to add and seal")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    set_up_django("audit")

    from django.utils import timezone

    from opscenter.models import AuditEntry, AuditSeal
    from opscenter.services.audit_chain import audit_seal, audit_verify

    audit_seal()  # whatever earlier runs or other benches left unsealed, so that only ours is timed
    run = secrets.token_hex(4)
    now = timezone.now()
    started = time.perf_counter()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                at=now,
                actor_label="bench",
                action="personal_data.read",
                object_type="bracelets.person",
                object_id=str(n),
                object_repr=f"EM-{n:06d}",
                reason=f"bench {run}",
                address="10.0.0.1",
                data={"what": "card", "n": n},
            )
            for n in range(args.entries)
        ],
        batch_size=5000,
    )
    inserted = time.perf_counter() - started

    started = time.perf_counter()
    sealed = audit_seal(max_batches=10**9)
    seal_seconds = time.perf_counter() - started

    started = time.perf_counter()
    verdict = audit_verify()
    verify_seconds = time.perf_counter() - started

    figures = {
        "entries_added": args.entries,
        "insert_per_s": round(args.entries / inserted),
        "sealed": sealed,
        "seal_seconds": round(seal_seconds, 2),
        "seal_per_s": round(sealed / seal_seconds) if seal_seconds else None,
        "chain_links": verdict.links,
        "verify_seconds": round(verify_seconds, 2),
        "verify_per_s": round(verdict.links / verify_seconds) if verify_seconds else None,
        "holds": verdict.holds,
        "problem": verdict.problem,
        "audit_entries_in_database": AuditEntry.objects.count(),
        "seals_in_database": AuditSeal.objects.count(),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>26}: {value}")


if __name__ == "__main__":
    main()
