from django.apps import AppConfig


class KorgauConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "korgau"
