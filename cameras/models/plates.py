from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReadSource(models.TextChoices):
    WORKER = "worker", _("Our video analytics")
    CAMERA = "camera", _("The camera's own ANPR")
    SPEED_DEVICE = "speed", _("A speed-enforcement device")
    PATROL = "patrol", _("A patrol officer")


class PlateRead(models.Model):
    """One vehicle's plate, read once (a track's readings voted into one text, or a smart camera's read).

    `text` is normalised (Latin letters and digits, look-alikes fitted to its format); `raw_texts` keep
    every reading as it came, `confidences` the final text's per character. The crop and the context frame
    come from the very frame the text was read from. `matched` is set by what matched it against a
    hotlist (Қорғау, through the `plate_read` signal): a read that hit nothing is purged after
    PLATE_READ_RETENTION_DAYS unless `case_number` links it to a case."""

    camera = models.ForeignKey(
        "cameras.Camera", verbose_name=_("camera"), on_delete=models.CASCADE, related_name="plate_reads"
    )
    event = models.OneToOneField(
        "cameras.CameraEvent",
        verbose_name=_("camera event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plate_read",
    )
    source = models.CharField(_("source"), max_length=8, choices=ReadSource.choices)
    read_at = models.DateTimeField(_("read at"), db_index=True)
    received_at = models.DateTimeField(_("received at"))
    text = models.CharField(_("plate"), max_length=16, db_index=True)
    display = models.CharField(_("as written"), max_length=24, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region"), max_length=4, blank=True)
    format_kind = models.CharField(_("format"), max_length=24, blank=True)
    confidence = models.FloatField(_("confidence"), help_text=_("Of its least sure character, 0..1."))
    confidences = models.JSONField(_("per-character confidence"), default=list, blank=True)
    raw_texts = models.JSONField(_("readings as read"), default=list, blank=True)
    direction = models.CharField(_("direction"), max_length=16, blank=True)
    vehicle = models.JSONField(_("vehicle"), default=dict, blank=True, help_text=_("Type and colour, when known."))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    crop = models.FileField(_("plate crop"), upload_to="cameras/plates/%Y/%m/%d/", blank=True)
    context = models.FileField(_("context frame"), upload_to="cameras/plates/%Y/%m/%d/", blank=True)
    matched = models.BooleanField(_("matched a hotlist"), default=False)
    case_number = models.CharField(
        _("case number"), max_length=64, blank=True, help_text=_("Kept past retention while set.")
    )

    class Meta:
        ordering = ["-read_at", "-pk"]
        verbose_name = _("plate read")
        verbose_name_plural = _("plate reads")
        indexes = [
            models.Index(fields=["camera", "read_at"], name="plate_read_camera"),
            models.Index(
                fields=["read_at"], condition=Q(matched=False, case_number=""), name="plate_read_retention_due"
            ),
        ]

    def __str__(self) -> str:
        # No plate: titles, breadcrumbs and logs are no place for one (it is shown through the search).
        return f"#{self.pk} · {self.read_at:%Y-%m-%d %H:%M:%S}"


class UnreadPlate(models.Model):
    """A plate that could not be read, or only with low confidence: kept a short while
    (PLATE_TUNING_DAYS, the last PLATE_TUNING_KEEP) for tuning the reading, then purged."""

    camera = models.ForeignKey("cameras.Camera", verbose_name=_("camera"), on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(_("seen at"), db_index=True)
    best_text = models.CharField(_("best reading"), max_length=32, blank=True)
    confidence = models.FloatField(_("confidence"), default=0.0)
    raw_texts = models.JSONField(_("readings as read"), default=list, blank=True)
    reason = models.CharField(_("why"), max_length=100)
    crop = models.FileField(_("plate crop"), upload_to="cameras/unread/%Y/%m/%d/", blank=True)

    class Meta:
        ordering = ["-seen_at", "-pk"]
        verbose_name = _("unread plate")
        verbose_name_plural = _("unread plates")

    def __str__(self) -> str:
        return f"{self.best_text or '?'} · {self.seen_at:%Y-%m-%d %H:%M:%S}"
