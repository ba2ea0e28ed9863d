"""Every write of the alarms app: panels, received frames and events, alerts, supervision.

`frames_receive` is the receiver's entry point: it returns what to answer each frame, and an ACK only after
the frame and its event are committed. An alarm's alert (or a restore's update of it) is raised after the
ACK by `events_alert`, from the events committed with `alert_pending`; a receiver that dies in between
leaves them for the sweep (`events_alert` again, at its next start and from beat), so no alarm is lost.
"""

import hashlib
import ipaddress
import logging
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from alarms import dc09
from alarms.codes import EventClass, Meaning, contact_id_meaning, sia_meaning
from alarms.models import AlarmEvent, AlarmPanel, ProtectedObject, ReceivedFrame, RefusedInput
from alarms.readings import Reading, read
from opscenter.models import District, User
from opscenter.networks import parse_networks
from opscenter.services.alerts import alert_find_open, alert_raise, alert_resolve, alert_update_open
from opscenter.services.audit import audit_record
from opscenter.services.texts import phrase

logger = logging.getLogger(__name__)

CONTACT_PRECISION = timedelta(seconds=5)


@dataclass(frozen=True)
class Received:
    """What the receiver answers and why (the reason is logged, never sent)."""

    response: bytes | None
    outcome: str
    reason: str = ""
    alert_panel: int | None = None  # the panel whose new event waits for its alert: `events_alert` after answering


def _alert_key(panel: AlarmPanel, kind: str) -> str:
    """Also how the alert's details find the panel again (`alarms.selectors.alert_details`)."""
    return f"alarms:{panel.pk}:{kind}"


@dataclass(frozen=True)
class Incoming:
    """A frame as read off the wire, with where it came from."""

    raw: bytes
    transport: str
    peer: str
    frame: dc09.Frame | None = None  # already parsed (the receiver checks frames as they arrive)


def frames_receive(frames: list[Incoming], *, now: datetime | None = None) -> list[Received]:
    """Handle frames that arrived together in ONE transaction (group commit: one commit, one WAL flush for
    all), so a busy receiver pays the commit once per batch. All are committed or none: a database error
    propagates, nobody gets an answer and every panel repeats its frame.

    The database work is per batch, not per frame: one query locks the batch's panels, one looks for
    repeats, one inserts the frames, one the events, one refreshes supervision; only alarms and restores
    (rare) cost queries of their own. Only frames that pass authentication are stored and count as
    contact; every refusal is tallied per source address (`RefusedInput`)."""
    now = now or timezone.now()
    parsed: list[dc09.Frame | dc09.FrameError] = []
    for incoming in frames:
        if incoming.frame is not None:
            parsed.append(incoming.frame)
            continue
        try:
            parsed.append(dc09.parse_frame(incoming.raw))
        except dc09.FrameError as error:
            parsed.append(error)
    results: list[Received | None] = [None] * len(frames)
    refusals: list[Refusal] = []
    accounts = sorted({frame.account for frame in parsed if isinstance(frame, dc09.Frame) and frame.account})
    with transaction.atomic():
        # One panel's frames are handled one batch at a time (row locks, taken in account order so that two
        # batches never wait for each other in a circle): a repeat racing its original is seen.
        panels = (
            {
                panel.account: panel
                for panel in AlarmPanel.objects.select_for_update()
                .filter(account__in=accounts, is_active=True)
                .order_by("account")
            }
            if accounts
            else {}
        )
        accepted: list[_Accepted] = []
        for index, (incoming, frame) in enumerate(zip(frames, parsed, strict=True)):
            if isinstance(frame, dc09.FrameError):
                results[index] = Received(None, "none", str(frame))
                refusals.append(Refusal.of(incoming, str(frame), now=now))
                continue
            panel = panels.get(frame.account or "")
            decision = _decide(frame, panel, incoming=incoming, now=now)
            if isinstance(decision, Received):
                results[index] = decision
                refusals.append(Refusal.of(incoming, decision.reason, now=now, account=frame.account or ""))
                continue
            accepted.append(_Accepted(frame, decision, panel, incoming, index))  # type: ignore[arg-type]
            results[index] = Received(dc09.build_ack(frame, panel.aes_key or None, now), "ack")  # type: ignore[union-attr]
        if accepted:
            for item in _store(accepted, now=now):
                ack = results[item.index]
                assert ack is not None
                results[item.index] = replace(ack, alert_panel=item.panel.pk)
        if refusals:
            refusals_record(refusals)
    return results  # type: ignore[return-value]


def frame_receive(*, raw: bytes, transport: str, peer: str, now: datetime | None = None) -> Received:
    """Handle one frame in its own transaction (see `frames_receive`), then raise its alert (the demo's
    simulator; the receiver answers first and raises after)."""
    received = frames_receive([Incoming(raw, transport, peer)], now=now)[0]
    if received.alert_panel is not None:
        events_alert(panels=[received.alert_panel])
    return received


def peer_address(peer: str) -> str:
    """The address of "host:port" (IPv4, or IPv6 without brackets), or the peer as given."""
    host, colon, port = peer.rpartition(":")
    return host if colon and port.isdigit() else peer


def _authenticate(frame: dc09.Frame, panel: AlarmPanel, *, peer: str) -> None:
    """Who may speak for the panel, before its content is believed. Raises ContentError (DUH)."""
    if not panel.aes_key and settings.SIA_REQUIRE_ENCRYPTION:
        raise dc09.ContentError("the panel has no key and this receiver requires encryption")
    if panel.source_networks:
        try:
            address = ipaddress.ip_address(peer_address(peer))
        except ValueError:
            address = None
        if address is None or not any(address in network for network in parse_networks(panel.source_networks)):
            raise dc09.ContentError("source address outside the panel's networks")
    if panel.aes_key and not frame.encrypted:
        # NULL included: a plaintext link test would otherwise keep a cut line looking supervised.
        raise dc09.ContentError("plain frame for an account that encrypts")


def _decide(frame: dc09.Frame, panel: AlarmPanel | None, *, incoming: Incoming, now: datetime) -> Reading | Received:
    """The frame's reading when it may be believed, else the refusal to answer with. No database work."""
    if panel is None:
        return Received(dc09.build_duh(frame), "duh", "unknown account")
    try:
        _authenticate(frame, panel, peer=incoming.peer)
        dc09.open_content(frame, panel.aes_key or None)
        if frame.encrypted and frame.timestamp is None:
            raise dc09.ContentError("encrypted frame without a timestamp")
        reading = read(frame.message_id, frame.data)
    except dc09.ContentError as error:
        return Received(dc09.build_duh(frame), "duh", str(error))
    if frame.timestamp is not None:
        behind, ahead = settings.SIA_TIMESTAMP_WINDOW
        if not (now - timedelta(seconds=behind) <= frame.timestamp <= now + timedelta(seconds=ahead)):
            return Received(dc09.build_nak(frame, now), "nak", "timestamp outside the window")
    return reading


@dataclass(frozen=True)
class _Accepted:
    frame: dc09.Frame
    reading: Reading
    panel: AlarmPanel
    incoming: Incoming
    index: int  # in the batch

    @property
    def is_link_test(self) -> bool:
        # A link test only proves the link: kept as a frame, never an event, so a repeat needs no check.
        return self.frame.message_id == "NULL" or self.reading.event_class == EventClass.TEST

    @property
    def needs_alert(self) -> bool:
        """An alarm raises an alert; a restore updates the open one."""
        meaning = self.reading.meaning
        return (meaning.event_class == EventClass.ALARM and bool(meaning.severity)) or (
            meaning.event_class == EventClass.RESTORE
        )


@dataclass(frozen=True)
class Refusal:
    """One refused input, before it is added to its address's tally."""

    address: str
    transport: str
    reason: str
    sample: str
    at: datetime
    account: str = ""
    count: int = 1

    @classmethod
    def of(cls, incoming: Incoming, reason: str, *, now: datetime, account: str = "", count: int = 1) -> "Refusal":
        return cls(
            address=peer_address(incoming.peer)[:64],
            transport=incoming.transport,
            reason=reason[:200],
            sample=sample_text(incoming.raw),
            at=now,
            account=account[:16],
            count=count,
        )


def sample_text(raw: bytes, limit: int = 200) -> str:
    """The start of some input, printable (control and non-ASCII bytes escaped)."""
    return raw[:limit].decode("ascii", "backslashreplace").encode("unicode_escape").decode("ascii")[:limit]


def refusals_record(refusals: list[Refusal]) -> None:
    """Add refusals to the tallies of their addresses: three queries, however many refusals."""
    by_address: dict[str, list[Refusal]] = {}
    for refusal in refusals:
        by_address.setdefault(refusal.address, []).append(refusal)
    first = min(refusal.at for refusal in refusals)
    with transaction.atomic():
        RefusedInput.objects.bulk_create(
            [
                RefusedInput(address=address, transport=group[0].transport, first_at=first, last_at=first)
                for address, group in by_address.items()
            ],
            ignore_conflicts=True,
        )
        # Locked in address order, after the panels: two batches never wait for each other in a circle.
        tallies = list(RefusedInput.objects.select_for_update().filter(address__in=by_address).order_by("address"))
        for tally in tallies:
            group = by_address[tally.address]
            for refusal in group:
                tally.reasons[refusal.reason] = tally.reasons.get(refusal.reason, 0) + refusal.count
            latest = max(group, key=lambda refusal: refusal.at)
            tally.count += sum(refusal.count for refusal in group)
            tally.transport, tally.last_at, tally.last_reason = latest.transport, latest.at, latest.reason
            tally.sample, tally.last_account = latest.sample, latest.account or tally.last_account
        RefusedInput.objects.bulk_update(
            tallies, ["count", "reasons", "transport", "last_at", "last_reason", "sample", "last_account"]
        )


def _digest(frame: dc09.Frame) -> str:
    # The decrypted content, not the raw bytes: a repeated encrypted frame carries new random padding.
    content = f"{frame.message_id}|{frame.data}|{frame.extended}"
    return hashlib.sha256(content.encode()).hexdigest()


def _store(accepted: list[_Accepted], *, now: datetime) -> list[_Accepted]:
    """Store a batch's accepted frames and their events in bulk, and refresh supervision. Returns the
    frames whose new events wait for their alert (`alert_pending`)."""
    digests = {id(item): _digest(item.frame) for item in accepted if not item.is_link_test}
    seen: set[tuple[str, str, str]] = set()
    if digests:
        window = timedelta(seconds=settings.SIA_REPEAT_WINDOW_SECONDS)
        candidates = [item for item in accepted if id(item) in digests]
        seen = set(
            ReceivedFrame.objects.filter(
                account__in={item.frame.account for item in candidates},
                sequence__in={item.frame.sequence for item in candidates},
                content_digest__in=set(digests.values()),
                response="ack",
                is_repeat=False,
                received_at__gte=now - window,
            ).values_list("account", "sequence", "content_digest")
        )
    rows: list[ReceivedFrame] = []
    new_events: list[tuple[_Accepted, int]] = []  # with the index of its row
    for item in accepted:
        digest = digests.get(id(item), "")
        key = (item.frame.account or "", item.frame.sequence, digest)
        is_repeat = bool(digest) and key in seen
        if digest and not is_repeat:
            seen.add(key)  # the same frame twice in one batch: the second is a repeat
            new_events.append((item, len(rows)))
        rows.append(
            ReceivedFrame(
                received_at=now,
                transport=item.incoming.transport,
                peer=item.incoming.peer[:64],
                raw=item.incoming.raw.decode("ascii", "replace").strip("\n\r")[:4000],
                account=(item.frame.account or "")[:16],
                sequence=item.frame.sequence,
                content_digest=digest,
                panel=item.panel,
                response="ack",
                reason="repeat" if is_repeat else "",
                is_repeat=is_repeat,
            )
        )
    stored = ReceivedFrame.objects.bulk_create(rows)
    AlarmEvent.objects.bulk_create(
        [
            AlarmEvent(
                panel=item.panel,
                frame=stored[row],
                received_at=now,
                panel_time=item.frame.timestamp,
                protocol=item.frame.message_id,
                code=item.reading.code,
                qualifier=item.reading.qualifier,
                partition=item.reading.partition,
                zone=item.reading.zone,
                text=item.reading.text[:200],
                kind=item.reading.meaning.kind,
                event_class=item.reading.event_class,
                description=item.reading.meaning.description,
                extended=dict(item.frame.extended),
                alert_pending=item.needs_alert,
            )
            for item, row in new_events
        ]
    )
    _heard({item.panel.pk: item.panel for item in accepted}.values(), now)
    return [item for item, _row in new_events if item.needs_alert]


def events_alert(*, panels: Collection[int] | None = None, received_before: datetime | None = None) -> int:
    """Raise the alerts of alarm events committed without them (`alert_pending`), and apply restores to the
    open alerts: every pending event of `panels` (the receiver, after answering), or of the panels with an
    event pending since before `received_before` (the sweep), or of all. Returns how many were settled.

    Each event is settled once: its alert and the cleared flag commit together, so a crash leaves both
    undone and the next sweep does it. A panel's events are settled in the order received, so a restore
    never overtakes its alarm."""
    if panels is None:
        pending = AlarmEvent.objects.filter(alert_pending=True)
        if received_before is not None:
            pending = pending.filter(received_at__lt=received_before)
        panels = set(pending.values_list("panel_id", flat=True).distinct())
    if not panels:
        return 0
    try:
        return _settle(panels)
    except Exception:
        if len(panels) == 1:
            raise
        # One panel's failure must not hold up the others' alerts: each on its own.
        logger.exception("Raising the alerts of %d panels failed; one by one", len(panels))
    settled = 0
    for panel in sorted(panels):
        try:
            settled += _settle([panel])
        except Exception:
            logger.exception("The alerts of panel %s were not raised; the sweep tries again", panel)
    return settled


def _settle(panels: Collection[int]) -> int:
    with transaction.atomic():
        # Locked in the order received. A second caller (another receiver process, the sweep) waits for the
        # rows, then finds them settled (PostgreSQL checks a waited-for row's condition again) and skips them.
        events = list(
            AlarmEvent.objects.select_for_update(of=("self",))
            .select_related("panel__protected_object__district__center")
            .filter(alert_pending=True, panel_id__in=panels)
            .order_by("pk")
        )
        for event in events:
            event.alert = _alert_of(event)
            event.alert_pending = False
        if events:
            AlarmEvent.objects.bulk_update(events, ["alert", "alert_pending"])
    return len(events)


def _meaning(event: AlarmEvent) -> Meaning:
    return contact_id_meaning(event.code, event.qualifier) if event.protocol == "ADM-CID" else sia_meaning(event.code)


def _alert_of(event: AlarmEvent):
    """Raise the alert of an alarm, or update the open one with a restore (None when none is open)."""
    panel, meaning = event.panel, _meaning(event)
    if event.event_class == EventClass.ALARM and meaning.severity:
        return _raise_alarm(panel=panel, event=event, severity=meaning.severity)
    if event.event_class == EventClass.RESTORE:
        return alert_update_open(
            dedup_key=_alert_key(panel, event.kind),
            text=phrase(
                gettext_noop("Restore from the panel: %(description)s"),
                description=phrase(event.description),
            ),
            payload={"restored_at": event.received_at.isoformat()},
        )
    return None


def _raise_alarm(*, panel: AlarmPanel, event: AlarmEvent, severity: int):
    protected = panel.protected_object
    duress = event.kind == "duress"
    title = phrase(gettext_noop("%(what)s: %(object)s"), what=phrase(event.description), object=protected.names)
    latitude, longitude = protected.latitude, protected.longitude
    if latitude is None or longitude is None:  # the object's surveyed place first, else the panel's own report
        latitude, longitude = _coordinate(event.extended.get("Y")), _coordinate(event.extended.get("X"))
    return alert_raise(
        source="alarms",
        kind=event.kind,
        severity=severity,
        title=title,
        district=protected.district,
        latitude=latitude,
        longitude=longitude,
        address=protected.address,
        dedup_key=_alert_key(panel, event.kind),
        subject=protected,  # what the cameras watching this object attach to (cameras.selectors)
        # Words are composed from these when shown, in the reader's language (alarms.texts).
        payload={
            "object": {
                "name": protected.name,
                "name_kk": protected.name_kk,
                "kind": protected.kind,
                "kind_label": protected.get_kind_display(),
                "address": protected.address,
                "address_kk": protected.address_kk,
                "notes": protected.operator_notes,
            },
            "description": event.description,
            "panel": panel.account,
            "event_id": event.pk,
            "code": event.code,
            "zone": event.zone,
            "partition": event.partition,
            "duress": duress,
            "caution": _(
                "Duress: the person who pressed may be under threat. Do not call the object back; send a unit quietly."
            )
            if duress
            else "",
            "extended": event.extended,
        },
    )


def _coordinate(value: str | None) -> float | None:
    """[X..]/[Y..] blocks carry degrees, optionally with a hemisphere letter first (E51.36, N51.23)."""
    if not value:
        return None
    sign = -1.0 if value[0] in "SWsw" else 1.0
    try:
        return sign * float(value.lstrip("NSEWnsew"))
    except ValueError:
        return None


def _heard(panels, now: datetime) -> None:
    """Authenticated frames prove the link: refresh supervision in one update, and close the "panel
    silent" alert of a panel that was offline."""
    stale = [
        panel
        for panel in panels
        # supervision counts in minutes: a chatty panel need not write on every frame
        if not panel.is_online or not panel.last_contact_at or now - panel.last_contact_at >= CONTACT_PRECISION
    ]
    if not stale:
        return
    AlarmPanel.objects.filter(pk__in=[panel.pk for panel in stale]).update(last_contact_at=now, is_online=True)
    for panel in stale:
        was_offline = not panel.is_online
        panel.last_contact_at, panel.is_online = now, True
        if was_offline:
            silent = alert_find_open(dedup_key=_alert_key(panel, "silent"))
            if silent is not None:
                alert_resolve(
                    alert=silent,
                    actor=None,
                    disposition="technical",
                    note=phrase(gettext_noop("The panel was heard again.")),
                )


def panels_supervise(*, now: datetime | None = None) -> int:
    """Raise a P2 "panel silent" alert for every online panel that missed its interval plus grace.
    Returns how many panels went silent."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SIA_SUPERVISION_GRACE_SECONDS)
    silent = 0
    candidates = AlarmPanel.objects.filter(is_active=True, is_online=True, last_contact_at__isnull=False)
    for panel in candidates.select_related("protected_object__district"):
        heard = panel.last_contact_at
        if heard is None or heard + timedelta(seconds=panel.supervision_seconds) + grace > now:
            continue
        with transaction.atomic():
            went_silent = AlarmPanel.objects.filter(
                pk=panel.pk, is_online=True, last_contact_at=panel.last_contact_at
            ).update(is_online=False)
            if not went_silent:
                continue  # heard meanwhile, or another worker got there first
            protected = panel.protected_object
            alert_raise(
                source="alarms",
                kind="panel_silent",
                severity=2,
                title=phrase(gettext_noop("Panel silent: %(object)s"), object=protected.names),
                district=protected.district,
                latitude=protected.latitude,
                longitude=protected.longitude,
                address=protected.address,
                dedup_key=_alert_key(panel, "silent"),
                payload={
                    "panel": panel.account,
                    "last_contact_at": heard.isoformat(),
                    "object": {
                        "name": protected.name,
                        "name_kk": protected.name_kk,
                        "kind": protected.kind,
                        "address": protected.address,
                        "address_kk": protected.address_kk,
                    },
                },
            )
            silent += 1
    return silent


def frames_purge(*, now: datetime | None = None) -> int:
    """Delete received frames older than `SIA_FRAME_RETENTION_DAYS` that carry no event (link tests,
    repeats), and refusal tallies not added to since. An event keeps its frame: it is the record of what
    the panel said. Returns how many rows went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SIA_FRAME_RETENTION_DAYS)
    frames, _by_model = ReceivedFrame.objects.filter(received_at__lt=cutoff, event__isnull=True).delete()
    tallies, _by_model = RefusedInput.objects.filter(last_at__lt=cutoff).delete()
    return frames + tallies


@transaction.atomic
def panel_create(
    *,
    account: str,
    object_name: str,
    object_kind: str,
    district: District,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    object_name_kk: str = "",
    address_kk: str = "",
    aes_key: str = "",
    supervision_seconds: int = 300,
    actor: User | None = None,
) -> AlarmPanel:
    """Register a panel and the object it protects (an object of that name in the district is reused)."""
    protected, _created = ProtectedObject.objects.get_or_create(
        name=object_name,
        district=district,
        defaults={
            "kind": object_kind,
            "latitude": latitude,
            "longitude": longitude,
            "address": address,
            "name_kk": object_name_kk,
            "address_kk": address_kk,
        },
    )
    panel = AlarmPanel(
        account=account.upper(),
        aes_key=aes_key,
        protected_object=protected,
        supervision_seconds=supervision_seconds,
    )
    panel.full_clean()
    panel.save()
    audit_record(actor=actor, actor_label="alarms_add_panel", action="alarms.panel.create", obj=panel)
    return panel
