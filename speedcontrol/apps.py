from django.apps import AppConfig


class SpeedcontrolConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "speedcontrol"
