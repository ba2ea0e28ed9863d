"""Raise a test alert in a center, so the center can check the chain end to end: service, audit,
live feed, operators' screens. The alert is P4 and closes like any other (disposition "test")."""

import getpass
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext_noop

from opscenter.models import OperationsCenter, Severity, User
from opscenter.services.alerts import alert_raise
from opscenter.services.audit import audit_record
from opscenter.services.texts import phrase


class Command(BaseCommand):
    help = "Raise a P4 test alert in an operations center and print its id as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--center", required=True, help="Code of the operations center, e.g. uralsk.")
        parser.add_argument("--user", default="", help="Username to record as the one raising it (optional).")

    def handle(self, *args, **options) -> None:
        code = options["center"].strip()
        center = OperationsCenter.objects.filter(code=code).first()
        if center is None:
            codes = ", ".join(OperationsCenter.objects.values_list("code", flat=True))
            raise CommandError(f"Unknown center {code!r}. Valid codes: {codes}.")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"Unknown user {options['user']!r}.")
        who = actor.get_username() if actor is not None else _os_user()
        when = timezone.localtime()
        title = phrase(
            gettext_noop("Test alert raised by %(who)s at %(when)s, no action needed"),
            who=who,
            when=when.strftime("%Y-%m-%d %H:%M:%S"),
        )
        alert = alert_raise(
            source="opscenter",
            kind="test",
            severity=Severity.P4,
            title=title,
            center=center,
            payload={"test": True, "raised_by": who, "command": "raise_test_alert", "title": title},
            actor=actor,
        )
        audit_record(
            actor=actor,
            actor_label=f"raise_test_alert ({who})",
            action="alert.raise_test",
            obj=alert,
            data={"center": center.code, "by": who},
        )
        self.stdout.write(json.dumps({"id": alert.pk, "center": center.code, "title": alert.title}, ensure_ascii=False))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container
        return "unknown"
