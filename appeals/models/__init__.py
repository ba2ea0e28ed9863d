"""The appeals' data: partners and their idempotent requests, appeals with their history and files,
the working-day calendar and the district boundaries that route an appeal."""

from .appeals import (
    ALERT_CATEGORIES,
    ANONYMOUS_CATEGORIES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    AppealType,
    Attachment,
    AttachmentKind,
    Channel,
    RegistrationCounter,
    RoutedBy,
)
from .calendar import CalendarDay, DayKind, PublicHoliday
from .partners import IdempotencyKey, IdempotencyState, Partner

__all__ = [
    "ALERT_CATEGORIES",
    "ANONYMOUS_CATEGORIES",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "Appeal",
    "AppealCategory",
    "AppealEvent",
    "AppealStatus",
    "AppealType",
    "Attachment",
    "AttachmentKind",
    "CalendarDay",
    "Channel",
    "DayKind",
    "IdempotencyKey",
    "IdempotencyState",
    "Partner",
    "PublicHoliday",
    "RegistrationCounter",
    "RoutedBy",
]
