"""The spine's data: geography and people, alerts and incidents, pre-plans, patrol units, audit, outbox,
device credentials and the shift log."""

from .alerts import OPEN_STATUSES, Alert, AlertEvent, AlertStatus, Disposition, Severity
from .audit import AuditEntry, AuditSeal
from .credentials import DeviceCredential
from .geography import District, OperationsCenter
from .incidents import Incident, IncidentStatus
from .outbox import OutboxAttempt, OutboxAttemptOutcome, OutboxMessage, OutboxStatus
from .preplans import PrePlan, PrePlanContact
from .shifts import LivePresence, ShiftNote, ShiftNoteAcknowledgement
from .units import (
    OPEN_ASSIGNMENT_STATUSES,
    UNIT_TRANSITIONS,
    Assignment,
    AssignmentStatus,
    Unit,
    UnitKind,
    UnitStatus,
    UnitStatusChange,
)
from .users import Role, User
from .views import SavedView

__all__ = [
    "OPEN_ASSIGNMENT_STATUSES",
    "OPEN_STATUSES",
    "UNIT_TRANSITIONS",
    "Alert",
    "AlertEvent",
    "AlertStatus",
    "Assignment",
    "AssignmentStatus",
    "AuditEntry",
    "AuditSeal",
    "DeviceCredential",
    "Disposition",
    "District",
    "Incident",
    "IncidentStatus",
    "LivePresence",
    "OperationsCenter",
    "OutboxAttempt",
    "OutboxAttemptOutcome",
    "OutboxMessage",
    "OutboxStatus",
    "PrePlan",
    "PrePlanContact",
    "Role",
    "SavedView",
    "Severity",
    "ShiftNote",
    "ShiftNoteAcknowledgement",
    "Unit",
    "UnitKind",
    "UnitStatus",
    "UnitStatusChange",
    "User",
]
