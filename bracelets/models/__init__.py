"""Electronic monitoring: supervised people and their court orders, bracelets, zones and schedules,
positions, and the violations evaluation finds."""

from .devices import Bracelet, BraceletAssignment, BraceletState
from .people import CourtOrder, Measure, SupervisedPerson
from .positions import Position, Violation, ViolationKind, ViolationStatus
from .zones import (
    HOME_ZONE_NAME,
    AbsenceKind,
    ApprovedAbsence,
    CurfewWindow,
    Zone,
    ZoneKind,
    ZoneSchedule,
    ZoneShape,
    zone_name_shown,
)

__all__ = [
    "HOME_ZONE_NAME",
    "AbsenceKind",
    "ApprovedAbsence",
    "Bracelet",
    "BraceletAssignment",
    "BraceletState",
    "CourtOrder",
    "CurfewWindow",
    "Measure",
    "Position",
    "SupervisedPerson",
    "Violation",
    "ViolationKind",
    "ViolationStatus",
    "Zone",
    "ZoneKind",
    "ZoneSchedule",
    "ZoneShape",
    "zone_name_shown",
]
