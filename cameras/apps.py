from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CamerasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cameras"
    verbose_name = _("Cameras")

    def ready(self) -> None:
        from cameras.beside import alert_camera_tiles, camera_features
        from cameras.demo import run_video, simulate_smart_cameras
        from opscenter.demo import register_background, register_simulator
        from opscenter.maplayers import MapLayer, register_map_layer
        from opscenter.permissions import Capability
        from opscenter.services.beside import register_beside
        from opscenter.services.texts import phrased_alert_texts, register_alert_composer

        register_beside("cameras", alert_camera_tiles)
        register_simulator(simulate_smart_cameras)
        register_background("video", run_video)
        register_alert_composer("cameras", phrased_alert_texts)
        register_map_layer(
            MapLayer(
                key="cameras",
                label=_("Cameras"),
                features=camera_features,
                shown=False,
                order=40,
                capability=Capability.CAMERA_VIEW,
            )
        )
