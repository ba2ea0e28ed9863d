"""Walk the audit's hash chain and report the first link that does not hold; exit non-zero if one does not."""

import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from opscenter.services.audit_chain import audit_verify


class Command(BaseCommand):
    help = (
        "Check the audit's hash chain from its start: every entry as sealed, no link missing, no entry older "
        "than AUDIT_SEAL_GRACE_SECONDS unsealed, the chain still through every --anchor. Prints the head "
        "(POSITION:HASH: keep it outside the database and pass it back as --anchor); exits 1 at the first "
        "broken link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="POSITION:HASH",
            help="A head printed by an earlier run and kept outside the database (repeatable): the chain must "
            "still reach that position with that hash.",
        )

    def handle(self, *args, **options) -> None:
        anchors = {}
        for anchor in options["anchor"]:
            match = re.fullmatch(r"(\d+):([0-9a-f]{64})", anchor.strip())
            if match is None:
                raise CommandError(f"--anchor {anchor!r}: expected POSITION:HASH, as a run printed it.")
            anchors[int(match[1])] = match[2]
        verdict = audit_verify(anchors=anchors)
        if verdict.broken_at is not None:
            entry = f" (entry {verdict.entry_pk})" if verdict.entry_pk is not None else ""
            raise CommandError(
                f"The audit chain is broken at link {verdict.broken_at}{entry}: {verdict.problem}. "
                f"The {verdict.links} links before it hold."
            )
        if verdict.unsealed:
            raise CommandError(
                f"{verdict.unsealed} audit entries are older than {settings.AUDIT_SEAL_GRACE_SECONDS} s and not "
                f"sealed (is beat running?); the first: {verdict.problem}. The {verdict.links} sealed links hold."
            )
        self.stdout.write(f"The audit chain holds: {verdict.links} links, head {verdict.links}:{verdict.head}.")
