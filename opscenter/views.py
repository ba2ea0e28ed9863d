"""Server-rendered pages: the operator's dashboard, the language switch and the health check."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from opscenter.models import Disposition
from opscenter.permissions import Capability, has
from opscenter.requests import request_user
from opscenter.selectors import centers_visible
from opscenter.services.details import alert_details_sources
from opscenter.services.users import user_set_language


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "centers": centers_visible(user=user),
        "dispositions": Disposition.choices,
        "can_act": has(user, Capability.ALERT_ACT),
        "details_sources": alert_details_sources(),
        "map_config": {
            "tileUrl": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "center": settings.MAP_CENTER,
        },
    }
    return render(request, "opscenter/dashboard.html", context)


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
