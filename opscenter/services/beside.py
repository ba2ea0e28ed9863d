"""What to look at beside an alert: the latest frames of the cameras that watch what it is about or its
place. The cameras app registers the provider in its `ready()`, so the spine shows another app's tiles
without importing it (as with map layers and pre-plans). Tiles carry no personal data."""

from collections.abc import Callable
from typing import TypedDict

from opscenter.models import Alert, User


class BesideTile(TypedDict):
    kind: str  # "camera"
    id: int
    title: str
    image_url: str | None  # the latest frame, served to this user only (None before a first frame)
    frame_url: str  # where the latest frame will always be (a page polls it for a tile with no frame yet)
    page_url: str  # where the thing itself is shown (the camera's page on the video wall)
    up: bool | None  # up (frames, or contact for a camera that only pushes), down, or not known yet
    health: str  # how to say it, in the reader's language
    taken_at: str | None  # ISO time of the frame
    metres: float | None  # from the alert's place, when both are known
    watches: bool  # it watches the alert's subject (the school whose button was pressed)
    own: bool  # it is what raised the alert (the camera that saw the gathering)


BesideProvider = Callable[[User, Alert], list[BesideTile]]
_providers: dict[str, BesideProvider] = {}


def register_beside(key: str, provider: BesideProvider) -> None:
    """Add a provider (registering a key again replaces it: `ready()` may run twice in tests)."""
    _providers[key] = provider


def alert_beside(*, user: User, alert: Alert) -> list[BesideTile]:
    """Every provider's tiles for this alert and user, in the order the providers registered."""
    return [tile for provider in _providers.values() for tile in provider(user, alert)]
