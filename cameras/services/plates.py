"""Every write of plate reads: one read per vehicle from every source, announced after commit through
`cameras.signals.plate_read`; the unreadable and the unsure kept apart for tuning; an analyst's search,
which needs a reason and is audited.

A read is a read when its text fits a plate format and its least sure character reaches
PLATE_MIN_CONFIDENCE; otherwise it goes to the tuning gallery (UnreadPlate) and nowhere else."""

import base64
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import cv2
import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cameras.models import Camera, CameraEvent, PlateRead, ReadSource, UnreadPlate
from cameras.plates.formats import normalise
from cameras.plates.voting import Reading, Voted, vote
from cameras.selectors import cameras_visible
from cameras.signals import plate_read
from opscenter.errors import DomainError, ReasonRequired
from opscenter.models import User
from opscenter.permissions import Capability, require
from opscenter.services.audit import audit_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlateEvidence:
    """What a read came with: the plate crop and the context frame (JPEG), from the frame it was read in."""

    crop: bytes | None = None
    context: bytes | None = None
    vehicle: dict = field(default_factory=dict)
    direction: str = ""


def plate_read_record(
    *,
    camera: Camera,
    source: str,
    read_at: datetime,
    voted: Voted,
    evidence: PlateEvidence,
    event: CameraEvent | None = None,
    position: tuple[float, float] | None = None,
) -> PlateRead | UnreadPlate:
    """Store one vehicle's read (or, unreadable or unsure, its tuning sample) and announce a read after
    commit."""
    now = timezone.now()
    if voted.format is None or voted.confidence < settings.PLATE_MIN_CONFIDENCE:
        reason = "no format fits" if voted.format is None else "low confidence"
        return _unread(camera=camera, seen_at=read_at, voted=voted, reason=reason, crop=evidence.crop)
    latitude, longitude = position if position is not None else (camera.latitude, camera.longitude)
    with transaction.atomic():
        read = PlateRead(
            camera=camera,
            event=event,
            source=source,
            read_at=read_at,
            received_at=now,
            text=voted.text,
            display=voted.format.written(voted.text),
            country=voted.country,
            region=voted.region,
            format_kind=voted.format.kind,
            confidence=round(voted.confidence, 4),
            confidences=list(voted.confidences),
            raw_texts=list(voted.raw_texts),
            direction=evidence.direction,
            vehicle=evidence.vehicle,
            latitude=latitude,
            longitude=longitude,
        )
        stem = f"{camera.pk}-{read_at:%H%M%S}"  # no plate in a file name
        if evidence.crop:
            read.crop.save(f"{stem}-plate-{_digest(evidence.crop)}.jpg", ContentFile(evidence.crop), save=False)
        if evidence.context:
            read.context.save(
                f"{stem}-context-{_digest(evidence.context)}.jpg", ContentFile(evidence.context), save=False
            )
        read.save()
        transaction.on_commit(lambda: _announce(read))
    return read


def _announce(read: PlateRead) -> None:
    """Tell the listeners; one that fails is logged, and neither the read nor the other listeners suffer."""
    for receiver, result in plate_read.send_robust(sender=PlateRead, read=read):
        if isinstance(result, Exception):
            logger.error("plate_read listener %r failed on read %s", receiver, read.pk, exc_info=result)


def plate_read_matched(*, read: PlateRead) -> None:
    """A listener matched the read against a hotlist: it stays past the reads' retention."""
    PlateRead.objects.filter(pk=read.pk).update(matched=True)
    read.matched = True


def camera_plate_voted(*, text: str, confidence: float | None, char_confidences: tuple[int, ...] = ()) -> Voted:
    """A smart camera's own read as a vote of one (its per-character beliefs when it sent them)."""
    overall = (confidence if confidence is not None else 0.0) / 100.0
    per_char = [c / 100.0 for c in char_confidences] if char_confidences else overall
    voted = vote([Reading.of(text, per_char)])
    if voted is None:
        return Voted(text="", confidences=(), format=None, corrections=0, raw_texts=(text,), best_frame=0)
    return voted


class PatternRefused(DomainError):
    code = "plate_pattern_refused"
    status_code = 400
    default_detail = _("A plate pattern needs at least three letters or digits besides its wildcards.")


def plate_reads_search(
    *, actor: User, pattern: str, reason: str, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[PlateRead]:
    """The reads of the actor's scope whose plate matches `pattern` (`*` any run, `?` one character;
    Cyrillic look-alikes read as Latin), newest first. A search over vehicles needs a reason and is
    audited with it, whatever it finds (ReasonRequired when there is none)."""
    require(actor, Capability.PLATE_SEARCH)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    wanted = "".join(ch if ch in "*?" else normalise(ch) for ch in pattern.strip())
    if len(wanted.replace("*", "").replace("?", "")) < 3:
        raise PatternRefused()
    reads = PlateRead.objects.filter(camera__in=cameras_visible(user=actor))
    if "*" in wanted or "?" in wanted:
        regex = "^" + "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in wanted) + "$"
        reads = reads.filter(text__regex=regex)
    else:
        reads = reads.filter(text=wanted)  # the index, not a scan
    if since is not None:
        reads = reads.filter(read_at__gte=since)
    if until is not None:
        reads = reads.filter(read_at__lt=until)
    audit_record(
        actor=actor,
        action="plates.search",
        reason=reason,
        data={
            "pattern": wanted,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        },
    )
    return reads.select_related("camera").order_by("-read_at", "-pk")


def _unread(*, camera: Camera, seen_at: datetime, voted: Voted, reason: str, crop: bytes | None) -> UnreadPlate:
    sample = UnreadPlate(
        camera=camera,
        seen_at=seen_at,
        best_text=voted.text[:32],
        confidence=round(voted.confidence, 4),
        raw_texts=list(voted.raw_texts),
        reason=reason,
    )
    if crop:
        sample.crop.save(f"{camera.pk}-{seen_at:%H%M%S}-{_digest(crop)}.jpg", ContentFile(crop), save=False)
    sample.save()
    return sample


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def vehicle_passed(*, camera: Camera, finding) -> None:
    """A worker's passing vehicle (cameras.video.analyser's "vehicle" finding): its crops to the
    recognition queue, after whatever the worker's transaction holds."""
    from cameras.tasks import read_plates

    passed_at = datetime.fromtimestamp(finding.t, UTC)
    crops = [base64.b64encode(crop).decode("ascii") for crop in finding.crops]
    context = base64.b64encode(finding.pictures.get("context", b"")).decode("ascii")
    read_plates.delay(camera.pk, passed_at.isoformat(), crops, context)


def vehicle_plates_read(
    *, camera: Camera, passed_at: datetime, crops: list[bytes], context: bytes | None
) -> PlateRead | UnreadPlate | None:
    """Read each crop of one vehicle, vote the readings into one read and record it (the crop of the
    frame the final text agrees with best is its evidence). None when no crop showed a plate."""
    from cameras.plates.ocr import reader

    plate_reader = reader()
    readings, plates = [], {}
    for index, data in enumerate(crops):
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            continue
        for found in plate_reader.read_vehicle(image)[:1]:
            readings.append(Reading.of(found.text, found.confidences, frame=index))
            plates[index] = found.crop
    voted = vote(readings)
    if voted is None:
        return None
    # The task is acknowledged after it ran: redelivered after a crash, it finds its read already there.
    done = PlateRead.objects.filter(camera=camera, source=ReadSource.WORKER, read_at=passed_at, text=voted.text).first()
    if done is not None:
        return done
    crop = plates.get(voted.best_frame)
    evidence = PlateEvidence(
        crop=cv2.imencode(".jpg", crop)[1].tobytes() if crop is not None else None, context=context
    )
    return plate_read_record(camera=camera, source=ReadSource.WORKER, read_at=passed_at, voted=voted, evidence=evidence)
