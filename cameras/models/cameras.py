"""Cameras and the analytics profiles they run."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cameras.zones import perspective_validator, zones_validator
from opscenter.networks import networks_validator


def retention_days_default() -> int:
    return settings.CAMERA_RETENTION_DAYS


def down_grace_default() -> int:
    return settings.CAMERA_DOWN_GRACE_SECONDS


class CameraKind(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    PTZ = "ptz", _("PTZ")
    ANPR = "anpr", _("ANPR")
    BADGE = "badge", _("Body-worn smart badge")
    DRONE = "drone", _("Drone")


class PushProtocol(models.TextChoices):
    NONE = "", _("None (analysed by our workers only)")
    ISAPI = "isapi", _("Hikvision ISAPI HTTP push")
    ONVIF = "onvif", _("ONVIF PullPoint events")


class AnalyticsProfile(models.Model):
    """How a camera's frames are analysed: the motion gate (Frigate's defaults) and which detectors run
    with which thresholds. Many cameras share one; a camera may name another for the night."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    analysis_fps = models.FloatField(
        _("frames analysed per second"), default=5.0, validators=[MinValueValidator(0.2), MaxValueValidator(30)]
    )
    motion_frame_height = models.PositiveSmallIntegerField(_("motion frame height (px)"), default=100)
    motion_threshold = models.PositiveSmallIntegerField(
        _("motion threshold"), default=30, help_text=_("Grey-level difference from the average that counts as change.")
    )
    motion_contour_area = models.PositiveIntegerField(_("minimum moving area (px of the motion frame)"), default=10)
    motion_frame_alpha = models.FloatField(_("background learning rate"), default=0.01)
    lightning_threshold = models.FloatField(
        _("recalibrate above"),
        default=0.8,
        help_text=_(
            "Share of the image that changed at once (lightning, headlights, IR switching): only recalibrates."
        ),
    )
    crowd_detection = models.BooleanField(_("count people in crowd zones"), default=False)
    crowd_min_people = models.PositiveSmallIntegerField(_("gathering: at least this many people"), default=15)
    crowd_seconds = models.PositiveIntegerField(_("gathering: staying for (s)"), default=60)
    dumping_detection = models.BooleanField(_("left objects in dumping zones"), default=False)
    dumping_seconds = models.PositiveIntegerField(_("left object: staying for (s)"), default=60)
    lane_incidents = models.BooleanField(_("vehicles stopped in lanes"), default=False)
    lane_stop_seconds = models.PositiveIntegerField(_("stopped vehicle: for (s)"), default=30)
    plate_reading = models.BooleanField(
        _("read plates of passing vehicles"),
        default=False,
        help_text=_("Crops of each passing vehicle go to the recognition queue to have its plate read."),
    )
    static_min_area = models.FloatField(
        _("smallest left object (share of the image)"), default=0.002, validators=[MinValueValidator(0.0)]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("analytics profile")
        verbose_name_plural = _("analytics profiles")

    def __str__(self) -> str:
        return self.name


class Camera(models.Model):
    """One camera (fixed, PTZ, ANPR, a smart badge, a drone) and what is known of its health.

    The detect stream (the low-resolution substream) is what the analytics workers read; the main stream
    is for evidence crops. Zones and masks are polygons in image coordinates normalised to 0..1, so they
    hold at any resolution (cameras.zones). `watches` is what it watches (a school, a post) by content
    type, so that the alarm raised there shows these cameras without the two apps importing each other.
    A camera that pushes its own events (ISAPI) is authenticated by its device credential (the token in
    its push URL) and its allowed source networks; one whose events are pulled (ONVIF) is reached at
    `onvif_host` with its ONVIF user. The worker holding it renews `lease_until`.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=CameraKind.choices, default=CameraKind.FIXED)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    district = models.ForeignKey("opscenter.District", verbose_name=_("district"), on_delete=models.PROTECT)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    heading = models.PositiveSmallIntegerField(
        _("heading (degrees)"), null=True, blank=True, validators=[MaxValueValidator(359)]
    )
    detect_stream = models.CharField(
        _("detect stream"),
        max_length=500,
        blank=True,
        help_text=_("RTSP, HTTP MJPEG or a file: the low-resolution substream."),
    )
    main_stream = models.CharField(_("main stream"), max_length=500, blank=True)
    enabled = models.BooleanField(_("analysed"), default=True, help_text=_("Workers read its detect stream."))
    profile = models.ForeignKey(
        AnalyticsProfile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="cameras"
    )
    night_profile = models.ForeignKey(
        AnalyticsProfile,
        verbose_name=_("night profile"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="night_cameras",
        help_text=_("Used when the image turns grey (IR) or after sunset in Asia/Oral."),
    )
    zones = models.JSONField(_("zones and masks"), default=list, blank=True, validators=[zones_validator])
    perspective = models.JSONField(
        _("perspective"),
        default=dict,
        blank=True,
        validators=[perspective_validator],
        help_text=_(
            'A standing person\'s height as a share of the image at its top and bottom rows: {"top": 0.08, "bottom": 0.4}.'
        ),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("retention (days)"), default=retention_days_default, validators=[MinValueValidator(1)]
    )
    down_grace_seconds = models.PositiveIntegerField(_("down after (s)"), default=down_grace_default)
    watches_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("watches (type)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    watches_id = models.PositiveBigIntegerField(_("watches (id)"), null=True, blank=True)
    watches = GenericForeignKey("watches_type", "watches_id")

    push_protocol = models.CharField(
        _("pushes events by"), max_length=8, choices=PushProtocol.choices, blank=True, default=PushProtocol.NONE
    )
    credential = models.ForeignKey(
        "opscenter.DeviceCredential",
        verbose_name=_("device credential"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    push_channel = models.PositiveSmallIntegerField(
        _("channel on its recorder"),
        null=True,
        blank=True,
        help_text=_("For cameras behind an NVR that pushes for them."),
    )
    source_networks = models.TextField(
        _("source networks"),
        blank=True,
        validators=[networks_validator],
        help_text=_("Addresses or networks (CIDR) it pushes from, one per line. Empty: any address."),
    )
    onvif_host = models.CharField(_("ONVIF host"), max_length=200, blank=True)
    onvif_port = models.PositiveIntegerField(_("ONVIF port"), default=80)
    onvif_username = models.CharField(_("ONVIF user"), max_length=100, blank=True)
    onvif_password = models.CharField(_("ONVIF password"), max_length=200, blank=True)

    stream_up = models.BooleanField(_("stream up"), null=True, blank=True)
    stream_changed_at = models.DateTimeField(_("stream up or down since"), null=True, blank=True)
    last_frame_at = models.DateTimeField(_("last frame at"), null=True, blank=True)
    last_contact_at = models.DateTimeField(
        _("last pushed"), null=True, blank=True, help_text=_("Its last event or heartbeat, for a camera that pushes.")
    )
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    latest_frame = models.FileField(_("latest frame"), upload_to="cameras/latest/", blank=True)
    latest_frame_at = models.DateTimeField(_("latest frame taken at"), null=True, blank=True)
    lease_owner = models.CharField(_("analysed by"), max_length=100, blank=True, editable=False)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["district__code", "name"]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        indexes = [
            models.Index(fields=["watches_type", "watches_id"], name="camera_watches"),
            models.Index(fields=["enabled", "lease_until"], name="camera_lease"),
        ]

    def __str__(self) -> str:
        return self.name

    def health(self) -> tuple[bool | None, str]:
        """Up, down or not known yet, and how to say it: by its frames for a camera with a detect stream,
        by its answers, events and heartbeats for one that only pushes (cameras.services.health keeps
        `stream_up` for both)."""
        if self.detect_stream or self.push_protocol == PushProtocol.NONE:
            if self.stream_up is None:
                return None, str(_("not analysed yet"))
            return self.stream_up, str(_("stream up") if self.stream_up else _("stream down"))
        if self.stream_up is None:
            return None, str(_("no contact yet"))
        return self.stream_up, str(_("in contact") if self.stream_up else _("no contact"))

    def clean(self) -> None:
        if self.push_protocol == PushProtocol.ONVIF and not self.onvif_host:
            raise ValidationError({"onvif_host": _("An ONVIF camera needs the host its ONVIF service answers at.")})
