"""Publishing to the live feed. Only services publish, and only after their transaction commits
(Zulip's rule), so a screen never shows a change the database does not hold. A failed publish is logged
(robust on_commit) and never undoes or fails the change: the next connect sends the open alerts anew."""

import asyncio
import concurrent.futures
import hashlib
import logging
import os
import threading

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from opscenter.models import Alert
from opscenter.serializers import alert_as_dict

logger = logging.getLogger(__name__)

ALL_ALERTS_GROUP = "alerts.all"


def center_group(center_pk: int) -> str:
    return f"alerts.center.{center_pk}"


def district_group(district_pk: int) -> str:
    return f"alerts.district.{district_pk}"


def user_group(user_pk: int) -> str:
    return f"alerts.user.{user_pk}"


def user_control_group(user_pk: int) -> str:
    """Where a user's own sockets hear that the user changed (not forwarded to the browser)."""
    return f"user.{user_pk}"


def session_digest(session_key: str) -> str:
    """Names a session in messages without spreading its key (the cookie's secret) through Redis."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


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


def publish_alert_moved_on_commit(alert: Alert, *, previous_groups: list[str]) -> None:
    """After commit, tell the screens of the groups the alert left that it is gone (`alert.removed`),
    then send it as it is now to the groups it joined. A socket in both keeps it: the removal names the
    new groups and the consumer forwards it only to sockets in none of them."""
    groups = alert_groups(alert)
    left = [group for group in previous_groups if group not in groups]
    removed = {
        "type": "alert.removed",
        "alert_id": alert.pk,
        "updated_at": alert.updated_at.isoformat(),
        "groups": groups,
    }
    if left:
        transaction.on_commit(lambda: _send(left, removed), robust=True)
    publish_alert_on_commit(alert)


def publish_to_users_on_commit(user_pks: list[int], message: dict) -> None:
    groups = [user_group(pk) for pk in user_pks]
    transaction.on_commit(lambda: _send(groups, message), robust=True)


def publish_user_changed_on_commit(user_pk: int) -> None:
    """After commit, tell `user_pk`'s open sockets to recheck the user and their scope."""
    message = {"type": "user.changed"}
    groups = [user_control_group(user_pk)]
    transaction.on_commit(lambda: _send(groups, message), robust=True)


def publish_session_ended(*, user_pk: int, session_key: str) -> None:
    """Tell the sockets opened with this session that it ended (a logout): they close at once, before
    the session is even deleted."""
    message = {"type": "session.ended", "session": session_digest(session_key)}
    groups = [user_control_group(user_pk)]
    transaction.on_commit(lambda: _send(groups, message), robust=True)


def _send(groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    server_loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if server_loop is not None and server_loop.is_running():
        # Called from a server's worker thread (Daphne, the SIA receiver): publish on the server's own loop,
        # where its channel-layer connections live (and the in-memory layer's consumers, in the demo).
        async_to_sync(_send_all)(layer, groups, message)
    else:
        # Plain sync code (a Celery task, a script): async_to_sync would build a new loop, and with it new
        # Redis connections, on every call. One long-lived loop publishes for the whole process, in order.
        _publisher().publish(_send_all(layer, groups, message))


async def _send_all(layer, groups: list[str], message: dict) -> None:
    for group in groups:
        await layer.group_send(group, message)


class _Publisher:
    """An event loop on a daemon thread that publishes, in submission order, without blocking the caller."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.pid = os.getpid()
        threading.Thread(target=self.loop.run_forever, name="live-publisher", daemon=True).start()

    def publish(self, coroutine) -> concurrent.futures.Future:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        future.add_done_callback(_log_failure)
        return future


def _log_failure(future: concurrent.futures.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("Live publish failed; clients catch up on reconnect", exc_info=future.exception())


_publisher_instance: _Publisher | None = None
_publisher_lock = threading.Lock()


def _publisher() -> _Publisher:
    global _publisher_instance
    with _publisher_lock:
        if _publisher_instance is None or _publisher_instance.pid != os.getpid():  # new after a fork
            _publisher_instance = _Publisher()
        return _publisher_instance
