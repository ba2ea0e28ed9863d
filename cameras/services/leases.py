"""Which worker analyses which camera: leases in the database, so that `run_video_analytics` runs on
many hosts. A worker claims free cameras with `SELECT ... FOR UPDATE SKIP LOCKED` (two workers never
claim the same one, and neither waits for the other), renews its leases by heartbeat, and a camera
whose lease ran out (its worker died) is free for the next claim. A camera is a worker's to analyse
when it has a detect stream, or ONVIF events to pull, or both (one lease for both).

The workers share the cameras evenly: each heartbeat says the worker is alive (`worker_present`), and a
worker holds no more than its fair share, the workable cameras divided by the workers alive (within its
capacity), letting the surplus go for the others to claim. A worker that starts beside busy ones gets
its share within a heartbeat or two; one that dies leaves its share to the others after the lease time."""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q

from cameras.models import Camera, PushProtocol, VideoWorkerPresence

# What a worker can do with a camera: read its detect stream, pull its ONVIF events.
WORKABLE = ~Q(detect_stream="") | (Q(push_protocol=PushProtocol.ONVIF) & ~Q(onvif_host=""))


def leases_claim(*, owner: str, limit: int, now: datetime, held: Iterable[int] = ()) -> list[Camera]:
    """Up to `limit` free cameras (enabled, with a detect stream or ONVIF events, never leased, let go,
    or their lease run out; or left leased to `owner` by an earlier run of it) now leased to `owner`;
    `held` are the ones it runs already. Never leased and let-go cameras come first, on every database."""
    if limit <= 0:
        return []
    until = now + timedelta(seconds=settings.VIDEO_LEASE_SECONDS)
    with transaction.atomic():
        free = list(
            Camera.objects.select_for_update(skip_locked=True)
            .filter(WORKABLE, enabled=True)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=owner))
            .exclude(pk__in=list(held))
            .order_by(F("lease_until").asc(nulls_first=True), "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Camera.objects.filter(pk__in=free).update(lease_owner=owner, lease_until=until)
    return list(Camera.objects.select_related("district", "profile", "night_profile").filter(pk__in=free))


def leases_renew(*, owner: str, camera_pks: list[int], now: datetime) -> set[int]:
    """Extend the leases `owner` still holds; answers which those are (a lease taken over while this
    worker stalled is lost, and its camera must be let go)."""
    until = now + timedelta(seconds=settings.VIDEO_LEASE_SECONDS)
    held = Camera.objects.filter(pk__in=camera_pks, lease_owner=owner, enabled=True)
    with transaction.atomic():
        pks = set(held.values_list("pk", flat=True))
        Camera.objects.filter(pk__in=pks, lease_owner=owner).update(lease_until=until)
    return pks


def leases_release(*, owner: str, camera_pks: list[int]) -> None:
    """Let cameras go at once (an orderly stop), so that another worker need not wait for the lease."""
    Camera.objects.filter(pk__in=camera_pks, lease_owner=owner).update(lease_owner="", lease_until=None)


def worker_present(*, owner: str, capacity: int, now: datetime) -> tuple[int, bool]:
    """Record that `owner` is alive; answers its fair share of the workable cameras now, and whether
    another worker alive holds less than its own share and has room (only then is a surplus let go:
    a worker of small capacity beside a large one leaves no camera unanalysed)."""
    VideoWorkerPresence.objects.update_or_create(name=owner, defaults={"seen_at": now, "capacity": capacity})
    alive = list(
        VideoWorkerPresence.objects.filter(
            seen_at__gte=now - timedelta(seconds=settings.VIDEO_LEASE_SECONDS)
        ).values_list("name", "capacity")
    )
    workable = Camera.objects.filter(WORKABLE, enabled=True).count()
    fair = math.ceil(workable / max(1, len(alive)))
    holding = dict(
        Camera.objects.filter(lease_until__gte=now)
        .exclude(lease_owner="")
        .values_list("lease_owner")
        .annotate(count=Count("pk"))
        .order_by()
    )
    wanting = any(name != owner and holding.get(name, 0) < min(fair, room) for name, room in alive)
    return min(capacity, fair), wanting


def worker_gone(*, owner: str) -> None:
    """An orderly stop: the others need not wait for the lease time to count one worker fewer."""
    VideoWorkerPresence.objects.filter(name=owner).delete()
