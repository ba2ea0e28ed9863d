from django.apps import AppConfig


class BraceletsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bracelets"
