"""bracelets: electronic monitoring of people under house arrest and supervision (see DESIGN.md)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BraceletsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bracelets"
    verbose_name = _("Bracelets")

    def ready(self) -> None:
        from bracelets.selectors import alert_details
        from bracelets.simulator import simulate_bracelets
        from bracelets.texts import alert_texts
        from opscenter.demo import register_simulator
        from opscenter.services.details import register_alert_details
        from opscenter.services.texts import register_alert_composer

        register_simulator(simulate_bracelets)
        register_alert_details("bracelets", alert_details)
        register_alert_composer("bracelets", alert_texts)
