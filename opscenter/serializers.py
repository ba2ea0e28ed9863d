"""The one shape of an alert, shared by the REST API and the live feed so both always agree."""

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


_alert_serializer = AlertSerializer()  # building DRF's fields costs ~1 ms: once per process, not per alert


def alert_as_dict(alert: Alert) -> dict:
    """The live feed's shape of an alert (the REST API's too); language-neutral but for the labels."""
    return dict(_alert_serializer.to_representation(alert))
