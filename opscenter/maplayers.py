"""The dashboard map's layers beyond the live alerts: district boundaries, protected objects, units,
cameras. Each is a provider, registered by whoever owns the data (the spine its districts in `ready()`,
alarms its protected objects in its own `ready()`), so that the spine draws another app's things
without importing it. A provider takes the acting user and returns only what their scope shows, as
GeoJSON Features (longitude, latitude) with plain properties: `name`, and `label`/`address` when known.
No personal data goes on a map layer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.functional import Promise

from opscenter.models import User
from opscenter.permissions import Capability, has

Feature = dict[str, Any]


@dataclass(frozen=True)
class MapLayer:
    key: str  # stable, in URLs and saved views: "districts", "protected_objects"
    label: str | Promise  # shown in the layer switcher (lazy, translated)
    features: Callable[[User], list[Feature]]
    kind: Literal["shapes", "points"] = "points"
    shown: bool = True  # on when the dashboard opens
    order: int = 100  # the switcher's order
    capability: Capability | None = None  # needed besides scope, when the layer needs one


_layers: dict[str, MapLayer] = {}


def register_map_layer(layer: MapLayer) -> None:
    """Add a layer (registering a key again replaces it: `ready()` may run twice in tests)."""
    _layers[layer.key] = layer


def map_layers_for(*, user: User) -> list[MapLayer]:
    """The layers this user may turn on, in the switcher's order."""
    layers = [layer for layer in _layers.values() if layer.capability is None or has(user, layer.capability)]
    return sorted(layers, key=lambda layer: (layer.order, layer.key))


def map_layer_features(*, user: User, key: str) -> list[Feature] | None:
    """The layer's features for this user, or None when there is no such layer for them."""
    for layer in map_layers_for(user=user):
        if layer.key == key:
            return layer.features(user)
    return None


def point_feature(*, longitude: float, latitude: float, **properties: Any) -> Feature:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": properties,
    }


def district_features(user: User) -> list[Feature]:
    """The spine's own layer: the boundaries of the districts in the user's scope."""
    from opscenter.selectors import district_boundaries_visible

    return [
        {
            "type": "Feature",
            "geometry": district.boundary,
            "properties": {"code": district.code, "name": district.name, "label": district.center.name},
        }
        for district in district_boundaries_visible(user=user)
    ]
