"""Who has a live socket open: written by the consumer as sockets open, recheck and close, read by the
wallboard (opscenter.supervision). A socket of a process that died is never closed: its row stops being
touched and stops counting after LIVE_PRESENCE_SECONDS, and the next socket to open sweeps it away."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from opscenter.models import LivePresence, User


def presence_connect(*, user: User, channel_name: str) -> None:
    now = timezone.now()
    LivePresence.objects.filter(seen_at__lt=now - timedelta(seconds=settings.LIVE_PRESENCE_SECONDS)).delete()
    LivePresence.objects.update_or_create(
        channel_name=channel_name, defaults={"user": user, "connected_at": now, "seen_at": now}
    )


def presence_touch(*, channel_name: str) -> None:
    LivePresence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def presence_disconnect(*, channel_name: str) -> None:
    LivePresence.objects.filter(channel_name=channel_name).delete()
