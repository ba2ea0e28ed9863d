from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from appeals import checks, schema  # noqa: F401  (registers the system check and the OpenAPI scheme)
        from appeals.selectors import alert_details
        from appeals.services.webhooks import WEBHOOK_CHANNEL, webhook_send
        from appeals.simulator import simulate_appeals
        from appeals.texts import alert_texts
        from opscenter.demo import register_simulator
        from opscenter.services.details import register_alert_details
        from opscenter.services.outbox import outbox_register_sender
        from opscenter.services.texts import register_alert_composer

        outbox_register_sender(WEBHOOK_CHANNEL, webhook_send, max_attempts=settings.APPEALS_WEBHOOK_MAX_ATTEMPTS)
        register_simulator(simulate_appeals)
        register_alert_details("appeals", alert_details)
        register_alert_composer("appeals", alert_texts)
