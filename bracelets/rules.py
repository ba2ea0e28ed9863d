"""A person's zones, windows, absences and orders, compiled once for evaluation and kept in memory
until the person's `rules_token` changes (every service that edits them replaces it)."""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

from bracelets.geometry import circle_signed_distance_m, polygon_signed_distance_m
from bracelets.models import (
    AbsenceKind,
    ApprovedAbsence,
    CourtOrder,
    Zone,
    ZoneKind,
    ZoneSchedule,
    ZoneShape,
    zone_name_shown,
)
from bracelets.schedules import WeeklyWindow, local, parse_weekdays


@dataclass(frozen=True)
class CompiledZone:
    pk: int
    kind: str
    name: str
    shape: str
    latitude: float | None
    longitude: float | None
    radius_m: float | None
    ring: tuple[tuple[float, float], ...]
    always: bool
    windows: tuple[WeeklyWindow, ...]

    def applies(self, moment: datetime) -> bool:
        return self.always or any(window.contains(moment) for window in self.windows)

    def signed_distance_m(self, latitude: float, longitude: float) -> float:
        """Negative inside, positive outside, in metres from the edge."""
        if self.shape == ZoneShape.POLYGON:
            return polygon_signed_distance_m(latitude, longitude, self.ring)
        if self.latitude is None or self.longitude is None or self.radius_m is None:
            raise ValueError(f"Zone {self.pk} is a circle without its centre or radius.")
        return circle_signed_distance_m(latitude, longitude, self.latitude, self.longitude, self.radius_m)

    def as_geometry(self) -> dict:
        """For maps: what Leaflet draws, named in the reader's language (the home zone's name)."""
        name = zone_name_shown(self.name)
        if self.shape == ZoneShape.POLYGON:
            return {"id": self.pk, "kind": self.kind, "name": name, "shape": "polygon",
                    "polygon": [list(vertex) for vertex in self.ring]}  # fmt: skip
        return {"id": self.pk, "kind": self.kind, "name": name, "shape": "circle",
                "center": [self.latitude, self.longitude], "radius_m": self.radius_m}  # fmt: skip


@dataclass(frozen=True)
class CompiledAbsence:
    starts_at: datetime | None
    ends_at: datetime | None
    window: WeeklyWindow | None
    valid_from: date | None
    valid_until: date | None

    def covers(self, moment: datetime) -> bool:
        if self.window is None:
            return self.starts_at is not None and self.ends_at is not None and self.starts_at <= moment < self.ends_at
        started = self.window.started_on(moment)
        if started is None:
            return False
        return (self.valid_from is None or started >= self.valid_from) and (
            self.valid_until is None or started <= self.valid_until
        )


@dataclass(frozen=True)
class Rules:
    token: object
    inclusion: tuple[CompiledZone, ...]
    exclusion: tuple[CompiledZone, ...]
    absences: tuple[CompiledAbsence, ...]
    orders: tuple[tuple[int, datetime, datetime], ...]  # (pk, starts_at, ends_at), newest first

    def inclusion_applying(self, moment: datetime) -> tuple[CompiledZone, ...]:
        """The inclusion zones the person must be in at `moment` (none during an approved absence)."""
        zones = tuple(zone for zone in self.inclusion if zone.applies(moment))
        if zones and any(absence.covers(moment) for absence in self.absences):
            return ()
        return zones

    def exclusion_applying(self, moment: datetime) -> tuple[CompiledZone, ...]:
        return tuple(zone for zone in self.exclusion if zone.applies(moment))

    def order_at(self, moment: datetime) -> int | None:
        """The order in force at `moment`, else the latest that started before it, else None."""
        for pk, starts_at, ends_at in self.orders:
            if starts_at <= moment < ends_at:
                return pk
        for pk, starts_at, _ends_at in self.orders:
            if starts_at <= moment:
                return pk
        return None

    def zone(self, pk: int) -> CompiledZone | None:
        return next((zone for zone in (*self.inclusion, *self.exclusion) if zone.pk == pk), None)


def compile_zone(zone: Zone) -> CompiledZone:
    windows = tuple(
        WeeklyWindow(parse_weekdays(window.weekdays), window.start_time, window.end_time)
        for window in zone.windows.all()
    )
    return CompiledZone(
        pk=zone.pk, kind=zone.kind, name=zone.name, shape=zone.shape, latitude=zone.latitude,
        longitude=zone.longitude, radius_m=zone.radius_m,
        ring=tuple((float(vertex[0]), float(vertex[1])) for vertex in zone.polygon or ()),
        always=zone.schedule == ZoneSchedule.ALWAYS, windows=windows,
    )  # fmt: skip


def compile_rules(person_pk: int, token: object) -> Rules:
    zones = [
        compile_zone(zone)
        for zone in Zone.objects.filter(person_id=person_pk, is_active=True).prefetch_related("windows")
    ]
    absences = []
    for absence in ApprovedAbsence.objects.filter(person_id=person_pk):
        window = None
        if absence.kind == AbsenceKind.WEEKLY:
            if absence.start_time is None or absence.end_time is None:
                continue  # a weekly absence without its hours excuses nothing (the form requires them)
            window = WeeklyWindow(parse_weekdays(absence.weekdays), absence.start_time, absence.end_time)
        absences.append(CompiledAbsence(absence.starts_at, absence.ends_at, window, absence.valid_from,
                                        absence.valid_until))  # fmt: skip
    orders = tuple(
        CourtOrder.objects.filter(person_id=person_pk).order_by("-starts_at").values_list("pk", "starts_at", "ends_at")
    )
    return Rules(
        token=token,
        inclusion=tuple(zone for zone in zones if zone.kind == ZoneKind.INCLUSION),
        exclusion=tuple(zone for zone in zones if zone.kind == ZoneKind.EXCLUSION),
        absences=tuple(absences),
        orders=orders,
    )


_CACHE_SIZE = 10_000
_cache: OrderedDict[int, Rules] = OrderedDict()
_lock = threading.Lock()


def rules_for(person_pk: int, token: object) -> Rules:
    """The person's compiled rules for `token` (read from their row in the same transaction)."""
    with _lock:
        rules = _cache.get(person_pk)
        if rules is not None and rules.token == token:
            _cache.move_to_end(person_pk)
            return rules
    rules = compile_rules(person_pk, token)
    with _lock:
        _cache[person_pk] = rules
        _cache.move_to_end(person_pk)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return rules


def local_date(moment: datetime) -> date:
    return local(moment).date()
