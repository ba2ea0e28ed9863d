"""The spine's data: geography and people, alerts, audit, outbox, device credentials and the shift log."""

from .alerts import OPEN_STATUSES, Alert, AlertEvent, AlertStatus, Disposition, Severity
from .audit import AuditEntry, AuditSeal
from .credentials import DeviceCredential
from .geography import District, OperationsCenter
from .outbox import OutboxAttempt, OutboxAttemptOutcome, OutboxMessage, OutboxStatus
from .shifts import LivePresence, ShiftNote, ShiftNoteAcknowledgement
from .users import Role, User
from .views import SavedView

__all__ = [
    "OPEN_STATUSES",
    "Alert",
    "AlertEvent",
    "AlertStatus",
    "AuditEntry",
    "AuditSeal",
    "DeviceCredential",
    "Disposition",
    "District",
    "LivePresence",
    "OperationsCenter",
    "OutboxAttempt",
    "OutboxAttemptOutcome",
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "SavedView",
    "Severity",
    "ShiftNote",
    "ShiftNoteAcknowledgement",
    "User",
]
