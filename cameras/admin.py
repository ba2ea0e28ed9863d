"""Admin for cameras and their profiles (edits audited with the changed fields; stream addresses and the
ONVIF password, which may hold credentials, named only); events and pictures are read-only records."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cameras.models import AnalyticsProfile, Camera, CameraEvent, EventPicture
from cameras.services.registry import camera_rotate_push_token, push_path
from opscenter.admin import AuditedAdmin, MapFieldsMixin, ReadOnlyAdmin


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

    @admin.action(description=_("Issue or rotate the push token (the new URL is shown once)"))
    def rotate_push_token(self, request, queryset) -> None:
        for camera in queryset:
            secret = camera_rotate_push_token(camera=camera, actor=request.user)
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
