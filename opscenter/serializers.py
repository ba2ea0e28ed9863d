"""The one shape of an alert, shared by the REST API and the live feed so both always agree."""

from django.utils import timezone
from rest_framework import serializers

from opscenter.models import Alert, AlertEvent, District, OperationsCenter


class AlertSerializer(serializers.ModelSerializer):
    center = serializers.SlugRelatedField[OperationsCenter](slug_field="code", read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)
    district = serializers.SlugRelatedField[District](slug_field="code", read_only=True)
    district_name = serializers.CharField(source="district.name", default=None, read_only=True)
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.get_username", default=None, read_only=True)
    dispatched_by = serializers.CharField(source="dispatched_by.get_username", default=None, read_only=True)
    resolved_by = serializers.CharField(source="resolved_by.get_username", default=None, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id", "source", "kind", "severity", "severity_label", "status", "status_label", "disposition",
            "center", "center_name", "district", "district_name", "latitude", "longitude", "address",
            "title", "payload", "dedup_key", "repeat_count", "raised_at", "updated_at",
            "acknowledged_at", "acknowledged_by", "dispatched_at", "dispatched_by", "dispatch_unit",
            "resolved_at", "resolved_by", "escalation_level", "escalated_at",
        ]  # fmt: skip
        read_only_fields = fields


class AlertEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", default=None, read_only=True)

    class Meta:
        model = AlertEvent
        fields = ["action", "actor", "at", "text", "data"]
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    events = AlertEventSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "events"]
        read_only_fields = fields


def _moment(value) -> str | None:
    """A moment as DRF's DateTimeField renders it: ISO 8601 in the current time zone, UTC as Z."""
    if not value:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _number(value) -> float | None:
    return float(value) if value is not None else None


def alert_as_dict(alert: Alert) -> dict:
    """The live feed's shape of an alert: exactly what AlertSerializer renders (a test holds them
    equal), built directly, since a snapshot renders ten thousand of them and DRF's fields take ~0.5 ms
    an alert. Language-neutral but for the labels. Needs the alert's center, district and people
    selected with it."""
    return {
        "id": alert.pk,
        "source": alert.source,
        "kind": alert.kind,
        "severity": alert.severity,
        "severity_label": str(alert.get_severity_display()),
        "status": alert.status,
        "status_label": str(alert.get_status_display()),
        "disposition": alert.disposition,
        "center": alert.center.code,
        "center_name": str(alert.center.name),
        "district": alert.district.code if alert.district is not None else None,
        "district_name": str(alert.district.name) if alert.district is not None else None,
        "latitude": _number(alert.latitude),
        "longitude": _number(alert.longitude),
        "address": alert.address,
        "title": alert.title,
        "payload": alert.payload,
        "dedup_key": alert.dedup_key,
        "repeat_count": alert.repeat_count,
        "raised_at": _moment(alert.raised_at),
        "updated_at": _moment(alert.updated_at),
        "acknowledged_at": _moment(alert.acknowledged_at),
        "acknowledged_by": _username(alert.acknowledged_by),
        "dispatched_at": _moment(alert.dispatched_at),
        "dispatched_by": _username(alert.dispatched_by),
        "dispatch_unit": alert.dispatch_unit,
        "resolved_at": _moment(alert.resolved_at),
        "resolved_by": _username(alert.resolved_by),
        "escalation_level": alert.escalation_level,
        "escalated_at": _moment(alert.escalated_at),
    }
