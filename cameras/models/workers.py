from django.db import models
from django.utils.translation import gettext_lazy as _


class VideoWorkerPresence(models.Model):
    """A `run_video_analytics` process that is alive: it writes `seen_at` with each heartbeat, so that the
    workers know how many they are and share the cameras evenly (cameras.services.leases)."""

    name = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last heartbeat"), db_index=True)
    capacity = models.PositiveIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("video worker")
        verbose_name_plural = _("video workers")

    def __str__(self) -> str:
        return self.name
