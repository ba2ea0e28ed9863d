"""The shapes of the live feed's messages, in one place (Zulip declares its events alike).

Services publish `LayerMessage`s to channel groups (opscenter.services.live); the publisher adds
`group` and `seq`, the group's sequence number (opscenter.layers). The consumer forwards those meant for
the browser as `SocketMessage`s, their `group` and `seq` kept, so the console sees a number missing.
"""

from typing import Any, Literal, NotRequired, TypedDict

# An alert as AlertSerializer renders it, the same for the REST API and the feed.
AlertData = dict[str, Any]
# A unit as opscenter.serializers.unit_as_dict renders it (consoles: REST and the feed alike), and as
# tablet_unit_as_dict does for its own tablet (no payload, no people: the alert's title, place, caution).
UnitData = dict[str, Any]
TabletUnitData = dict[str, Any]
# An incident as IncidentSerializer renders it (without its alerts: each alert names its `incident`).
IncidentData = dict[str, Any]


class Numbered(TypedDict):
    group: str
    seq: int  # 1, 2, 3 ... per group, across every process that publishes


# ---- published to groups (channel-layer messages: `type` names the consumer's handler)


class AlertChanged(TypedDict):
    """An alert as it is now, to the groups whose scope covers it (opened, changed or resolved)."""

    type: Literal["alert.changed"]
    alert: AlertData
    # The alert's words (labels, names, texts) per language code, laid over `alert` for each reader.
    words: NotRequired[dict[str, dict[str, Any]]]
    group: NotRequired[str]
    seq: NotRequired[int]


class AlertRemoved(TypedDict):
    """An alert left a group's scope (moved to another center, say): its screens drop it, unless the
    socket is also in one of the `groups` it went to."""

    type: Literal["alert.removed"]
    alert_id: int
    updated_at: str
    groups: list[str]
    group: NotRequired[str]
    seq: NotRequired[int]


class AlertEscalated(TypedDict):
    """To the users an escalation reaches (alerts.user.<pk>)."""

    type: Literal["alert.escalated"]
    alert_id: int
    level: int
    title: str
    titles: NotRequired[dict[str, str]]  # the title per language code; the socket sends its reader's
    group: NotRequired[str]
    seq: NotRequired[int]


class IncidentChanged(TypedDict):
    """An incident as it is now (created, acknowledged, resolved, an alert linked or unlinked), to its
    center's groups and to those of its alerts' districts. Which alerts it holds, the alerts say (their
    own `alert.changed`, sent with it), so no socket learns of an alert beyond its scope."""

    type: Literal["incident.changed"]
    incident: IncidentData
    group: NotRequired[str]
    seq: NotRequired[int]


class UserChanged(TypedDict):
    """To a user's own sockets (user.<pk>, not forwarded): recheck the session, the user and the scope."""

    type: Literal["user.changed"]
    group: NotRequired[str]
    seq: NotRequired[int]


class SessionEnded(TypedDict):
    """To a user's own sockets (not forwarded): the session with this digest ended (a logout)."""

    type: Literal["session.ended"]
    session: str
    group: NotRequired[str]
    seq: NotRequired[int]


class UnitChanged(TypedDict):
    """A unit as it is now (status, position, open assignment), to the groups whose scope covers it:
    the alerts' groups of its center and district, so a console hears it in order with its alerts."""

    type: Literal["unit.changed"]
    unit: UnitData
    # The unit's words (labels, names of its place) per language code, laid over `unit` for each reader.
    words: NotRequired[dict[str, dict[str, Any]]]
    group: NotRequired[str]
    seq: NotRequired[int]


class TabletChanged(TypedDict):
    """A unit as its tablet sees it, to its crew's tablets (units.unit.<pk>)."""

    type: Literal["tablet.changed"]
    unit: TabletUnitData
    group: NotRequired[str]
    seq: NotRequired[int]


LayerMessage = (
    AlertChanged
    | AlertRemoved
    | AlertEscalated
    | IncidentChanged
    | UserChanged
    | SessionEnded
    | UnitChanged
    | TabletChanged
)


# ---- sent to the browser


class SnapshotOut(TypedDict):
    """On connect and whenever the scope changed: the open alerts, and the last number of each group
    as of before they were read (a message numbered up to it is already in the snapshot). Sent in
    parts (`part` 0, 1, ... until `last`), each at most LIVE_SNAPSHOT_PART_BYTES, one after the other
    with nothing between them; `count` is the number of alerts in all the parts. A socket opened with
    `?snapshot=none` gets one part with the numbers only: no alerts, no units, `count` null."""

    type: Literal["snapshot"]
    cursors: dict[str, int]
    count: int | None
    part: int
    last: bool
    units: NotRequired[list[UnitData]]  # the units of the scope, in the first part only
    alerts: list[AlertData]


class AlertOut(Numbered):
    type: Literal["alert"]
    alert: AlertData


class AlertRemovedOut(Numbered):
    type: Literal["alert.removed"]
    alert_id: int
    updated_at: str


class SkippedOut(Numbered):
    """A number whose message is not for this socket (an alert.removed while it stays in scope)."""

    type: Literal["skipped"]


class AlertEscalatedOut(Numbered):
    type: Literal["alert.escalated"]
    alert_id: int
    level: int
    title: str


class UnitOut(Numbered):
    type: Literal["unit"]
    unit: UnitData


class TabletSnapshotOut(TypedDict):
    """A tablet's socket, on connect and whenever its units changed: the user's units as their tablet
    sees them, and where their groups stood before they were read."""

    type: Literal["tablet.snapshot"]
    cursors: dict[str, int]
    units: list[TabletUnitData]


class TabletOut(Numbered):
    type: Literal["tablet"]
    unit: TabletUnitData


class IncidentOut(Numbered):
    type: Literal["incident"]
    incident: IncidentData


class Pong(TypedDict):
    type: Literal["pong"]


SocketMessage = (
    SnapshotOut
    | AlertOut
    | AlertRemovedOut
    | AlertEscalatedOut
    | IncidentOut
    | SkippedOut
    | UnitOut
    | TabletSnapshotOut
    | TabletOut
    | Pong
)
