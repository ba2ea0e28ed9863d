"""The one shape of an alert, shared by the REST API and the live feed so both always agree."""

from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from rest_framework import serializers

from opscenter.models import Alert, AlertEvent, District, Incident, OperationsCenter
from opscenter.services.texts import alert_texts, is_phrase, phrase_text


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
    # How the console's dense list names people ("Иванов А."); the detail's timeline names them in full.
    acknowledged_by_name = serializers.CharField(source="acknowledged_by.display_name", default=None, read_only=True)
    dispatched_by_name = serializers.CharField(source="dispatched_by.display_name", default=None, read_only=True)
    resolved_by_name = serializers.CharField(source="resolved_by.display_name", default=None, read_only=True)
    incident = serializers.IntegerField(source="incident_id", default=None, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id", "source", "kind", "severity", "severity_label", "status", "status_label", "disposition",
            "center", "center_name", "district", "district_name", "latitude", "longitude", "address",
            "title", "payload", "dedup_key", "repeat_count", "raised_at", "updated_at",
            "acknowledged_at", "acknowledged_by", "acknowledged_by_name", "dispatched_at", "dispatched_by",
            "dispatched_by_name", "dispatch_unit", "resolved_at", "resolved_by", "resolved_by_name",
            "escalation_level", "escalated_at", "incident",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance: Alert) -> dict[str, Any]:
        # The texts in the reader's language, as the feed words them (alert_words).
        data = super().to_representation(instance)
        words = alert_words(instance)
        return {**data, **alert_worded(data, words)}


class AlertEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", default=None, read_only=True)
    actor_name = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()

    class Meta:
        model = AlertEvent
        fields = ["action", "actor", "actor_name", "at", "text", "data"]
        read_only_fields = fields

    def get_actor_name(self, event: AlertEvent) -> str | None:
        """The person by their full name (the detail names people in full)."""
        return person_full_name(event.actor)

    def to_representation(self, instance: AlertEvent) -> dict[str, Any]:
        data = super().to_representation(instance)
        # The phrase is shown as `text`, in the reader's language; its parameters are not for the screen.
        data["data"] = {key: value for key, value in (data["data"] or {}).items() if key != "text_phrase"}
        return data

    def get_text(self, event: AlertEvent) -> str:
        """A text the system composed, in the reader's language; a person's comment as written."""
        composed = (event.data or {}).get("text_phrase")
        return phrase_text(composed) if is_phrase(composed) else event.text


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


def person_full_name(user) -> str | None:
    """A person as the detail names them: "Иванов Алексей", else their username."""
    if user is None:
        return None
    return user.get_full_name().strip() or user.get_username()


def _person_short_name(user) -> str | None:
    return user.display_name if user is not None else None


def alert_words(alert: Alert) -> dict[str, Any]:
    """What of an alert is words, in the active language: labels, names of its place, and its texts
    from the composer of the app that raised it (opscenter.services.texts). `payload` holds only the
    payload's keys the composer words, to lay over the stored payload (alert_worded)."""
    texts = alert_texts(alert)
    return {
        "severity_label": str(alert.get_severity_display()),
        "status_label": str(alert.get_status_display()),
        "center_name": str(alert.center.name),
        "district_name": str(alert.district.name) if alert.district is not None else None,
        "title": texts["title"],
        "address": texts.get("address", alert.address),
        "payload": texts.get("payload", {}),
    }


def alert_worded(data: dict[str, Any], words: dict[str, Any]) -> dict[str, Any]:
    """`data` (an alert as the feed or the API renders it) with `words` of one language laid over."""
    payload = {**data["payload"], **words["payload"]} if words["payload"] else data["payload"]
    return {**data, **words, "payload": payload}


def alert_words_by_language(alert: Alert) -> dict[str, dict[str, Any]]:
    """The alert's words in every language of the platform, for a message that readers of each read."""
    words = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words[code] = alert_words(alert)
    return words


def alert_as_dict(alert: Alert) -> dict:
    """The live feed's shape of an alert: exactly what AlertSerializer renders (a test holds them
    equal), built directly, since a snapshot renders ten thousand of them and DRF's fields take ~0.5 ms
    an alert. Its words (labels, names, texts) are in the active language. Needs the alert's center,
    district and people selected with it."""
    return alert_worded(alert_neutral(alert), alert_words(alert))


def alert_neutral(alert: Alert) -> dict:
    """An alert's data as alert_as_dict has it, its words as stored (the raiser's language)."""
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
        "acknowledged_by_name": _person_short_name(alert.acknowledged_by),
        "dispatched_at": _moment(alert.dispatched_at),
        "dispatched_by": _username(alert.dispatched_by),
        "dispatched_by_name": _person_short_name(alert.dispatched_by),
        "dispatch_unit": alert.dispatch_unit,
        "resolved_at": _moment(alert.resolved_at),
        "resolved_by": _username(alert.resolved_by),
        "resolved_by_name": _person_short_name(alert.resolved_by),
        "escalation_level": alert.escalation_level,
        "escalated_at": _moment(alert.escalated_at),
        "incident": alert.incident_id,
    }


# ---- patrol units


def _assignment_times(assignment) -> dict:
    return {
        "id": assignment.pk,
        "alert_id": assignment.alert_id,
        "status": assignment.status,
        "dispatched_at": _moment(assignment.dispatched_at),
        "accepted_at": _moment(assignment.accepted_at),
        "arrived_at": _moment(assignment.arrived_at),
        "cleared_at": _moment(assignment.cleared_at),
    }


def _open_assignment(unit):
    """The unit's open assignment, from `open_assignments` (prefetched by the selectors) when there."""
    found = getattr(unit, "open_assignments", None)
    if found is None:
        from opscenter.models import OPEN_ASSIGNMENT_STATUSES

        found = list(unit.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES).select_related("alert"))
    return found[0] if found else None


def unit_words(unit) -> dict[str, Any]:
    """What of a unit is words, in the active language: its labels and the names of its place."""
    return {
        "kind_label": str(unit.get_kind_display()),
        "status_label": str(unit.get_status_display()),
        "center_name": str(unit.center.name),
        "district_name": str(unit.district.name) if unit.district is not None else None,
    }


def unit_words_by_language(unit) -> dict[str, dict[str, Any]]:
    """The unit's words in every language of the platform, for a message that readers of each read."""
    words = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words[code] = unit_words(unit)
    return words


def unit_as_dict(unit, *, distance_m: float | None = None) -> dict:
    """A unit as the consoles see it (REST and the live feed alike): status, position, crew and its open
    assignment, its words in the active language. Needs its center and district selected, its crew and
    open assignments prefetched."""
    assignment = _open_assignment(unit)
    data = {
        "id": unit.pk,
        "call_sign": unit.call_sign,
        "kind": unit.kind,
        "status": unit.status,
        "center": unit.center.code,
        "district": unit.district.code if unit.district is not None else None,
        **unit_words(unit),
        "latitude": _number(unit.latitude),
        "longitude": _number(unit.longitude),
        "position_at": _moment(unit.position_at),
        "status_changed_at": _moment(unit.status_changed_at),
        "updated_at": _moment(unit.updated_at),
        "crew": sorted(member.display_name for member in unit.crew.all()),
        "assignment": _assignment_times(assignment) if assignment is not None else None,
    }
    if distance_m is not None:
        data["distance_m"] = round(distance_m)
    return data


def tablet_unit_as_dict(unit) -> dict:
    """A unit as its own tablet sees it: its status and its open assignment with only what the crew needs
    of the alert (title, place, caution), never its payload or the people behind it."""
    assignment = _open_assignment(unit)
    task = None
    if assignment is not None:
        alert = assignment.alert
        caution = alert.payload.get("caution") if isinstance(alert.payload, dict) else None
        has_place = alert.latitude is not None and alert.longitude is not None
        # The words in every language (a message reaches tablets of each); the active one's at the top.
        words = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                worded = alert_words(alert)
            said = worded["payload"].get("caution", caution) if worded["payload"] else caution
            words[code] = {
                "title": worded["title"],
                "address": worded["address"],
                "caution": str(said)[:500] if said else "",
            }
        active = words.get(translation.get_language() or "", words[settings.LANGUAGE_CODE])
        task = {
            **_assignment_times(assignment),
            "alert": {
                "id": alert.pk,
                "severity": alert.severity,
                "severity_label": str(alert.get_severity_display()),
                **active,
                "latitude": _number(alert.latitude),
                "longitude": _number(alert.longitude),
                "geo_uri": f"geo:{alert.latitude},{alert.longitude}" if has_place else None,
                "words": words,
            },
        }
    return {
        "id": unit.pk,
        "call_sign": unit.call_sign,
        "kind_label": str(unit.get_kind_display()),
        "status": unit.status,
        "status_label": str(unit.get_status_display()),
        "updated_at": _moment(unit.updated_at),
        "assignment": task,
    }


class IncidentSerializer(serializers.ModelSerializer):
    """An incident without its alerts (each alert names its `incident`): the REST API and the feed."""

    center = serializers.SlugRelatedField[OperationsCenter](slug_field="code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.CharField(source="created_by.get_username", default=None, read_only=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.get_username", default=None, read_only=True)
    resolved_by = serializers.CharField(source="resolved_by.get_username", default=None, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "center", "title", "status", "status_label", "disposition", "created_at", "created_by",
            "updated_at", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by",
        ]  # fmt: skip
        read_only_fields = fields
