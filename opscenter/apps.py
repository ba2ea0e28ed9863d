from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpscenterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "opscenter"
    verbose_name = _("Operations center")
