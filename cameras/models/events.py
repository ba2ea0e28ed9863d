"""What the cameras saw: events with a start and an end, from our workers or pushed by the camera."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    CROWD = "crowd", _("Mass gathering")
    DUMPING = "dumping", _("Illegal dumping or left object")
    LANE_STOP = "lane_stop", _("Vehicle stopped in a lane")
    CAMERA_DOWN = "camera_down", _("Camera down")
    MOTION = "motion", _("Motion")
    LINE_CROSSING = "line_crossing", _("Line crossing")
    INTRUSION = "intrusion", _("Intrusion into a zone")
    ANPR = "anpr", _("Plate read by the camera")
    TAMPER = "tamper", _("Tampering")
    VIDEO_LOSS = "video_loss", _("Video loss")
    OTHER = "other", _("Other camera event")


class EventOrigin(models.TextChoices):
    WORKER = "worker", _("Our video analytics")
    ISAPI = "isapi", _("Pushed by the camera (ISAPI)")
    ONVIF = "onvif", _("ONVIF event")


class CameraEvent(models.Model):
    """One thing a camera saw, from its start to its end, with the pictures that prove it.

    One event per occurrence, never one per frame: a worker opens it, updates its count and best
    snapshot while it lasts, and closes it. Pushed events are deduplicated on the camera's own `uuid`
    (re-uploads carry the same one). `camera_time` is what the camera said, `received_at` our clock.
    `place_*` is where it happened (a drone's position at that moment, else the camera's place).
    Purged after the camera's retention unless `case_number` links it to a case; crowd events hold
    counts and density only, never an identity or a face.
    """

    camera = models.ForeignKey(
        "cameras.Camera", verbose_name=_("camera"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    origin = models.CharField(_("origin"), max_length=8, choices=EventOrigin.choices)
    zone = models.CharField(_("zone"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    camera_time = models.DateTimeField(_("camera's time"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    score = models.FloatField(
        _("score"), null=True, blank=True, help_text=_("People counted, seconds stopped, confidence.")
    )
    box = models.JSONField(_("box"), default=list, blank=True, help_text=_("[x, y, w, h] normalised to 0..1."))
    data = models.JSONField(_("data"), default=dict, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    uuid = models.CharField(_("camera's event id"), max_length=100, blank=True)
    alert = models.ForeignKey(
        "opscenter.Alert", verbose_name=_("alert"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case_number = models.CharField(
        _("case number"), max_length=64, blank=True, help_text=_("Kept past retention while set.")
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("camera event")
        verbose_name_plural = _("camera events")
        constraints = [
            models.UniqueConstraint(fields=["camera", "uuid"], condition=~Q(uuid=""), name="camera_event_uuid_once"),
        ]
        indexes = [
            models.Index(fields=["camera", "kind", "ended_at"], name="camera_event_open"),
            models.Index(fields=["camera", "-started_at"], name="camera_event_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.camera_id} · {self.started_at:%Y-%m-%d %H:%M:%S}"


class PictureKind(models.TextChoices):
    BEST = "best", _("Best snapshot")
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    PLATE = "plate", _("Plate")
    VEHICLE = "vehicle", _("Vehicle")
    OTHER = "other", _("Other")


class EventPicture(models.Model):
    """A JPEG of an event: the best snapshot with its box drawn, before and after, a plate crop."""

    event = models.ForeignKey(CameraEvent, on_delete=models.CASCADE, related_name="pictures")
    kind = models.CharField(_("kind"), max_length=8, choices=PictureKind.choices)
    file = models.FileField(_("file"), upload_to="cameras/events/%Y/%m/%d/")
    taken_at = models.DateTimeField(_("taken at"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["event", "kind", "pk"]
        verbose_name = _("event picture")
        verbose_name_plural = _("event pictures")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind"], condition=~Q(kind="other"), name="event_picture_kind_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.event_id}"
