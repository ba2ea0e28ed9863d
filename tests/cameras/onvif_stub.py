"""A local ONVIF device for the tests of cameras/onvif.py: SOAP 1.2 over real HTTP on 127.0.0.1.

It answers what a camera's device, event and subscription services answer (GetSystemDateAndTime,
GetServices, GetCapabilities, CreatePullPointSubscription, PullMessages, Renew, Unsubscribe), each only
on the address a real device serves it at, checks the WS-Security UsernameToken digest as a device does
and keeps its subscriptions like one: each has a termination time, a queue of notification messages and
a long poll. The XML follows what cameras send (the message shapes of the ONVIF Core specification's
event examples, as Axis and Hikvision firmware emit them).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import inspect
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web
from lxml import etree

NS = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "wsrf-rw": "http://docs.oasis-open.org/wsrf/rw-2",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "tns1": "http://www.onvif.org/ver10/topics",
    "ter": "http://www.onvif.org/ver10/error",
}
USERNAME, PASSWORD = "operator", "Secr3t!"
DEVICE_PATH, EVENTS_PATH, SUBSCRIPTION_PATH = "/onvif/device_service", "/onvif/events", "/onvif/subscription"
# The UsernameToken profile lets a device refuse a token created too far from its own clock.
CREATED_TOLERANCE = dt.timedelta(minutes=5)
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")
# Requests are small; a parser that resolves no entities and fetches nothing, as a device's should.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _xml_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _items(items: dict[str, str]) -> str:
    return "".join(f"<tt:SimpleItem Name={quoteattr(k)} Value={quoteattr(v)}/>" for k, v in items.items())


class SoapFault(Exception):
    def __init__(self, code: str, subcode: str, reason: str, status: int = 400):
        super().__init__(reason)
        self.code, self.subcode, self.reason, self.status = code, subcode, reason, status


@dataclass
class Subscription:
    id: int
    terminates_at: dt.datetime
    queue: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


class OnvifStub:
    """One camera. `push` raises an event on it, `fault_subscriptions` forgets every subscription (as a
    device does on reboot); `calls`, `created`, `renewed`, `unsubscribed` and `expired` record what it saw."""

    def __init__(
        self,
        *,
        username: str = USERNAME,
        password: str = PASSWORD,
        get_services: bool = True,
        events: bool = True,
        max_grant_s: float = 60.0,
        clock_offset: dt.timedelta = dt.timedelta(0),
        lose_subscriptions: bool = False,
        port: int = 0,
    ):
        self.username, self.password = username, password
        self.get_services, self.events = get_services, events
        self.max_grant = dt.timedelta(seconds=max_grant_s)
        self.clock_offset = clock_offset
        # Every pull faults as if the device had just forgotten the subscription (firmware that does).
        self.lose_subscriptions = lose_subscriptions
        self.calls: list[str] = []
        self.created = self.expired = 0
        self.renewed: list[int] = []
        self.unsubscribed: list[int] = []
        self.subscriptions: dict[int, Subscription] = {}
        self._nonces: set[str] = set()
        self._next_id = 1
        self._subscribed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = port  # 0: any free one; a given one to come back where a device was

    # -- lifecycle ------------------------------------------------------------------------------------------

    async def __aenter__(self) -> OnvifStub:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the port a device just left
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.clock_offset

    # -- what the tests do to the device ---------------------------------------------------------------------

    def push(
        self,
        topic: str,
        *,
        data: dict[str, str],
        source: dict[str, str] | None = None,
        at: dt.datetime | None = None,
        operation: str = "Changed",
    ) -> None:
        """Raise an event: every live subscription queues it, as a device broadcasts to its pull points."""
        utc = f" UtcTime={quoteattr(_xml_time(at))}" if at is not None else ""
        self.push_raw(
            topic,
            f"<tt:Message{utc} PropertyOperation={quoteattr(operation)}>"
            f"<tt:Source>{_items(source or {})}</tt:Source><tt:Data>{_items(data)}</tt:Data></tt:Message>",
        )

    def push_raw(self, topic: str, message: str) -> None:
        """Raise an event whose wsnt:Message content is given as XML, malformed as a firmware may make it."""
        message = (
            "<wsnt:NotificationMessage>"
            f'<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">{escape(topic)}</wsnt:Topic>'
            f"<wsnt:Message>{message}</wsnt:Message></wsnt:NotificationMessage>"
        )
        for subscription in self.subscriptions.values():
            subscription.queue.append(message)
            subscription.arrived.set()

    def fault_subscriptions(self) -> None:
        self.subscriptions.clear()

    async def wait_subscriptions(self, count: int) -> None:
        async with self._subscribed:
            await self._subscribed.wait_for(lambda: self.created >= count)

    def address(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # -- SOAP ------------------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            envelope = etree.fromstring(await request.read(), _PARSER)
            body = envelope.find("env:Body", NS)
            if body is None or len(body) == 0:
                raise SoapFault("env:Sender", "ter:WellFormed", "No SOAP 1.2 body")
            operation = etree.QName(body[0]).localname
            self.calls.append(operation)
            # GetSystemDateAndTime is the one call ONVIF answers before authentication: clients set their
            # clock by it before they can make a digest the device accepts.
            if operation != "GetSystemDateAndTime":
                self._authenticate(envelope)
            handler = self._operations.get((request.path, operation))
            if handler is None:
                raise SoapFault("env:Sender", "ter:ActionNotSupported", f"{operation} is not served at {request.path}")
            action, reply = await handler(self, body[0], request)
            return self._reply(reply, action)
        except SoapFault as fault:
            return self._fault(fault)

    def _authenticate(self, envelope: etree._Element) -> None:
        token = envelope.find("env:Header/wsse:Security/wsse:UsernameToken", NS)
        refused = SoapFault("env:Sender", "ter:NotAuthorized", "Sender not Authorized", status=400)
        if token is None:
            raise refused
        password = token.find("wsse:Password", NS)
        nonce, created = token.findtext("wsse:Nonce", None, NS), token.findtext("wsu:Created", None, NS)
        if password is None or not nonce or not created or token.findtext("wsse:Username", None, NS) != self.username:
            raise refused
        if not (password.get("Type") or "").endswith("#PasswordDigest"):
            raise refused  # plain-text passwords are refused, as ONVIF profiles require
        try:
            raw_nonce, digest = base64.b64decode(nonce), base64.b64decode(password.text or "")
            age = abs(dt.datetime.fromisoformat(created) - self.now())
        except ValueError:
            raise refused from None
        # The UsernameToken profile's digest is SHA-1 by definition.
        expected = hashlib.sha1(raw_nonce + created.encode() + self.password.encode()).digest()  # noqa: S324
        if digest != expected or nonce in self._nonces or age > CREATED_TOLERANCE:
            raise refused
        self._nonces.add(nonce)

    def _reply(self, body: str, action: str) -> web.Response:
        xmlns = " ".join(f"xmlns:{prefix}={quoteattr(uri)}" for prefix, uri in NS.items())
        text = (
            f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope {xmlns}>'
            f"<env:Header><wsa:Action>{action}</wsa:Action></env:Header><env:Body>{body}</env:Body></env:Envelope>"
        )
        return web.Response(text=text, content_type="application/soap+xml", charset="utf-8")

    def _fault(self, fault: SoapFault) -> web.Response:
        body = (
            f"<env:Fault><env:Code><env:Value>{fault.code}</env:Value><env:Subcode><env:Value>{fault.subcode}"
            f'</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">{escape(fault.reason)}'
            "</env:Text></env:Reason></env:Fault>"
        )
        response = self._reply(body, "http://www.w3.org/2005/08/addressing/soap/fault")
        response.set_status(fault.status)
        return response

    def _termination(self, requested: str | None) -> dt.datetime:
        """A relative (PT60S) or absolute termination time, capped at what this device grants."""
        now = self.now()
        if not requested:
            return now + self.max_grant
        if match := _DURATION.match(requested.strip()):
            hours, minutes, seconds = (float(part or 0) for part in match.groups())
            wanted = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        else:
            wanted = dt.datetime.fromisoformat(requested.strip()) - now
        return now + min(wanted, self.max_grant)

    def _subscription(self, request: web.Request) -> Subscription:
        found = self.subscriptions.get(int(request.query.get("id", "0")))
        if found is not None and self.now() > found.terminates_at:
            self.expired += 1
            del self.subscriptions[found.id]
            found = None
        if found is None:
            raise SoapFault("env:Receiver", "wsrf-rw:ResourceUnknownFault", "No such subscription")
        return found

    # -- operations: each returns (wsa:Action, body) ------------------------------------------------------

    async def _get_system_date_and_time(self, op: etree._Element, request: web.Request) -> tuple[str, str]:
        now = self.now()
        return f"{NS['tds']}/GetSystemDateAndTimeResponse", (
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>"
            "<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone>"
            f"<tt:UTCDateTime><tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
            f"<tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>{now.year}</tt:Year>"
            f"<tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date></tt:UTCDateTime>"
            "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )

    async def _get_services(self, op: etree._Element, request: web.Request) -> tuple[str, str]:
        if not self.get_services:
            raise SoapFault("env:Receiver", "ter:ActionNotSupported", "GetServices is not supported")
        offered = [(NS["tds"], DEVICE_PATH)] + ([(NS["tev"], EVENTS_PATH)] if self.events else [])
        services = "".join(
            f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{self.address(path)}</tds:XAddr>"
            "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>"
            for ns, path in offered
        )
        return f"{NS['tds']}/GetServicesResponse", f"<tds:GetServicesResponse>{services}</tds:GetServicesResponse>"

    async def _get_capabilities(self, op: etree._Element, request: web.Request) -> tuple[str, str]:
        events = (
            f"<tt:Events><tt:XAddr>{self.address(EVENTS_PATH)}</tt:XAddr>"
            "<tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>"
            "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
            "<tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport>"
            "</tt:Events>"
        )
        return f"{NS['tds']}/GetCapabilitiesResponse", (
            f"<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>{self.address(DEVICE_PATH)}"
            f"</tt:XAddr></tt:Device>{events if self.events else ''}</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )

    async def _create_pull_point_subscription(self, op: etree._Element, request: web.Request) -> tuple[str, str]:
        subscription = Subscription(
            self._next_id, self._termination(op.findtext("tev:InitialTerminationTime", None, NS))
        )
        self._next_id += 1
        self.subscriptions[subscription.id] = subscription
        async with self._subscribed:
            self.created += 1
            self._subscribed.notify_all()
        return f"{NS['tev']}/EventPortType/CreatePullPointSubscriptionResponse", (
            "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>"
            f"{self.address(SUBSCRIPTION_PATH)}?id={subscription.id}</wsa:Address></tev:SubscriptionReference>"
            f"<wsnt:CurrentTime>{_xml_time(self.now())}</wsnt:CurrentTime>"
            f"<wsnt:TerminationTime>{_xml_time(subscription.terminates_at)}</wsnt:TerminationTime>"
            "</tev:CreatePullPointSubscriptionResponse>"
        )

    async def _pull_messages(self, op: etree._Element, request: web.Request) -> tuple[str, str]:
        subscription = self._subscription(request)
        if self.lose_subscriptions:
            del self.subscriptions[subscription.id]
            raise SoapFault("env:Receiver", "wsrf-rw:ResourceUnknownFault", "No such subscription")
        match = _DURATION.match(op.findtext("tev:Timeout", "", NS).strip())
        limit = int(op.findtext("tev:MessageLimit", "0", NS))
        if match is None or limit < 1:
            raise SoapFault("env:Sender", "ter:InvalidArgVal", "Timeout and MessageLimit are required")
        hours, minutes, seconds = (float(part or 0) for part in match.groups())
        if not subscription.queue:
            # The long poll: a device holds the request until a message comes or the timeout passes.
            subscription.arrived.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(hours * 3600 + minutes * 60 + seconds):
                    await subscription.arrived.wait()
        messages = subscription.queue[:limit]
        del subscription.queue[:limit]
        return f"{NS['tev']}/PullPointSubscription/PullMessagesResponse", (
            f"<tev:PullMessagesResponse><tev:CurrentTime>{_xml_time(self.now())}</tev:CurrentTime>"
            f"<tev:TerminationTime>{_xml_time(subscription.terminates_at)}</tev:TerminationTime>"
            f"{''.join(messages)}</tev:PullMessagesResponse>"
        )

    async def _renew(self, op: etree._Element, request: web.Request) -> tuple[str, str]:
        subscription = self._subscription(request)
        subscription.terminates_at = self._termination(op.findtext("wsnt:TerminationTime", None, NS))
        self.renewed.append(subscription.id)
        return f"{NS['wsnt']}/SubscriptionManager/RenewResponse", (
            f"<wsnt:RenewResponse><wsnt:TerminationTime>{_xml_time(subscription.terminates_at)}</wsnt:TerminationTime>"
            f"<wsnt:CurrentTime>{_xml_time(self.now())}</wsnt:CurrentTime></wsnt:RenewResponse>"
        )

    async def _unsubscribe(self, op: etree._Element, request: web.Request) -> tuple[str, str]:
        subscription = self._subscription(request)
        del self.subscriptions[subscription.id]
        self.unsubscribed.append(subscription.id)
        return f"{NS['wsnt']}/SubscriptionManager/UnsubscribeResponse", "<wsnt:UnsubscribeResponse/>"

    _operations = {
        (DEVICE_PATH, "GetSystemDateAndTime"): _get_system_date_and_time,
        (DEVICE_PATH, "GetServices"): _get_services,
        (DEVICE_PATH, "GetCapabilities"): _get_capabilities,
        (EVENTS_PATH, "CreatePullPointSubscription"): _create_pull_point_subscription,
        (SUBSCRIPTION_PATH, "PullMessages"): _pull_messages,
        (SUBSCRIPTION_PATH, "Renew"): _renew,
        (SUBSCRIPTION_PATH, "Unsubscribe"): _unsubscribe,
    }


class OnvifStubThread:
    """An OnvifStub served by an event loop of its own in a thread, for tests whose code runs in threads
    of its own (the worker's loops). `call` runs a function on the device in that loop (its state is the
    loop's); `stop` takes the device off the network and `start` brings a fresh one (as after a reboot)
    back at the same port."""

    def __init__(self, **options: Any):
        self.options = options
        self.device: OnvifStub | None = None
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="onvif-stub", daemon=True)
        self._thread.start()

    def __enter__(self) -> OnvifStubThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.device is not None:
            self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def start(self) -> None:
        self.device = OnvifStub(port=self.port, **self.options)
        self._await(self.device.__aenter__())
        self.port = self.device.port

    def stop(self) -> None:
        assert self.device is not None
        self._await(self.device.__aexit__(None, None, None))
        self.device = None

    def call(self, function: Callable[[OnvifStub], Any]) -> Any:
        """What the function answers, awaited when it answers a coroutine (`wait_subscriptions`)."""

        async def called() -> Any:
            assert self.device is not None
            result = function(self.device)
            return await result if inspect.isawaitable(result) else result

        return self._await(called())

    def _await(self, work: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(30)
