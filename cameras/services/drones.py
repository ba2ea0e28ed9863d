"""Every write of drone flights and their GPS tracks, and where a drone was at a moment.

A flight is planned (pilot, purpose, period), takes off and lands. The track a drone sends
(`track_points_store`, from the intake API) is kept only within the flown period of one of its flights: a
point timed when the drone was in no flight is counted as `outside` and not stored, so that no position of
a drone is on record without a flight, a pilot and a purpose. Points are stored once per flight and time
(a batch sent again stores nothing new), and the drone's place (the camera's latitude and longitude, read
by the map and by the cameras beside an alert) follows its newest point.

An event of a drone takes the drone's place at its start (`drone_place_at`): the track point nearest that
moment within DRONE_POSITION_TOLERANCE_SECONDS, interpolated between the two around it when both are that
close; else the newest point before it of the flight it fell in; else the camera's place.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cameras.models import Camera, CameraKind, Flight, FlightPosition
from opscenter.errors import DomainError, InvalidTransition
from opscenter.models import User
from opscenter.services.audit import audit_record

# Where an event's place came from (kept in the event's data).
PLACE_TRACK = "track"
PLACE_INTERPOLATED = "interpolated"
PLACE_LAST_KNOWN = "last_known"
PLACE_CAMERA = "camera"


class NotADrone(DomainError):
    code = "not_a_drone"
    default_detail = _("This camera is not a drone.")


class FlightMovedOn(InvalidTransition):
    code = "flight_moved_on"
    default_detail = _("The flight is not in a state that allows this.")


class TrackPointRefused(DomainError):
    code = "track_point_refused"
    default_detail = _("A track point was refused.")


@dataclass(frozen=True)
class TrackPoint:
    """One point of a drone's track as it sent it; `at` is the drone's own (aware) time."""

    at: datetime
    latitude: float
    longitude: float
    altitude_m: float | None = None
    heading: float | None = None
    speed_kmh: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True)
class TrackOutcome:
    """What became of a batch: points `stored`, already stored (`duplicate`), timed in no flight (`outside`)."""

    stored: int
    duplicate: int
    outside: int


@dataclass(frozen=True)
class DronePlace:
    """Where a drone was: `at` is the time of the track point it comes from (the moment asked, when
    interpolated; None for the camera's place), `source` one of the PLACE_* names."""

    latitude: float | None
    longitude: float | None
    altitude_m: float | None
    at: datetime | None
    source: str


# --- flights ------------------------------------------------------------------------------------------------


@transaction.atomic
def flight_plan(
    *,
    camera: Camera,
    purpose: str,
    pilot: User | None = None,
    pilot_name: str = "",
    planned_start: datetime | None = None,
    planned_end: datetime | None = None,
    notes: str = "",
    actor: User | None = None,
) -> Flight:
    """Put a flight of a drone on record, before it takes off; its district and center are the camera's.
    Raises NotADrone for another kind of camera, ValidationError on a bad field (a pilot is named, by
    account or by name; the planned end comes after the planned start)."""
    if camera.kind != CameraKind.DRONE:
        raise NotADrone()
    flight = Flight(
        camera=camera,
        pilot=pilot,
        pilot_name=pilot_name.strip(),
        purpose=purpose.strip(),
        district=camera.district,
        center=camera.district.center,
        planned_start=planned_start,
        planned_end=planned_end,
        created_by=actor if actor is not None and actor.pk else None,
        created_at=timezone.now(),
        notes=notes,
    )
    flight.full_clean()
    flight.save()
    audit_record(actor=actor, action="flight.plan", obj=flight, data={"camera": camera.pk, "purpose": flight.purpose})
    return flight


def flight_start(*, flight: Flight, at: datetime | None = None, actor: User | None = None) -> Flight:
    """The drone took off (at `at`, default now). Refused (FlightMovedOn) for a flight that already took
    off, while the drone is in another flight, or at a time another of its flights still covers."""
    at = at or timezone.now()
    with transaction.atomic():
        flight = Flight.objects.select_for_update().get(pk=flight.pk)
        if flight.started_at is not None:
            raise FlightMovedOn(str(_("The flight has already taken off.")))
        others = Flight.objects.filter(camera_id=flight.camera_id).exclude(pk=flight.pk)
        if others.filter(started_at__isnull=False, ended_at__isnull=True).exists():
            raise FlightMovedOn(str(_("This drone is already in flight.")))
        if others.filter(ended_at__gt=at).exists():
            # Periods never overlap, so that each track point belongs to one flight.
            raise FlightMovedOn(str(_("Another flight of this drone was still in the air then.")))
        flight.started_at = at
        try:
            with transaction.atomic():
                flight.save(update_fields=["started_at"])
        except IntegrityError:  # another flight of the drone took off meanwhile
            raise FlightMovedOn(str(_("This drone is already in flight."))) from None
        audit_record(actor=actor, action="flight.start", obj=flight, data={"at": at.isoformat()})
    return flight


def flight_end(*, flight: Flight, at: datetime | None = None, actor: User | None = None) -> Flight:
    """The drone landed (at `at`, default now). Points it sends later that are timed within the flight
    are still stored (a drone may upload what it buffered after landing)."""
    at = at or timezone.now()
    with transaction.atomic():
        flight = Flight.objects.select_for_update().get(pk=flight.pk)
        if flight.started_at is None:
            raise FlightMovedOn(str(_("The flight has not taken off.")))
        if flight.ended_at is not None:
            raise FlightMovedOn(str(_("The flight has already landed.")))
        if at < flight.started_at:
            raise FlightMovedOn(str(_("A flight lands after it took off.")))
        flight.ended_at = at
        flight.save(update_fields=["ended_at"])
        audit_record(
            actor=actor,
            action="flight.end",
            obj=flight,
            data={"at": at.isoformat(), "positions": FlightPosition.objects.filter(flight=flight).count()},
        )
    return flight


# --- the track ----------------------------------------------------------------------------------------------


def track_points_store(
    *, camera: Camera, points: list[TrackPoint], received_at: datetime | None = None
) -> TrackOutcome:
    """Store a batch of the drone's track in one transaction, each point in the flight whose flown period
    holds its time. Every point is checked before anything is written: a latitude or longitude out of
    range, or a time further ahead of our clock than DRONE_FUTURE_TOLERANCE_SECONDS, refuses the whole
    batch (TrackPointRefused, nothing stored)."""
    received_at = received_at or timezone.now()
    ahead = received_at + timedelta(seconds=settings.DRONE_FUTURE_TOLERANCE_SECONDS)
    for index, point in enumerate(points):
        if not _valid_coordinates(point.latitude, point.longitude):
            raise TrackPointRefused(
                str(_("Point %(index)s: the latitude or the longitude is out of range.") % {"index": index})
            )
        if point.at > ahead:
            raise TrackPointRefused(
                str(_("Point %(index)s: its time is ahead of the server's clock.") % {"index": index})
            )
    if not points:
        return TrackOutcome(stored=0, duplicate=0, outside=0)
    first, last = min(point.at for point in points), max(point.at for point in points)
    with transaction.atomic():
        # One batch of a drone at a time: what is already stored, and which point is the newest, are
        # then read after any other batch of it committed. No ordering: the camera's default one joins
        # its district, whose row would be locked too.
        list(Camera.objects.select_for_update().filter(pk=camera.pk).order_by().values_list("pk", flat=True))
        flights = list(
            Flight.objects.filter(camera=camera, started_at__lte=last)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=first))
            .order_by("started_at")
        )
        batch: dict[tuple[int, datetime], FlightPosition] = {}
        outside = 0
        for point in points:
            flight = _flight_at(flights, point.at)
            if flight is None:
                outside += 1
                continue
            batch.setdefault(
                (flight.pk, point.at),
                FlightPosition(
                    flight=flight,
                    at=point.at,
                    received_at=received_at,
                    latitude=point.latitude,
                    longitude=point.longitude,
                    altitude_m=point.altitude_m,
                    heading=point.heading,
                    speed_kmh=point.speed_kmh,
                    accuracy_m=point.accuracy_m,
                ),
            )
        stored_already = set(
            FlightPosition.objects.filter(
                flight__in=list({flight_pk for flight_pk, _at in batch}), at__in=list({at for _pk, at in batch})
            ).values_list("flight_id", "at")
        )
        new = [position for key, position in batch.items() if key not in stored_already]
        # Where select_for_update locks nothing (SQLite), a point a concurrent batch stored is skipped.
        FlightPosition.objects.bulk_create(new, ignore_conflicts=True)
        place = _newest_place(camera, {position.flight for position in new})
        Camera.objects.filter(pk=camera.pk).update(last_contact_at=received_at, **place)
        for name, value in place.items():
            setattr(camera, name, value)
    return TrackOutcome(stored=len(new), duplicate=len(points) - outside - len(new), outside=outside)


def _valid_coordinates(latitude: float, longitude: float) -> bool:
    return math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180


def _flight_at(flights: list[Flight], at: datetime) -> Flight | None:
    for flight in flights:
        assert flight.started_at is not None
        if flight.started_at <= at and (flight.ended_at is None or at <= flight.ended_at):
            return flight
    return None


def _newest_place(camera: Camera, flights: set[Flight]) -> dict[str, float]:
    """The camera's new place when the batch added points: the newest point of the latest of their
    flights, unless a later flight of the drone already has points (a late upload of an old flight)."""
    if not flights:
        return {}
    latest = max(flights, key=lambda flight: flight.started_at or flight.created_at)  # all have taken off
    later = FlightPosition.objects.filter(flight__camera=camera, flight__started_at__gt=latest.started_at)
    if later.exists():
        return {}
    newest = FlightPosition.objects.filter(flight=latest).order_by("-at").values("latitude", "longitude").first()
    if newest is None:
        return {}
    return {"latitude": newest["latitude"], "longitude": newest["longitude"]}


# --- where the drone was ------------------------------------------------------------------------------------


def drone_position_at(*, camera: Camera, at: datetime) -> DronePlace | None:
    """The drone's track at `at`: the nearest point within DRONE_POSITION_TOLERANCE_SECONDS, or the
    interpolation between the points either side of it when both are that close; None when the track
    has no point that close."""
    before, after = _neighbours(camera, at)
    return _position(before, after, at)


def drone_place_at(*, camera: Camera, at: datetime) -> DronePlace:
    """Where an event of the drone at `at` happened: its track at that moment (drone_position_at); else
    the newest point before it of the flight it fell in; else the camera's place (where the drone was
    last, after its last flight, or where it was registered)."""
    before, after = _neighbours(camera, at)
    position = _position(before, after, at)
    if position is not None:
        return position
    if before is not None:
        return DronePlace(before.latitude, before.longitude, before.altitude_m, before.at, PLACE_LAST_KNOWN)
    # Read again: a worker's camera was loaded long before, and the place follows the track.
    latitude, longitude = Camera.objects.filter(pk=camera.pk).values_list("latitude", "longitude").get()
    return DronePlace(latitude, longitude, None, None, PLACE_CAMERA)


def _neighbours(camera: Camera, at: datetime) -> tuple[FlightPosition | None, FlightPosition | None]:
    """The track points just before (or at) and just after `at`, within the flights around it."""
    tolerance = timedelta(seconds=settings.DRONE_POSITION_TOLERANCE_SECONDS)
    flights = list(
        Flight.objects.filter(camera=camera, started_at__lte=at + tolerance)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=at - tolerance))
        .values_list("pk", flat=True)
    )
    if not flights:
        return None, None
    points = FlightPosition.objects.filter(flight_id__in=flights)
    before = points.filter(at__lte=at).order_by("-at").first()
    after = points.filter(at__gt=at).order_by("at").first()
    return before, after


def _position(before: FlightPosition | None, after: FlightPosition | None, at: datetime) -> DronePlace | None:
    tolerance = timedelta(seconds=settings.DRONE_POSITION_TOLERANCE_SECONDS)
    near_before = before if before is not None and at - before.at <= tolerance else None
    near_after = after if after is not None and after.at - at <= tolerance else None
    if near_before is not None and near_before.at == at:
        return _place(near_before, PLACE_TRACK)
    if near_before is not None and near_after is not None and near_before.flight_id == near_after.flight_id:
        share = (at - near_before.at) / (near_after.at - near_before.at)
        return DronePlace(
            latitude=_between(near_before.latitude, near_after.latitude, share),
            longitude=_between(near_before.longitude, near_after.longitude, share),
            altitude_m=(
                _between(near_before.altitude_m, near_after.altitude_m, share)
                if near_before.altitude_m is not None and near_after.altitude_m is not None
                else None
            ),
            at=at,
            source=PLACE_INTERPOLATED,
        )
    nearest = min(
        (point for point in (near_before, near_after) if point is not None),
        key=lambda point: abs((point.at - at).total_seconds()),
        default=None,
    )
    return _place(nearest, PLACE_TRACK) if nearest is not None else None


def _between(start: float, end: float, share: float) -> float:
    # Linear in degrees: over the few seconds between two fixes the curvature of the Earth is nothing.
    return start + (end - start) * share


def _place(point: FlightPosition, source: str) -> DronePlace:
    return DronePlace(point.latitude, point.longitude, point.altitude_m, point.at, source)
