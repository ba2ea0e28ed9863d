"""The supervisors' side of a shift: who has a console open now, and the shift log's handover notes."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class LivePresence(models.Model):
    """One open live socket (a console or a wallboard) of a person: written when it connects, touched at
    each of its rechecks (LIVE_RECHECK_SECONDS), deleted when it closes. A row whose process died stops
    being touched and counts no longer once LIVE_PRESENCE_SECONDS have passed (and is swept away then)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_presences")
    channel_name = models.CharField(_("channel"), max_length=200, unique=True)
    connected_at = models.DateTimeField(_("connected at"))
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("live presence")
        verbose_name_plural = _("live presences")

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel_name}"


class ShiftNote(models.Model):
    """A handover note of the shift log: what the outgoing shift of a center leaves to the incoming one.
    Append-only like the audit (triggers refuse UPDATE and DELETE): a correction is a new note."""

    center = models.ForeignKey(
        "opscenter.OperationsCenter", verbose_name=_("center"), on_delete=models.PROTECT, related_name="shift_notes"
    )
    shift_started_at = models.DateTimeField(_("shift started at"))
    shift_ended_at = models.DateTimeField(_("shift ended at"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"))
    written_at = models.DateTimeField(_("written at"), db_index=True)

    class Meta:
        ordering = ["-written_at", "-pk"]
        verbose_name = _("handover note")
        verbose_name_plural = _("shift log")
        constraints = [
            models.CheckConstraint(
                condition=Q(shift_ended_at__gt=F("shift_started_at")), name="shift_note_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.shift_started_at:%Y-%m-%d %H:%M}–{self.shift_ended_at:%H:%M}"


class ShiftNoteAcknowledgement(models.Model):
    """The incoming shift's "read and understood" of a handover note, once per person; append-only too."""

    note = models.ForeignKey(ShiftNote, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("handover acknowledgement")
        verbose_name_plural = _("handover acknowledgements")
        constraints = [models.UniqueConstraint(fields=["note", "user"], name="shift_note_acknowledged_once")]

    def __str__(self) -> str:
        return f"{self.note_id} {self.user_id}"
