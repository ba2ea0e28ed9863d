"""Walk the audit's hash chain and report the first link that does not hold; exit non-zero if one does not."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opscenter.services.audit_chain import audit_verify


class Command(BaseCommand):
    help = (
        "Check the audit's hash chain from its start: every entry as sealed, no link missing, no entry older "
        "than AUDIT_SEAL_GRACE_SECONDS unsealed. Prints the head hash (keep it elsewhere to compare); exits "
        "1 at the first broken link."
    )

    def handle(self, *args, **options) -> None:
        verdict = audit_verify()
        if verdict.broken_at is not None:
            raise CommandError(
                f"The audit chain is broken at link {verdict.broken_at} (entry {verdict.entry_pk}): "
                f"{verdict.problem}. The {verdict.links} links before it hold."
            )
        if verdict.unsealed:
            raise CommandError(
                f"{verdict.unsealed} audit entries are older than {settings.AUDIT_SEAL_GRACE_SECONDS} s and not "
                f"sealed (is beat running?); the first: {verdict.problem}. The {verdict.links} sealed links hold."
            )
        self.stdout.write(f"The audit chain holds: {verdict.links} links, head {verdict.head}.")
