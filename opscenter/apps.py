from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _lift_statement_timeout(sender, using, **kwargs) -> None:
    """Migrations may rewrite or index big tables: the session's statement_timeout (settings.DATABASES)
    does not apply to them."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


def _restore_statement_timeout(sender, using, **kwargs) -> None:
    """Back to the connection's own value: the same connection may serve more (the test run does)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


class OpscenterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "opscenter"
    verbose_name = _("Operations center")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from opscenter import checks  # noqa: F401  (registers the system checks)
        from opscenter.maplayers import MapLayer, district_features, register_map_layer
        from opscenter.services.texts import phrased_alert_texts, register_alert_composer

        register_map_layer(
            MapLayer(
                key="districts", label=_("District boundaries"), features=district_features, kind="shapes", order=10
            )
        )
        pre_migrate.connect(_lift_statement_timeout, dispatch_uid="opscenter.lift_statement_timeout")
        post_migrate.connect(_restore_statement_timeout, dispatch_uid="opscenter.restore_statement_timeout")
        user_logged_out.connect(_close_the_sessions_sockets, dispatch_uid="opscenter.live.logout")
        # The spine's own alerts: the demo's simulated traffic and the test alert (raise_test_alert).
        register_alert_composer("demo", phrased_alert_texts)
        register_alert_composer("opscenter", phrased_alert_texts, kind="test")


def _close_the_sessions_sockets(sender, request, user, **kwargs) -> None:
    """A logout ends the session's websockets at once (the feed closes them with 4401)."""
    from opscenter.services.live import publish_session_ended

    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and user.pk and session_key:
        publish_session_ended(user_pk=user.pk, session_key=session_key)
