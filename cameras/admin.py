"""Admin for cameras and their profiles (edits audited with the changed fields; stream addresses and the
ONVIF password, which may hold credentials, named only) and drone flights (planned, taken off and landed
through their services, audited); events, pictures and track points are read-only records."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cameras.models import (
    AnalyticsProfile,
    Camera,
    CameraEvent,
    CameraKind,
    EventPicture,
    Flight,
    FlightPosition,
    PlateRead,
    UnreadPlate,
    VideoWorkerPresence,
)
from cameras.services.drones import flight_end, flight_plan, flight_start
from cameras.services.registry import camera_rotate_push_token, push_path, track_path
from opscenter.admin import AuditedAdmin, MapFieldsMixin, ReadOnlyAdmin
from opscenter.errors import DomainError


@admin.register(AnalyticsProfile)
class AnalyticsProfileAdmin(AuditedAdmin):
    list_display = ["name", "analysis_fps", "crowd_detection", "dumping_detection", "lane_incidents"]
    search_fields = ["name"]


class KeptPasswordField(forms.CharField):
    """A password never shown back: empty means "keep the stored one", so only a typed one is a change."""

    def has_changed(self, initial, data) -> bool:
        return bool(data)


class CameraForm(forms.ModelForm):
    """The ONVIF password is never shown back: left empty, the stored one stays."""

    onvif_password = KeptPasswordField(
        label=_("ONVIF password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password."),
    )

    class Meta:
        model = Camera
        fields = ["onvif_password"]  # the admin adds the rest of its fieldsets

    def clean_onvif_password(self) -> str:
        given = self.cleaned_data.get("onvif_password") or ""
        return given or (self.instance.onvif_password if self.instance.pk else "")

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        moved = [name for name in ("onvif_host", "onvif_port", "onvif_username") if name in self.changed_data]
        stored = self.instance.pk and self.instance.onvif_password
        if moved and stored and not self.data.get(self.add_prefix("onvif_password")):
            # The stored password must never follow the camera to another address unasked.
            self.add_error("onvif_password", _("Type the ONVIF password again: the host, port or user changed."))
        return cleaned


@admin.register(Camera)
class CameraAdmin(MapFieldsMixin, AuditedAdmin):
    form = CameraForm
    map_points = (("latitude", "longitude"),)
    audit_redacted_fields = ("detect_stream", "main_stream", "onvif_password")
    list_display = ["name", "kind", "district", "enabled", "stream_up", "last_frame_at", "lease_owner", "push_protocol"]
    list_filter = ["kind", "enabled", "stream_up", "push_protocol", "district"]
    search_fields = ["name", "address", "vendor", "model"]
    list_select_related = ["district"]
    readonly_fields = [
        "credential",
        "stream_up",
        "stream_changed_at",
        "last_frame_at",
        "last_error",
        "latest_frame_at",
        "lease_owner",
        "lease_until",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["name", "kind", "vendor", "model", "district", "latitude", "longitude", "address", "heading"]},
        ),
        (
            _("Streams and analytics"),
            {
                "fields": [
                    "detect_stream",
                    "main_stream",
                    "enabled",
                    "profile",
                    "night_profile",
                    "zones",
                    "perspective",
                    "retention_days",
                    "down_grace_seconds",
                ]
            },
        ),
        (_("What it watches"), {"fields": ["watches_type", "watches_id"]}),
        (
            _("Pushed events"),
            {
                "fields": [
                    "push_protocol",
                    "credential",
                    "push_channel",
                    "source_networks",
                    "onvif_host",
                    "onvif_port",
                    "onvif_username",
                    "onvif_password",
                ]
            },
        ),
        (
            _("Health"),
            {
                "fields": [
                    "stream_up",
                    "stream_changed_at",
                    "last_frame_at",
                    "last_error",
                    "latest_frame_at",
                    "lease_owner",
                    "lease_until",
                ]
            },
        ),
    ]
    actions = ["rotate_push_token"]

    @admin.action(description=_("Issue or rotate the token (a push URL, a drone's track token; shown once)"))
    def rotate_push_token(self, request, queryset) -> None:
        for camera in queryset:
            secret = camera_rotate_push_token(camera=camera, actor=request.user)
            if camera.kind == CameraKind.DRONE:
                self.message_user(
                    request,
                    _("Track token of %(camera)s, shown once: %(token)s (POST to %(url)s as Authorization: Bearer)")
                    % {"camera": camera, "token": secret, "url": request.build_absolute_uri(track_path())},
                    messages.WARNING,
                )
            if camera.kind != CameraKind.DRONE or camera.push_protocol:
                self.message_user(
                    request,
                    _("Push URL of %(camera)s, shown once: %(url)s")
                    % {"camera": camera, "url": request.build_absolute_uri(push_path(secret))},
                    messages.WARNING,
                )


class EventPictureInline(admin.TabularInline):
    model = EventPicture
    extra = 0
    fields = readonly_fields = ("kind", "file", "taken_at", "sha256")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CameraEvent)
class CameraEventAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "camera", "kind", "origin", "zone", "ended_at", "score", "alert"]
    list_filter = ["kind", "origin"]
    search_fields = ["camera__name", "zone", "uuid"]
    date_hierarchy = "started_at"
    list_select_related = ["camera", "alert"]
    inlines = [EventPictureInline]


@admin.register(Flight)
class FlightAdmin(AuditedAdmin):
    """A flight is put on record here (flight_plan: the district and center are the drone's) and takes
    off and lands by the actions (flight_start, flight_end); its track is counted, and listed read-only."""

    list_display = [
        "created_at",
        "camera",
        "purpose",
        "pilot_column",
        "planned_start",
        "started_at",
        "ended_at",
        "track_points",
    ]
    list_filter = ["district", "center"]
    search_fields = ["camera__name", "purpose", "pilot_name", "pilot__username", "pilot__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["camera", "pilot"]
    autocomplete_fields = ["pilot"]
    fields = [
        "camera",
        "pilot",
        "pilot_name",
        "purpose",
        "planned_start",
        "planned_end",
        "notes",
        "district",
        "center",
        "started_at",
        "ended_at",
        "created_by",
        "created_at",
        "track_points",
    ]
    readonly_fields = ["district", "center", "started_at", "ended_at", "created_by", "created_at", "track_points"]
    actions = ["take_off_now", "land_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(track_point_count=Count("positions"))

    def get_readonly_fields(self, request, obj=None):
        # Its track belongs to this drone: a flight on record does not move to another.
        readonly = list(super().get_readonly_fields(request, obj))
        return ["camera", *readonly] if obj is not None else readonly

    def has_delete_permission(self, request, obj=None) -> bool:
        # A flight that took off is the record of where the drone was and why: kept.
        if obj is not None and obj.started_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        flight = flight_plan(
            camera=obj.camera,
            purpose=obj.purpose,
            pilot=obj.pilot,
            pilot_name=obj.pilot_name,
            planned_start=obj.planned_start,
            planned_end=obj.planned_end,
            notes=obj.notes,
            actor=request.user,
        )
        obj.pk, obj.district_id, obj.center_id = flight.pk, flight.district_id, flight.center_id
        obj.created_at, obj.created_by_id = flight.created_at, flight.created_by_id

    @admin.display(description=_("pilot"))
    def pilot_column(self, flight: Flight) -> str:
        return flight.pilot_display

    @admin.display(description=_("track points"))
    def track_points(self, flight: Flight) -> str:
        count = getattr(flight, "track_point_count", None)
        if count is None:
            count = flight.positions.count() if flight.pk else 0
        if not count:
            return "0"
        url = reverse("admin:cameras_flightposition_changelist") + f"?flight__id__exact={flight.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    @admin.action(description=_("Took off now"))
    def take_off_now(self, request, queryset) -> None:
        for flight in queryset:
            try:
                flight_start(flight=flight, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{flight}: {error.detail}", messages.ERROR)

    @admin.action(description=_("Landed now"))
    def land_now(self, request, queryset) -> None:
        for flight in queryset:
            try:
                flight_end(flight=flight, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{flight}: {error.detail}", messages.ERROR)


@admin.register(FlightPosition)
class FlightPositionAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "flight",
        "latitude",
        "longitude",
        "altitude_m",
        "heading",
        "speed_kmh",
        "accuracy_m",
        "received_at",
    ]
    list_filter = ["flight__camera"]
    search_fields = ["flight__camera__name", "flight__purpose"]
    date_hierarchy = "at"
    list_select_related = ["flight"]


@admin.register(VideoWorkerPresence)
class VideoWorkerPresenceAdmin(ReadOnlyAdmin):
    list_display = ["name", "seen_at", "capacity", "cameras"]
    ordering = ["name"]

    @admin.display(description=_("cameras"))
    def cameras(self, obj: VideoWorkerPresence) -> int:
        return Camera.objects.filter(lease_owner=obj.name).count()


@admin.register(PlateRead)
class PlateReadAdmin(ReadOnlyAdmin):
    """Reads are searched with a reason on the plate search page; the admin lists them by camera and time
    only, without the plate, so that browsing it is no search."""

    list_display = ["read_at", "camera", "source", "country", "confidence", "matched"]
    list_filter = ["source", "country", "matched"]
    list_select_related = ["camera"]
    fields = ["camera", "source", "read_at", "received_at", "country", "confidence", "matched", "case_number"]


@admin.register(UnreadPlate)
class UnreadPlateAdmin(ReadOnlyAdmin):
    """The tuning gallery: what could not be read, or only unsurely, for tuning the reading."""

    list_display = ["seen_at", "camera", "best_text", "confidence", "reason"]
    list_filter = ["reason", "camera"]
    fields = ["camera", "seen_at", "best_text", "confidence", "raw_texts", "reason", "crop"]
