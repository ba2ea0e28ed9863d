"""Officers' pages: the people they supervise and their state now; a person's card (after a reason,
audited) with the track of a chosen period on the map and the history of violations."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bracelets.models import SupervisedPerson
from bracelets.rules import compile_rules
from bracelets.selectors import (
    officer_sees_mine_by_default,
    people_overview,
    person_get,
    person_track,
    person_violations,
)
from opscenter.errors import ReasonRequired
from opscenter.requests import request_user
from opscenter.services.audit import audit_personal_data_read

# A reason given when opening a card covers that card for this long in the same session.
REASON_VALID_FOR = timedelta(minutes=30)
SESSION_KEY = "bracelets.reasons"
DEFAULT_TRACK = timedelta(hours=24)


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    mine_default = officer_sees_mine_by_default(user)
    mine_only = request.GET.get("all") != "1" if mine_default else request.GET.get("mine") == "1"
    rows = people_overview(user=user, mine_only=mine_only)
    return render(request, "bracelets/people.html", {"rows": rows, "mine_only": mine_only,
                                                      "mine_default": mine_default})  # fmt: skip


def _reason_for(request: HttpRequest, person_pk: int) -> str:
    granted = request.session.get(SESSION_KEY, {}).get(str(person_pk))
    if not granted:
        return ""
    reason, until = granted
    expires = parse_datetime(until)
    return reason if expires is not None and expires > timezone.now() else ""


def _period(request: HttpRequest) -> tuple[datetime, datetime, dict]:
    """The track's period from `since`/`until` (local datetime-local inputs), by default the last day."""
    errors = {}
    now = timezone.now()
    values = {}
    for name in ("since", "until"):
        text = request.GET.get(name, "").strip()
        if not text:
            continue
        value = parse_datetime(text)
        if value is None:
            errors[name] = _("Enter a date and time.")
            continue
        values[name] = timezone.make_aware(value) if timezone.is_naive(value) else value
    until = values.get("until", now)
    since = values.get("since", until - DEFAULT_TRACK)
    if since >= until:
        errors["since"] = _("The start must be before the end.")
        since = until - DEFAULT_TRACK
    return since, until, errors


@login_required
@require_http_methods(["GET", "POST"])
def person_card(request: HttpRequest, person_pk: int) -> HttpResponse:
    try:
        person = person_get(user=request_user(request), person_pk=person_pk)
    except SupervisedPerson.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            return render(request, "bracelets/reason.html",
                          {"person": person, "error": ReasonRequired.default_detail}, status=400)  # fmt: skip
        reasons = request.session.get(SESSION_KEY, {})
        reasons[str(person.pk)] = [reason[:500], (timezone.now() + REASON_VALID_FOR).isoformat()]
        request.session[SESSION_KEY] = reasons
        return redirect(f"{reverse('bracelets:person', kwargs={'person_pk': person.pk})}?{request.GET.urlencode()}")
    reason = _reason_for(request, person.pk)
    if not reason:
        return render(request, "bracelets/reason.html", {"person": person})
    since, until, errors = _period(request)
    track = list(person_track(user=request_user(request), person_pk=person.pk, since=since, until=until))
    audit_personal_data_read(
        actor=request_user(request), obj=person, reason=reason, what="bracelets.card_and_track",
        data={"since": since.isoformat(), "until": until.isoformat(), "positions": len(track)},
    )  # fmt: skip
    rules = compile_rules(person.pk, person.rules_token)
    bracelet = person.bracelets.first()
    map_data = {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": settings.MAP_CENTER,
        "track": [[p.latitude, p.longitude, p.fix_time.isoformat(), p.accuracy, p.is_late] for p in track],
        "zones": [zone.as_geometry() for zone in (*rules.inclusion, *rules.exclusion)],
    }
    context = {
        "person": person,
        "reason": reason,
        "bracelet": bracelet,
        "orders": person.orders.all(),
        "zones": person.zones.filter(is_active=True).prefetch_related("windows"),
        "absences": person.absences.all(),
        "violations": person_violations(user=request_user(request), person_pk=person.pk)[:200],
        "since": since,
        "until": until,
        "errors": errors,
        "track_count": len(track),
        "map_data": map_data,
    }
    return render(request, "bracelets/person.html", context)
