"""Retention: a camera's events and their pictures are kept for the camera's `retention_days` after they
end, unless a case number links them to a case; then the purge deletes them, their picture files with
them, and redacts the alerts they raised (the pictures in their payload lead nowhere any more; the
alert's lifecycle stays). A latest frame older than the retention goes too (a camera long dead keeps no
picture of the street), and so do the track points of a drone's flights that landed longer ago (the
flight itself, who flew it and why, stays on record). Open events and flights stay until they end.
Plate reads that matched no hotlist go after PLATE_READ_RETENTION_DAYS unless linked to a case; the
tuning gallery of unread plates keeps its last PLATE_TUNING_KEEP of PLATE_TUNING_DAYS."""

import functools
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from cameras.models import Camera, CameraEvent, EventPicture, FlightPosition, PlateRead, UnreadPlate
from opscenter.services.audit import audit_record
from opscenter.services.retention import alerts_redact

BATCH = 500


def events_purge(*, now: datetime | None = None) -> int:
    """Delete expired events in batches (a task may run this again at any time). Returns how many."""
    now = now or timezone.now()
    deleted = redacted = pictures = 0
    periods = list(Camera.objects.values_list("retention_days", flat=True).distinct().order_by())
    for days in periods:
        cutoff = now - timedelta(days=days)
        expired = CameraEvent.objects.filter(
            camera__retention_days=days, case_number="", ended_at__isnull=False, ended_at__lt=cutoff
        )
        while pks := list(expired.values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                batch = CameraEvent.objects.filter(pk__in=pks)
                alert_pks = set(batch.filter(alert__isnull=False).values_list("alert_id", flat=True))
                files = list(EventPicture.objects.filter(event__in=pks).values_list("file", flat=True))
                redacted += alerts_redact(alert_pks=alert_pks, actor_label="retention", now=now)
                deleted += batch.delete()[1].get(CameraEvent._meta.label, 0)
                pictures += len(files)
                transaction.on_commit(functools.partial(_delete_files, files))
    frames = _latest_frames_purge(now, periods)
    points = _track_points_purge(now, periods)
    plates = _plate_reads_purge(now)
    unread = _unread_plates_purge(now)
    if deleted or frames or points or plates or unread:
        audit_record(
            actor=None,
            actor_label="retention",
            action="cameras.events.purge",
            data={
                "events": deleted,
                "pictures": pictures,
                "latest_frames": frames,
                "alerts_redacted": redacted,
                "track_points": points,
                "plate_reads": plates,
                "unread_plates": unread,
            },
        )
    return deleted


def _latest_frames_purge(now: datetime, periods: list[int]) -> int:
    purged = 0
    for days in periods:
        stale = Camera.objects.filter(retention_days=days, latest_frame_at__lt=now - timedelta(days=days))
        for pk, name in stale.exclude(latest_frame="").values_list("pk", "latest_frame"):
            # Only if no newer frame was stored meanwhile (a camera coming back writes the same file).
            if Camera.objects.filter(pk=pk, latest_frame_at__lt=now - timedelta(days=days)).update(
                latest_frame="", latest_frame_at=None
            ):
                _delete_files([name])
                purged += 1
    return purged


def _plate_reads_purge(now: datetime) -> int:
    """Reads that matched no hotlist and no case, past PLATE_READ_RETENTION_DAYS, with their pictures."""
    expired = PlateRead.objects.filter(
        # Our clock, not the camera's: a camera set years ahead keeps nothing longer.
        matched=False,
        case_number="",
        received_at__lt=now - timedelta(days=settings.PLATE_READ_RETENTION_DAYS),
    )
    purged = 0
    while rows := list(expired.values_list("pk", "crop", "context")[:BATCH]):
        with transaction.atomic():
            purged += PlateRead.objects.filter(pk__in=[row[0] for row in rows]).delete()[0]
            files = [name for row in rows for name in row[1:]]
            transaction.on_commit(functools.partial(_delete_files, files))
    return purged


def _unread_plates_purge(now: datetime) -> int:
    """The tuning gallery keeps PLATE_TUNING_DAYS and at most PLATE_TUNING_KEEP samples."""
    old = UnreadPlate.objects.filter(seen_at__lt=now - timedelta(days=settings.PLATE_TUNING_DAYS))
    keep = list(
        UnreadPlate.objects.order_by("-seen_at", "-pk").values_list("pk", flat=True)[: settings.PLATE_TUNING_KEEP]
    )
    surplus = UnreadPlate.objects.exclude(pk__in=keep)
    rows = list((old | surplus).values_list("pk", "crop"))
    if not rows:
        return 0
    with transaction.atomic():
        UnreadPlate.objects.filter(pk__in=[row[0] for row in rows]).delete()
        transaction.on_commit(functools.partial(_delete_files, [row[1] for row in rows]))
    return len(rows)


def _track_points_purge(now: datetime, periods: list[int]) -> int:
    purged = 0
    for days in periods:
        landed = FlightPosition.objects.filter(
            flight__camera__retention_days=days, flight__ended_at__lt=now - timedelta(days=days)
        )
        while pks := list(landed.values_list("pk", flat=True)[: BATCH * 10]):
            purged += FlightPosition.objects.filter(pk__in=pks).delete()[0]
    return purged


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
