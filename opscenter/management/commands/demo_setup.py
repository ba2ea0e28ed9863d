"""Create (or bring back to their known state) the demo's users and patrol units, and print their logins."""

from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand
from django.db import transaction

from opscenter.demo import DEMO_USERS, demo_units_setup, demo_user_lines, ensure_demo_preplans
from opscenter.models import District, OperationsCenter, User
from opscenter.services.audit import audit_record


class Command(BaseCommand):
    help = "Create the demo users with known passwords (idempotent) and print their logins."

    def handle(self, *args, **options) -> None:
        created = 0
        with transaction.atomic():
            for demo_user in DEMO_USERS:
                user, was_created = User.objects.update_or_create(
                    username=demo_user.username,
                    defaults={
                        "role": demo_user.role,
                        "first_name": demo_user.first_name,
                        "last_name": demo_user.last_name,
                        "is_active": True,
                        "is_staff": demo_user.superuser,
                        "is_superuser": demo_user.superuser,
                    },
                )
                validate_password(demo_user.password, user)
                if was_created or not user.check_password(demo_user.password):
                    user.set_password(demo_user.password)
                    user.save(update_fields=["password"])
                user.centers.set(OperationsCenter.objects.filter(code__in=demo_user.centers))
                user.districts.set(District.objects.filter(code__in=demo_user.districts))
                if was_created:
                    created += 1
                    audit_record(actor=None, actor_label="demo_setup", action="user.create", obj=user)
            units = demo_units_setup()
        ensure_demo_preplans()
        self.stdout.write(f"Demo users ready ({created} created, {len(DEMO_USERS) - created} already there):")
        for line in demo_user_lines():
            self.stdout.write(line)
        self.stdout.write(f"Demo units: {', '.join(unit.call_sign for unit in units)}")
