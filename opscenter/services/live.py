"""Publishing to the live feed. Only services publish, and only after their transaction commits
(Zulip's rule), so a screen never shows a change the database does not hold. A failed publish is logged
(robust on_commit) and never undoes or fails the change: the next connect sends the open alerts anew."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from opscenter.models import Alert
from opscenter.serializers import alert_as_dict

ALL_ALERTS_GROUP = "alerts.all"


def center_group(center_pk: int) -> str:
    return f"alerts.center.{center_pk}"


def district_group(district_pk: int) -> str:
    return f"alerts.district.{district_pk}"


def user_group(user_pk: int) -> str:
    return f"alerts.user.{user_pk}"


def alert_groups(alert: Alert) -> list[str]:
    groups = [ALL_ALERTS_GROUP, center_group(alert.center_id)]
    if alert.district_id:
        groups.append(district_group(alert.district_id))
    return groups


def publish_alert_on_commit(alert: Alert) -> None:
    """After commit, send the alert as it is now to everyone whose scope covers it."""
    message = {"type": "alert.changed", "alert": alert_as_dict(alert)}
    groups = alert_groups(alert)
    transaction.on_commit(lambda: _send(groups, message), robust=True)


def publish_to_users_on_commit(user_pks: list[int], message: dict) -> None:
    groups = [user_group(pk) for pk in user_pks]
    transaction.on_commit(lambda: _send(groups, message), robust=True)


def _send(groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(_send_all)
    send(layer, groups, message)


async def _send_all(layer, groups: list[str], message: dict) -> None:
    for group in groups:
        await layer.group_send(group, message)
