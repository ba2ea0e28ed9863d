"""ONVIF PullPoint events of the cameras that speak only ONVIF (no ISAPI push).

`OnvifEventSource` keeps one PullPoint subscription on one camera: `start()` discovers the event service
and subscribes, each `pull()` long-polls PullMessages and turns what arrives into `OnvifNotification`s in
our vocabulary of kinds, `close()` unsubscribes. SOAP, WS-Security and the WSDLs come from
onvif-zeep-async, which loads its bundled WSDL files from disk and never fetches a schema.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from onvif import ONVIFCamera
from onvif.exceptions import ONVIFError
from onvif.util import is_auth_error, normalize_url, stringify_onvif_error
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError

logger = logging.getLogger(__name__)

# Short, so that the subscription of a worker that died is freed by the camera within a minute: cameras
# hold only a few pull points (often 2-5) and refuse new ones while stale ones linger.
SUBSCRIPTION = dt.timedelta(seconds=60)
# Renew while this share of the granted time remains, time enough for a slow camera to answer.
RENEW_MARGIN = 0.2
_PULLPOINT_ADDRESS = "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"

# topic → (kind, the Data item that says whether it is on). ObjectId names a crossing object: its
# presence is the event. Topics are as devices send them, with the ONVIF topic namespace bound to tns1.
TOPICS: dict[str, tuple[str, str]] = {
    "tns1:RuleEngine/CellMotionDetector/Motion": ("motion", "IsMotion"),
    "tns1:RuleEngine/MotionRegionDetector/Motion": ("motion", "State"),
    "tns1:VideoSource/MotionAlarm": ("motion", "State"),
    "tns1:RuleEngine/LineDetector/Crossed": ("line_crossing", "ObjectId"),
    "tns1:RuleEngine/FieldDetector/ObjectsInside": ("field_detection", "IsInside"),
    "tns1:RuleEngine/TamperDetector/Tamper": ("tamper", "IsTamper"),
    "tns1:VideoSource/GlobalSceneChange/ImagingService": ("tamper", "State"),
    "tns1:VideoSource/GlobalSceneChange/AnalyticsService": ("tamper", "State"),
    "tns1:VideoSource/ImageTooBlurry/ImagingService": ("tamper", "State"),
    "tns1:VideoSource/ImageTooDark/ImagingService": ("tamper", "State"),
    "tns1:VideoSource/ImageTooBright/ImagingService": ("tamper", "State"),
    "tns1:VideoSource/SignalLoss": ("video_loss", "State"),
}
PRESENCE_ITEMS = frozenset({"ObjectId"})
# For topics not in the table, the boolean items ONVIF's own topics use, tried in this order.
STATE_ITEMS = ("IsMotion", "State", "IsInside", "IsTamper", "LogicalState")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True)
class OnvifNotification:
    """One event of a camera: its ONVIF topic, our kind for it ("" when we have none) and its items.
    `at` is the camera's time (`camera_time`) when it gave one, else when we received it. An `instant`
    (a line crossed) has no state that later turns off: it starts and ends at once."""

    topic: str
    kind: str
    active: bool | None
    at: dt.datetime
    source: dict[str, str]
    data: dict[str, str]
    camera_time: dt.datetime | None = None
    instant: bool = False


class OnvifError(Exception):
    """The camera cannot be used: unreachable, credentials refused (`credentials`), no event service,
    subscription lost."""

    def __init__(self, message: str, *, credentials: bool = False):
        super().__init__(message)
        self.credentials = credentials


class _DeviceFault(OnvifError):
    """The device answered with a SOAP fault: refused credentials, or a lost subscription, say."""


def notification(message: Any, *, received: dt.datetime) -> OnvifNotification:
    """Our notification from a wsnt:NotificationMessage as zeep parsed it."""
    # Some firmware ends a topic with "/" or "//.": the same topic.
    topic = str(getattr(getattr(message, "Topic", None), "_value_1", None) or "").strip().rstrip("/.")
    payload = getattr(getattr(message, "Message", None), "_value_1", None)
    source, data = _items(getattr(payload, "Source", None)), _items(getattr(payload, "Data", None))
    kind, item = TOPICS.get(topic, ("", None))
    camera_time = _utc(getattr(payload, "UtcTime", None))
    return OnvifNotification(
        topic=topic,
        kind=kind,
        active=_active(data, item),
        at=camera_time or received,
        source=source,
        data=data,
        camera_time=camera_time,
        instant=item in PRESENCE_ITEMS,
    )


def _items(items: Any) -> dict[str, str]:
    return {
        str(item.Name): str(item.Value)
        for item in getattr(items, "SimpleItem", None) or []
        if getattr(item, "Name", None) is not None and getattr(item, "Value", None) is not None
    }


def _active(data: dict[str, str], item: str | None) -> bool | None:
    if item in PRESENCE_ITEMS:
        return True if data.get(item) else None
    for name in (item,) if item else STATE_ITEMS:
        if name in data:
            return _BOOLEANS.get(data[name].strip().lower())
    return None


def _utc(value: Any) -> dt.datetime | None:
    if isinstance(value, str):  # zeep leaves a value it could not parse as text
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    # xs:dateTime may omit the zone; ONVIF calls the attribute UtcTime, so a bare time is UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@contextmanager
def _proxy_settings_kept() -> Iterator[None]:
    """ONVIFCamera() deletes http_proxy and https_proxy from the environment of the whole process; the
    other clients of a worker may need them (its own sessions ignore the environment anyway)."""
    kept = {name: os.environ[name] for name in ("http_proxy", "https_proxy") if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(kept)


class OnvifEventSource:
    """A PullPoint subscription on one camera. Not safe for concurrent `pull()` calls; `alive()` may run
    beside a `pull()`."""

    def __init__(self, *, host: str, port: int, username: str, password: str, timeout_s: float = 10.0):
        self.host, self.port = host, port
        self._username, self._password = username, password
        self._timeout_s = timeout_s
        self._camera: Any = None
        self._subscription: Any = None  # the SubscriptionManager binding (Renew, Unsubscribe)
        self._pullpoint: Any = None  # the PullPointSubscription binding (PullMessages)
        self._granted_s = 0.0  # what the camera granted at the last subscribe or renew
        self._ends_at = 0.0  # loop time at which the camera drops the subscription

    def __str__(self) -> str:
        return f"ONVIF camera {self.host}:{self.port}"

    async def start(self) -> None:
        """Connect, discover the services and subscribe. Raises OnvifError."""
        await self.close()
        self._camera = self._new_camera()
        try:
            # Parsing a WSDL is local work (in a thread, cached per process): outside the device's timeout.
            await self._camera.create_devicemgmt_service()
            await self._call("read its services", self._camera.update_xaddrs)
            try:
                await self._camera.create_events_service()
            except ONVIFError as error:
                raise OnvifError(f"{self}: the device offers no events service ({error})") from error
            await self._subscribe()
        except BaseException:
            await self.close()
            raise

    async def pull(self, *, wait_s: float = 5.0, limit: int = 50) -> list[OnvifNotification]:
        """The messages that arrive within wait_s (at most limit), oldest first. Renews the subscription
        when it is due; re-creates it once when the device lost it. Raises OnvifError."""
        if self._pullpoint is None:
            raise OnvifError(f"{self}: not started")
        try:
            return await self._pull(wait_s, limit)
        except _DeviceFault as lost:
            if lost.credentials:
                raise
            # A camera that rebooted, or dropped a pull point it thought idle, faults on the old address.
            logger.info("%s: subscription lost (%s), subscribing again", self, lost)
        await self._subscribe()
        try:
            return await self._pull(wait_s, limit)
        except _DeviceFault as lost:
            raise OnvifError(f"{self}: the subscription was lost again right after re-creating it: {lost}") from lost

    async def alive(self) -> bool:
        """Whether the device answers GetSystemDateAndTime within the timeout."""
        camera = self._camera or self._new_camera()
        try:
            devicemgmt = await camera.create_devicemgmt_service()
            # Asked without credentials, as ONVIF answers it before authentication: liveness is not about
            # our password. A SOAP fault is an answer too (Axis firmware authenticates even this call).
            await self._call("tell the time", devicemgmt.authless_GetSystemDateAndTime)
        except _DeviceFault:
            return True
        except (OnvifError, ONVIFError):
            return False
        finally:
            if camera is not self._camera:
                await self._close_quietly(camera)
        return True

    async def close(self) -> None:
        """Unsubscribe and close the connections. Never raises."""
        camera, subscription = self._camera, self._subscription
        self._camera = self._subscription = self._pullpoint = None
        # close() runs on the way out of failures and shutdowns: an error here would hide the one that
        # brought us here, and the camera drops the subscription itself when its time ends.
        if subscription is not None:
            try:
                await self._call("unsubscribe", subscription.Unsubscribe)
            except Exception as error:
                logger.info("%s: unsubscribe failed: %s", self, error)
        if camera is not None:
            await self._close_quietly(camera)

    async def _close_quietly(self, camera: Any) -> None:
        try:
            await camera.close()
        except Exception as error:
            logger.info("%s: closing the connections failed: %s", self, error)

    def _new_camera(self) -> Any:
        with _proxy_settings_kept():
            # adjust_time: cameras drift; the device's own clock dates the digest, or it refuses it.
            # no_cache: the WSDLs are local files, zeep's sqlite cache would only add a file under $HOME.
            return ONVIFCamera(self.host, self.port, self._username, self._password, adjust_time=True, no_cache=True)

    # -- the subscription ----------------------------------------------------------------------------------

    async def _subscribe(self) -> None:
        # Renewal is ours, from pull(), not onvif's PullPointManager: its timers renew in background tasks,
        # outside our timeout and out of sight of the caller, who should see a failure in pull().
        camera = self._camera
        events = await camera.create_events_service()
        wanted = {"InitialTerminationTime": camera.get_next_termination_time(SUBSCRIPTION)}
        result = await self._call("create a pull point", lambda: events.CreatePullPointSubscription(wanted))
        try:
            address = normalize_url(result.SubscriptionReference.Address._value_1)
        except AttributeError as error:
            raise OnvifError(f"{self}: the pull point has no address") from error
        camera.xaddrs[_PULLPOINT_ADDRESS] = camera.rewrite_url(address)
        try:
            self._subscription = await camera.create_subscription_service("PullPointSubscription")
            self._pullpoint = await camera.create_pullpoint_service()
        except ONVIFError as error:
            raise OnvifError(f"{self}: cannot use the pull point at {address}: {error}") from error
        if camera.has_broken_relative_time(SUBSCRIPTION, result.CurrentTime, result.TerminationTime):
            # Firmware that reads "PT60S" wrong grants seconds; the library then asks in absolute times.
            result = await self._renew()
        self._note_termination(result, granted=True)
        logger.info("%s: subscribed at %s", self, address)

    async def _pull(self, wait_s: float, limit: int) -> list[OnvifNotification]:
        # Renew unless the subscription outlives this pull's wait by the margin: it never lapses mid-poll.
        margin = self._granted_s * RENEW_MARGIN
        if asyncio.get_running_loop().time() + wait_s + margin >= self._ends_at:
            self._note_termination(await self._renew(), granted=True)
        request = {"Timeout": dt.timedelta(seconds=wait_s), "MessageLimit": limit}
        result = await self._call("pull messages", lambda: self._pullpoint.PullMessages(request), extra_s=wait_s)
        # Many cameras extend a pull point on every pull; the reply then tells us the new end.
        self._note_termination(result, granted=False)
        received = dt.datetime.now(dt.UTC)
        messages = getattr(result, "NotificationMessage", None) or []
        return [notification(message, received=received) for message in messages]

    async def _renew(self) -> Any:
        wanted = {"TerminationTime": self._camera.get_next_termination_time(SUBSCRIPTION)}
        return await self._call("renew the subscription", lambda: self._subscription.Renew(wanted))

    def _note_termination(self, result: Any, *, granted: bool) -> None:
        """When the subscription ends, from a reply's CurrentTime and TerminationTime. Device times are
        compared only with each other, so a camera's wrong clock does not matter."""
        current, termination = getattr(result, "CurrentTime", None), getattr(result, "TerminationTime", None)
        if isinstance(current, dt.datetime) and isinstance(termination, dt.datetime):
            remaining = max((termination - current).total_seconds(), 0.0)
        elif granted:
            remaining = SUBSCRIPTION.total_seconds()
        else:
            return
        if granted:
            self._granted_s = remaining
        self._ends_at = asyncio.get_running_loop().time() + remaining

    # -- one exchange with the device ----------------------------------------------------------------------

    async def _call(self, doing: str, call: Callable[[], Awaitable[Any]], *, extra_s: float = 0.0) -> Any:
        """One exchange, bounded by the timeout (plus a long poll's wait), its failures as OnvifError."""
        # The library's own sessions allow 90 s; the caller's timeout is the one that holds.
        try:
            async with asyncio.timeout(self._timeout_s + extra_s):
                return await call()
        except TimeoutError as error:
            raise OnvifError(f"{self}: no answer within {self._timeout_s + extra_s:g} s to {doing}") from error
        except Fault as error:
            if is_auth_error(error):
                message = f"{self}: the camera refused the username or password ({stringify_onvif_error(error)})"
                raise _DeviceFault(message, credentials=True) from error
            message = f"{self}: the device refused to {doing}: {stringify_onvif_error(error)}"
            raise _DeviceFault(message, credentials=False) from error
        except TransportError as error:
            if error.status_code in (401, 403):
                raise OnvifError(
                    f"{self}: the camera refused the username or password (HTTP {error.status_code})",
                    credentials=True,
                ) from error
            raise OnvifError(f"{self}: HTTP {error.status_code} to {doing}") from error
        except (aiohttp.ClientError, OSError) as error:
            raise OnvifError(f"{self}: unreachable ({error or type(error).__name__})") from error
        except (ONVIFError, ZeepError) as error:
            raise OnvifError(f"{self}: could not {doing}: {error}") from error
