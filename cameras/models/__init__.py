"""The cameras: registry and profiles, the events they and their workers report, drone flights."""

from cameras.models.cameras import AnalyticsProfile, Camera, CameraKind, PushProtocol
from cameras.models.drones import Flight, FlightPosition
from cameras.models.events import CameraEvent, EventKind, EventOrigin, EventPicture, PictureKind

__all__ = [
    "AnalyticsProfile",
    "Camera",
    "CameraEvent",
    "CameraKind",
    "EventKind",
    "EventOrigin",
    "EventPicture",
    "Flight",
    "FlightPosition",
    "PictureKind",
    "PushProtocol",
]
