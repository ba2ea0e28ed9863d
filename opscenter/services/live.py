"""Publishing to the live feed. Only services publish, and only after their transaction commits
(Zulip's rule), so a screen never shows a change the database does not hold. Publishing never fails or
undoes the change: opscenter.layers numbers every message per group and sends it over a bounded set of
connections with retries; a message it gives up on leaves a gap in the numbers, and the console resyncs."""

import asyncio
import hashlib
import logging
import threading

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.db import transaction

from opscenter import layers
from opscenter.messages import (
    AlertChanged,
    AlertRemoved,
    IncidentChanged,
    LayerMessage,
    SessionEnded,
    TabletChanged,
    UnitChanged,
    UserChanged,
)
from opscenter.models import Alert, Incident, Unit
from opscenter.serializers import (
    IncidentSerializer,
    alert_as_dict,
    alert_words_by_language,
    tablet_unit_as_dict,
    unit_as_dict,
    unit_words_by_language,
)

ALL_ALERTS_GROUP = "alerts.all"

logger = logging.getLogger(__name__)

# The demo's server loop (one process, the in-memory layer): set by `serve_in_memory_on`.
_server_loop: asyncio.AbstractEventLoop | None = None
_server_thread: int | None = None


def center_group(center_pk: int) -> str:
    return f"alerts.center.{center_pk}"


def district_group(district_pk: int) -> str:
    return f"alerts.district.{district_pk}"


def user_group(user_pk: int) -> str:
    return f"alerts.user.{user_pk}"


def user_control_group(user_pk: int) -> str:
    """Where a user's own sockets hear that the user changed (not forwarded to the browser)."""
    return f"user.{user_pk}"


def unit_group(unit_pk: int) -> str:
    """A unit's own tablets (the sockets of its crew)."""
    return f"units.unit.{unit_pk}"


def session_digest(session_key: str) -> str:
    """Names a session in messages without spreading its key (the cookie's secret) through Redis."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def alert_groups(alert: Alert) -> list[str]:
    groups = [ALL_ALERTS_GROUP, center_group(alert.center_id)]
    if alert.district_id:
        groups.append(district_group(alert.district_id))
    return groups


def publish_alert_on_commit(alert: Alert) -> None:
    """After commit, send the alert as it is now to everyone whose scope covers it, with its words in
    every language: each socket lays its reader's over the alert (opscenter.consumers)."""
    message: AlertChanged = {
        "type": "alert.changed",
        "alert": alert_as_dict(alert),
        "words": alert_words_by_language(alert),
    }
    publish_on_commit(alert_groups(alert), message)


def unit_groups(unit: Unit) -> list[str]:
    """The consoles whose scope covers the unit: the same groups, so the same rule, as its alerts'."""
    groups = [ALL_ALERTS_GROUP, center_group(unit.center_id)]
    if unit.district_id:
        groups.append(district_group(unit.district_id))
    return groups


def publish_unit_on_commit(unit: Unit) -> None:
    """After commit, send the unit as it is now to the consoles of its scope, and its tablet's view of it
    to its crew's tablets. `unit` needs what unit_as_dict needs (opscenter.selectors.unit_fresh)."""
    changed: UnitChanged = {"type": "unit.changed", "unit": unit_as_dict(unit), "words": unit_words_by_language(unit)}
    publish_on_commit(unit_groups(unit), changed)
    # The tablet's shape carries the alert's words in every language; its own labels the page words.
    tablet: TabletChanged = {"type": "tablet.changed", "unit": tablet_unit_as_dict(unit)}
    publish_on_commit([unit_group(unit.pk)], tablet)


def incident_groups(incident: Incident, *, district_pks: set[int]) -> list[str]:
    """The groups that see an incident: its center's, and the districts' of its alerts (`district_pks`)."""
    return [ALL_ALERTS_GROUP, center_group(incident.center_id), *(district_group(pk) for pk in sorted(district_pks))]


def publish_incident_on_commit(incident: Incident, *, district_pks: set[int]) -> None:
    """After commit, send the incident as it is now to its center and to the districts of its alerts
    (those of alerts just unlinked included, so their screens drop the link)."""
    message: IncidentChanged = {"type": "incident.changed", "incident": dict(IncidentSerializer(incident).data)}
    publish_on_commit(incident_groups(incident, district_pks=district_pks), message)


def publish_alert_moved_on_commit(alert: Alert, *, previous_groups: list[str]) -> None:
    """After commit, tell the screens of the groups the alert left that it is gone (`alert.removed`),
    then send it as it is now to the groups it joined. A socket in both keeps it: the removal names the
    new groups and the consumer forwards it only to sockets in none of them."""
    groups = alert_groups(alert)
    left = [group for group in previous_groups if group not in groups]
    removed: AlertRemoved = {
        "type": "alert.removed",
        "alert_id": alert.pk,
        "updated_at": alert.updated_at.isoformat(),
        "groups": groups,
    }
    if left:
        publish_on_commit(left, removed)
    publish_alert_on_commit(alert)


def publish_to_users_on_commit(user_pks: list[int], message: LayerMessage) -> None:
    publish_on_commit([user_group(pk) for pk in user_pks], message)


def publish_user_changed_on_commit(user_pk: int) -> None:
    """After commit, tell `user_pk`'s open sockets to recheck the user and their scope."""
    message: UserChanged = {"type": "user.changed"}
    publish_on_commit([user_control_group(user_pk)], message)


def publish_session_ended(*, user_pk: int, session_key: str) -> None:
    """Tell the sockets opened with this session that it ended (a logout): they close at once, before
    the session is even deleted."""
    message: SessionEnded = {"type": "session.ended", "session": session_digest(session_key)}
    publish_on_commit([user_control_group(user_pk)], message)


def publish_on_commit(groups: list[str], message: LayerMessage) -> None:
    """After commit, send `message` (a shape of opscenter.messages) to `groups`, numbered per group."""
    transaction.on_commit(lambda: _send(groups, message), robust=True)


def flush(timeout: float = 5.0) -> bool:
    """Wait until what this process published so far was sent (tests; the publisher flushes at exit)."""
    layer = get_channel_layer()
    return layer is None or layers.publisher(layer, **_publisher_options()).flush(timeout)


def _publisher_options() -> dict:
    return {
        "concurrency": settings.LIVE_PUBLISH_CONCURRENCY,
        "batch": settings.LIVE_PUBLISH_BATCH,
        "attempts": settings.LIVE_PUBLISH_ATTEMPTS,
        "backoff": settings.LIVE_PUBLISH_BACKOFF_SECONDS,
    }


def serve_in_memory_on(loop: asyncio.AbstractEventLoop | None) -> None:
    """The demo: the in-memory layer's consumers live on this loop, so what a thread of the process's
    own publishes (a video worker's, outside any request) is sent on it."""
    global _server_loop, _server_thread
    _server_loop, _server_thread = loop, threading.get_ident()


def _send(groups: list[str], message: LayerMessage) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    server_loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    in_memory = not isinstance(layer, RedisChannelLayer)
    if in_memory and server_loop is not None and server_loop.is_running():
        # The in-memory layer (the demo, tests) delivers to consumers on the loop it is called on: the
        # server's, from one of its worker threads.
        async_to_sync(_send_now)(layer, groups, message)
    elif (
        in_memory and _server_loop is not None and _server_loop.is_running() and threading.get_ident() != _server_thread
    ):
        # A thread of its own (the demo's video worker): hand the message to the server's loop, in order.
        future = asyncio.run_coroutine_threadsafe(_send_now(layer, groups, message), _server_loop)
        try:
            future.result(timeout=10)
        except Exception:
            logger.exception("Publishing on the server's loop failed; screens resync over REST")
    else:
        # Redis (and plain sync code): the process's publisher, with its bounded connections and retries,
        # without blocking the service that published.
        layers.publisher(layer, **_publisher_options()).submit(groups, message)


async def _send_now(layer, groups: list[str], message: LayerMessage) -> None:
    for group in groups:
        first = await layers.number(layer, group, 1)
        await layers.group_send_many(layer, group, [{**message, "group": group, "seq": first}])
