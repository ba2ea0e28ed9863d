"""Re-encrypt the partners' stored secrets with the first FIELD_ENCRYPTION_KEY (after adding a new key)."""

from django.core.management.base import BaseCommand

from appeals.services.partners import partner_secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every partner's secrets with the newest FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        self.stdout.write(f"{partner_secrets_reencrypt()} partners re-encrypted.")
