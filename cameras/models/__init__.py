"""The cameras: registry and profiles, the events they and their workers report, the plates they read,
drone flights, the workers alive."""

from cameras.models.cameras import AnalyticsProfile, Camera, CameraKind, PushProtocol
from cameras.models.drones import Flight, FlightPosition
from cameras.models.events import CameraEvent, EventKind, EventOrigin, EventPicture, PictureKind
from cameras.models.plates import PlateRead, ReadSource, UnreadPlate
from cameras.models.workers import VideoWorkerPresence

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
    "PlateRead",
    "PushProtocol",
    "ReadSource",
    "UnreadPlate",
    "VideoWorkerPresence",
]
