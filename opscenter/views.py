"""Server-rendered pages: the operator's dashboard, a unit's tablet, the language switch and the health check."""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from opscenter.maplayers import map_layers_for
from opscenter.models import Disposition, Severity
from opscenter.permissions import Capability, has
from opscenter.requests import request_user
from opscenter.selectors import centers_visible, districts_visible
from opscenter.services.details import alert_details_sources
from opscenter.services.users import user_set_language

# The sources alerts come from (an app's label), by name in the filters: those installed, in this order.
# Named here, not by the apps' verbose names, since the apps still to come have none yet.
ALERT_SOURCES = {
    "alarms": gettext_lazy("Alarms"),
    "bracelets": gettext_lazy("Bracelets"),
    "appeals": gettext_lazy("Appeals"),
    "cameras": gettext_lazy("Cameras"),
    "speedcontrol": gettext_lazy("Speed control"),
    "korgau": gettext_lazy("Qorgau"),
    "opscenter": gettext_lazy("Operations center"),
}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if has(user, Capability.UNIT_CREW) and not centers_visible(user=user).exists():
        return redirect("tablet")  # a patrol: no alerts of its own to watch, its unit's assignments
    context = {
        "centers": centers_visible(user=user),
        "dispositions": Disposition.choices,
        "severities": Severity.choices,
        "alert_sources": [(source, label) for source, label in ALERT_SOURCES.items() if apps.is_installed(source)],
        "filter_districts": districts_visible(user=user).order_by("code"),
        "can_act": has(user, Capability.ALERT_ACT),
        "can_dispatch": has(user, Capability.UNIT_DISPATCH),
        "details_sources": alert_details_sources(),
        "map_config": {
            "tileUrl": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "center": settings.MAP_CENTER,
            "layers": [
                {
                    "key": layer.key,
                    "label": str(layer.label),
                    "kind": layer.kind,
                    "shown": layer.shown,
                    "url": reverse("map-layer", kwargs={"key": layer.key}),
                }
                for layer in map_layers_for(user=user)
            ],
            # Leaflet's own words, which it has no catalogue for (map_layers.js sets them).
            "strings": {
                "zoomIn": _("Zoom in"),
                "zoomOut": _("Zoom out"),
                "attributionPrefix": "Leaflet",
                "attributionTitle": _("A JavaScript library for interactive maps"),
                "layers": _("Map layers"),
                "alerts": _("Alerts"),
            },
        },
    }
    return render(request, "opscenter/dashboard.html", context)


@login_required
def tablet(request: HttpRequest) -> HttpResponse:
    """A unit's tablet (a phone): its assignments as they come, from /ws/tablet/ (tablet.js)."""
    return render(request, "opscenter/tablet.html")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie and redirect), and for a signed-in user also their profile, so the
    choice follows them to every device (UserLanguageMiddleware speaks it)."""
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return set_language(request)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and, when configured, Redis: 200 when all answer, 503 naming what does not."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
