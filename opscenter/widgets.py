"""Form widgets that pick places on a map (the vendored Leaflet, no CDN), for the admin: a point (a click
sets a latitude and its longitude field) and a polygon (clicks add corners, a corner is dragged to move
it and clicked to remove it). The inputs stay as they are, so a value can still be typed, and a page
without map tiles still works. The map's behaviour is in opscenter/static/opscenter/admin_map.js."""

import json
from typing import Any

from django import forms
from django.conf import settings


def _map_config() -> str:
    return json.dumps(
        {"tileUrl": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION, "center": settings.MAP_CENTER}
    )


class _MapMedia:
    css = {"all": ("vendor/leaflet/leaflet.css", "opscenter/admin_map.css")}
    js = ("vendor/leaflet/leaflet.js", "opscenter/admin_map.js")


class MapPointWidget(forms.NumberInput):
    """The latitude's input, with a map under it: a click (or dragging the marker) sets the latitude and
    the longitude input of the same form (`longitude_field`, in the same formset row)."""

    template_name = "opscenter/widgets/map_point.html"
    Media = _MapMedia

    def __init__(self, *, latitude_field: str, longitude_field: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"step": "any", **(attrs or {})})
        self.latitude_field, self.longitude_field = latitude_field, longitude_field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["map"] = {"config": _map_config(), "latitude": self.latitude_field, "longitude": self.longitude_field}
        return context


class MapPolygonWidget(forms.Textarea):
    """A polygon's JSON ([[latitude, longitude], ...]) with a map under it to draw and edit it."""

    template_name = "opscenter/widgets/map_polygon.html"
    Media = _MapMedia

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"rows": 3, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, list):
            return json.dumps(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["map"] = {"config": _map_config()}
        return context
