"""The live alert feed over websockets: authenticate, join the groups of the user's scope, send the
open alerts, then forward every change. Transport only; scope comes from the selectors.

Every forwarded message keeps its group's sequence number (`group`, `seq`), and each snapshot carries
the groups' numbers as of before it was read (`cursors`): a console that sees a number skipped resyncs
over REST (opscenter/static/opscenter/dashboard.js). Message shapes: opscenter.messages.

The snapshot holds every open alert of the scope (10,000 on a storm night), in parts of at most
LIVE_SNAPSHOT_PART_BYTES each, sent one after the other before any change is forwarded: no message comes
near the server's websocket message limit (1 MiB), and the count on the screen is the whole count.

The socket follows the user's scope at every moment. It rechecks its session and its user when told the
user changed (`user.changed`, sent at commit by opscenter.services.users), when its session ends (a
logout), when the session's expiry passes (checked on every message and by a timer) and every
LIVE_RECHECK_SECONDS besides (for changes made around the services). Then it rejoins the groups of the
new scope and sends a fresh snapshot, or closes: 4401 when the session no longer authenticates
(logged out, expired, password changed, user deactivated), 4403 when the user may no longer see any
alert.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation.trans_real import parse_accept_lang_header

from opscenter import layers
from opscenter.messages import (
    AlertChanged,
    AlertEscalated,
    AlertEscalatedOut,
    AlertOut,
    AlertRemoved,
    AlertRemovedOut,
    IncidentChanged,
    IncidentOut,
    SessionEnded,
    SkippedOut,
    SnapshotOut,
    TabletChanged,
    TabletOut,
    TabletSnapshotOut,
    UnitChanged,
    UnitOut,
    UserChanged,
)
from opscenter.models import User
from opscenter.selectors import alert_list, live_groups_for, tablet_groups_for, tablet_units, units_visible
from opscenter.serializers import alert_as_dict, alert_worded, tablet_unit_as_dict, unit_as_dict
from opscenter.services.live import session_digest, user_control_group, user_group
from opscenter.services.presence import presence_connect, presence_disconnect, presence_touch

logger = logging.getLogger(__name__)


def encode_compact(content) -> str:
    """JSON without the spaces after separators, and Cyrillic as itself (two bytes, not six)."""
    return json.dumps(content, separators=(",", ":"), ensure_ascii=False)


NOT_AUTHENTICATED = 4401
NOT_ALLOWED = 4403


@dataclass(frozen=True)
class Access:
    """What a session may receive right now: its user, the groups of their scope and until when."""

    user: User
    groups: frozenset[str]
    expires_at: datetime | None


def session_access(session_key: str | None, groups_for: Callable[..., list[str]] = live_groups_for) -> Access | int:
    """Check a socket's session as Django's `get_user` checks a request's, against the store as it is
    now: the Access (the groups `groups_for` gives the user), or the close code (NOT_AUTHENTICATED,
    NOT_ALLOWED)."""
    if not session_key:
        return NOT_AUTHENTICATED
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user_id, backend_path = store.get(SESSION_KEY), store.get(BACKEND_SESSION_KEY)  # {} when gone or expired
    if user_id is None or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return NOT_AUTHENTICATED
    user = load_backend(backend_path).get_user(User._meta.pk.to_python(user_id))  # None when inactive
    if not isinstance(user, User):
        return NOT_AUTHENTICATED
    session_hash = store.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    if not any(constant_time_compare(session_hash, candidate) for candidate in hashes):
        return NOT_AUTHENTICATED  # the password changed since this session signed in
    groups = groups_for(user=user)
    if set(groups) <= {user_group(user.pk)}:
        return NOT_ALLOWED  # no center, no district, not an administrator (a tablet: in no unit's crew)
    return Access(user=user, groups=frozenset([user_control_group(user.pk), *groups]), expires_at=_expiry(store))


def _expiry(store) -> datetime | None:
    if hasattr(store, "get_model_class"):  # database-backed: the row holds the real expiry
        model = store.get_model_class()
        return model.objects.filter(session_key=store.session_key).values_list("expire_date", flat=True).first()
    return store.get_expiry_date()


def socket_language(scope, user: User) -> str:
    """The language the socket's reader reads, chosen as a page request's is (opscenter.middleware): the
    user's own choice, else the language cookie, else the browser's Accept-Language, else the default."""
    supported = dict(settings.LANGUAGES)
    if user.language in supported:
        return user.language
    cookie = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in supported:
        return cookie
    for name, value in scope.get("headers") or ():
        if name == b"accept-language":
            for accepted, _quality in parse_accept_lang_header(value.decode("latin-1")):
                try:
                    return translation.get_supported_language_variant(accepted)
                except LookupError:
                    continue
    return settings.LANGUAGE_CODE


class AlertFeedConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: frozenset[str]
    access: Access | None
    language: str = settings.LANGUAGE_CODE
    groups_for: Callable[..., list[str]] = staticmethod(live_groups_for)

    async def connect(self) -> None:
        self.groups_joined, self.access, self.ended = frozenset(), None, False
        self.lock = asyncio.Lock()
        self.watch: asyncio.Task | None = None
        user = self.scope.get("user")
        session = self.scope.get("session")
        self.session_key = session.session_key if session is not None else None
        # ?snapshot=none: a screen that only needs to know that something changed (the wallboard reads its
        # board over HTTP) gets the numbers without the alerts, which are megabytes on a storm night.
        self.light = b"snapshot=none" in (self.scope.get("query_string") or b"").split(b"&")
        if user is None or not user.is_authenticated:
            await self._refuse(NOT_AUTHENTICATED)
            return
        access = await database_sync_to_async(session_access)(self.session_key, type(self).groups_for)
        if isinstance(access, int):
            await self._refuse(access)
            return
        await self._join(access.groups)
        self.access = access
        self.language = socket_language(self.scope, access.user)
        await self.accept()
        # Who has a console open, for the supervisor's wallboard; touched at every recheck below.
        await database_sync_to_async(presence_connect)(user=access.user, channel_name=self.channel_name)
        # Joined before the snapshot is read, so no change between the two is missed (the client
        # keeps the newest `updated_at` of each alert, so a change seen twice does no harm).
        await self._send_snapshot(access.user)
        self.watch = asyncio.create_task(self._watch())

    async def _refuse(self, code: int) -> None:
        """Accept, send nothing and close with `code`: a browser sees the code of a close, never the
        status of a refused handshake, and a page reconnecting with an ended session must learn it is
        signed out (and clear its screen) rather than retry for ever."""
        self.ended = True
        await self.accept()
        await self.close(code=code)

    async def _join(self, groups: frozenset[str]) -> None:
        for group in groups - self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        left = self.groups_joined - groups
        self.groups_joined = groups
        for group in left:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _send_snapshot(self, user: User) -> None:
        # The numbers first, then the alerts: a message numbered up to a cursor was published after its
        # commit, so before this read, and the snapshot holds it; the console checks the numbers after.
        forwarded = sorted(self.groups_joined - {user_control_group(user.pk)})
        numbers = await layers.cursors(self.channel_layer, forwarded)
        if self.light:
            light: SnapshotOut = {
                "type": "snapshot",
                "cursors": numbers,
                "count": None,
                "part": 0,
                "last": True,
                "alerts": [],
            }
            await self.send(text_data=encode_compact(light))
            return
        parts = await database_sync_to_async(self._open_alerts)(user, self.language)
        units = await database_sync_to_async(self._units)(user, self.language)
        count = sum(len(part) for part in parts)
        for index, part in enumerate(parts):
            head: SnapshotOut = {
                "type": "snapshot", "cursors": numbers, "count": count, "part": index,
                "last": index == len(parts) - 1, "alerts": [],
            }  # fmt: skip
            if index == 0:  # the units go before "alerts", which must stay the last key
                del head["alerts"]  # type: ignore[misc]
                head["units"] = units
                head["alerts"] = []
            # The alerts were encoded when they were measured: spliced in as they are.
            opening = encode_compact(head)[: -len("]}")]  # "alerts" is the last key: ...,"alerts":[
            await self.send(text_data=opening + ",".join(part) + "]}")

    @staticmethod
    def _open_alerts(user, language: str) -> list[list[str]]:
        """The open alerts of the scope in the queue's order, worded in `language`, encoded, in parts of
        at most LIVE_SNAPSHOT_PART_BYTES (an alert larger than that alone makes a part)."""
        limit = int(settings.LIVE_SNAPSHOT_PART_BYTES)
        parts: list[list[str]] = [[]]
        size = 0
        with translation.override(language):
            for alert in alert_list(user=user, open_only=True):
                encoded = encode_compact(alert_as_dict(alert))
                length = len(encoded.encode())
                if parts[-1] and size + length > limit:
                    parts.append([])
                    size = 0
                parts[-1].append(encoded)
                size += length + 1
        return parts

    @staticmethod
    def _units(user, language: str) -> list[dict]:
        """The units of the scope (a few hundred at most: they go whole in the first part)."""
        with translation.override(language):
            return [unit_as_dict(unit) for unit in units_visible(user=user)]

    @classmethod
    async def encode_json(cls, content) -> str:
        return encode_compact(content)

    async def _watch(self) -> None:
        """Recheck when the session expires, and every LIVE_RECHECK_SECONDS besides."""
        while not self.ended:
            delay = float(settings.LIVE_RECHECK_SECONDS)
            if self.access is not None and self.access.expires_at is not None:
                delay = min(delay, (self.access.expires_at - timezone.now()).total_seconds() + 0.05)
            await asyncio.sleep(max(0.0, delay))
            try:
                await self.recheck(resnapshot=False)
                if not self.ended:
                    await database_sync_to_async(presence_touch)(channel_name=self.channel_name)
            except Exception:  # a database hiccup: keep the socket, try again at the next tick
                logger.exception("Rechecking a live socket's session failed")

    async def recheck(self, *, resnapshot: bool) -> None:
        """Check the session and the user anew: rejoin the groups of their scope (and send the snapshot
        of the new scope when it changed or `resnapshot`), or close."""
        async with self.lock:
            if self.ended:
                return
            access = await database_sync_to_async(session_access)(self.session_key, type(self).groups_for)
            if isinstance(access, int):
                await self._end(access)
                return
            changed = access.groups != self.groups_joined
            await self._join(access.groups)
            self.access = access
            self.language = socket_language(self.scope, access.user)  # they may have switched it
            if changed or resnapshot:
                await self._send_snapshot(access.user)

    async def _end(self, code: int) -> None:
        """Stop forwarding at once (before the close handshake completes), leave every group, close."""
        self.ended = True
        await self._join(frozenset())
        await self.close(code=code)

    async def _still_valid(self) -> bool:
        """False once the socket ended; past the session's expiry it rechecks first."""
        if self.ended:
            return False
        expires_at = self.access.expires_at if self.access is not None else None
        if expires_at is not None and timezone.now() >= expires_at:
            await self.recheck(resnapshot=False)
        return not self.ended

    async def disconnect(self, code: int) -> None:
        self.ended = True
        if self.access is not None:
            try:
                await database_sync_to_async(presence_disconnect)(channel_name=self.channel_name)
            except Exception:  # the row then expires by itself (LIVE_PRESENCE_SECONDS)
                logger.exception("Removing a live socket's presence failed")
        if self.watch is not None:
            self.watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watch
        await self._join(frozenset())

    async def receive_json(self, content, **kwargs) -> None:
        if not await self._still_valid():
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def user_changed(self, event: UserChanged) -> None:
        await self.recheck(resnapshot=True)

    async def session_ended(self, event: SessionEnded) -> None:
        if self.session_key and event.get("session") == session_digest(self.session_key):
            async with self.lock:
                if not self.ended:
                    await self._end(NOT_AUTHENTICATED)

    async def _forwarding(self, event: dict) -> bool:
        """Whether to forward `event`: not once the socket ended, nor from a group it has left since
        the message was queued (a scope just narrowed)."""
        return await self._still_valid() and event.get("group") in self.groups_joined

    async def alert_changed(self, event: AlertChanged) -> None:
        if await self._forwarding(dict(event)):
            alert = event["alert"]
            words = (event.get("words") or {}).get(self.language)
            if words is not None:
                alert = alert_worded(alert, words)
            message: AlertOut = {"type": "alert", "alert": alert, "group": event["group"], "seq": event["seq"]}
            await self.send_json(message)

    async def alert_removed(self, event: AlertRemoved) -> None:
        """An alert left groups this socket joined: forwarded unless the socket is in one it went to
        (then only its number goes, so the console sees no gap)."""
        if not await self._forwarding(dict(event)):
            return
        if self.groups_joined & set(event["groups"]):
            skipped: SkippedOut = {"type": "skipped", "group": event["group"], "seq": event["seq"]}
            await self.send_json(skipped)
            return
        message: AlertRemovedOut = {
            "type": "alert.removed", "alert_id": event["alert_id"], "updated_at": event["updated_at"],
            "group": event["group"], "seq": event["seq"],
        }  # fmt: skip
        await self.send_json(message)

    async def alert_escalated(self, event: AlertEscalated) -> None:
        if await self._forwarding(dict(event)):
            message: AlertEscalatedOut = {
                "type": "alert.escalated", "alert_id": event["alert_id"], "level": event["level"],
                "title": (event.get("titles") or {}).get(self.language) or event["title"],
                "group": event["group"], "seq": event["seq"],
            }  # fmt: skip
            await self.send_json(message)

    async def incident_changed(self, event: IncidentChanged) -> None:
        if await self._forwarding(dict(event)):
            message: IncidentOut = {
                "type": "incident", "incident": event["incident"], "group": event["group"], "seq": event["seq"],
            }  # fmt: skip
            await self.send_json(message)

    async def unit_changed(self, event: UnitChanged) -> None:
        if await self._forwarding(dict(event)):
            unit = event["unit"]
            words = (event.get("words") or {}).get(self.language)
            if words is not None:
                unit = {**unit, **words}
            message: UnitOut = {"type": "unit", "unit": unit, "group": event["group"], "seq": event["seq"]}
            await self.send_json(message)


class TabletConsumer(AlertFeedConsumer):
    """A unit's tablet (/ws/tablet/): the same session checks as the console's, but the groups are the
    user's units (their crew) and the messages the tablet's view of them (no payload, no people)."""

    groups_for = staticmethod(tablet_groups_for)

    async def _send_snapshot(self, user: User) -> None:
        forwarded = sorted(self.groups_joined - {user_control_group(user.pk)})
        numbers = await layers.cursors(self.channel_layer, forwarded)
        units = await database_sync_to_async(self._tablet_units)(user, self.language)
        snapshot: TabletSnapshotOut = {"type": "tablet.snapshot", "cursors": numbers, "units": units}
        await self.send_json(snapshot)

    @staticmethod
    def _tablet_units(user: User, language: str) -> list[dict]:
        with translation.override(language):
            return [tablet_unit_as_dict(unit) for unit in tablet_units(user=user)]

    async def tablet_changed(self, event: TabletChanged) -> None:
        if await self._forwarding(dict(event)):
            message: TabletOut = {"type": "tablet", "unit": event["unit"], "group": event["group"], "seq": event["seq"]}
            await self.send_json(message)
