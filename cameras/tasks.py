"""Work of the cameras app: reading the plates of passing vehicles (the recognition queue, heavy), the
health of cameras that only push, and retention."""

import base64
from datetime import datetime

from celery import shared_task

from cameras.models import Camera
from cameras.services.health import pushing_cameras_supervise
from cameras.services.plates import vehicle_plates_read
from cameras.services.retention import events_purge


@shared_task(ignore_result=True)
def supervise_pushing() -> int:
    return pushing_cameras_supervise()


@shared_task(ignore_result=True)
def purge_events() -> int:
    return events_purge()


@shared_task(ignore_result=True)
def read_plates(camera_pk: int, passed_at: str, crops: list[str], context: str = "") -> int | None:
    """One passing vehicle's crops (base64 JPEG) read and voted into one plate read; the read's id."""
    camera = Camera.objects.select_related("district").filter(pk=camera_pk).first()
    if camera is None:
        return None  # deleted meanwhile
    read = vehicle_plates_read(
        camera=camera,
        passed_at=datetime.fromisoformat(passed_at),
        crops=[base64.b64decode(crop) for crop in crops],
        context=base64.b64decode(context) if context else None,
    )
    return read.pk if read is not None else None
