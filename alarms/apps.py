from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlarmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alarms"
    verbose_name = _("Alarms")

    def ready(self) -> None:
        from alarms.selectors import alert_details, object_plan, protected_object_features
        from alarms.simulator import simulate_panels
        from alarms.texts import alert_texts
        from opscenter.demo import register_simulator
        from opscenter.maplayers import MapLayer, register_map_layer
        from opscenter.services.details import register_alert_details
        from opscenter.services.preplans import register_object_plan
        from opscenter.services.texts import register_alert_composer

        register_simulator(simulate_panels)
        register_alert_details("alarms", alert_details)
        register_alert_composer("alarms", alert_texts)
        register_map_layer(
            MapLayer(
                key="protected_objects", label=_("Protected objects"), features=protected_object_features, order=30
            )
        )
        register_object_plan("alarms", object_plan)
