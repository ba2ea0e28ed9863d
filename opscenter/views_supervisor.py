"""The supervisor's pages: the wallboard (a large screen, kept live by opscenter/static/opscenter/
wallboard.js, which reloads the board's fragment when the alert feed says something changed) and the
shift log with its handover notes."""

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opscenter.errors import DomainError
from opscenter.models import OperationsCenter
from opscenter.permissions import Capability, has
from opscenter.requests import request_user
from opscenter.selectors import centers_visible
from opscenter.services.shifts import NOTE_MAX_CHARS, shift_note_acknowledge, shift_note_write
from opscenter.supervision import shift_notes, shift_notes_visible, wallboard


@login_required
@never_cache
@require_GET
def wallboard_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not has(user, Capability.WALLBOARD_VIEW):
        raise PermissionDenied
    board = wallboard(user=user)
    template = "opscenter/_wallboard_board.html" if request.GET.get("part") == "board" else "opscenter/wallboard.html"
    return render(request, template, {"board": board})


class ShiftNoteForm(forms.Form):
    center = forms.ModelChoiceField(label=_("Center"), queryset=OperationsCenter.objects.none(), to_field_name="code")
    shift_started_at = forms.DateTimeField(
        label=_("Shift started"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    shift_ended_at = forms.DateTimeField(
        label=_("Shift ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    text = forms.CharField(
        label=_("Handover note"), max_length=NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, centers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        center_field = self.fields["center"]
        assert isinstance(center_field, forms.ModelChoiceField)
        center_field.queryset = centers
        if centers.count() == 1:
            center_field.initial = centers.first()


def _shift_defaults(now: datetime) -> dict:
    """A twelve-hour shift ending at the hour nearest to now, in local time."""
    local = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    if timezone.localtime(now).minute >= 30:
        local += timedelta(hours=1)
    return {"shift_started_at": local - timedelta(hours=12), "shift_ended_at": local}


@login_required
@require_http_methods(["GET", "POST"])
def shift_log(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not has(user, Capability.SHIFT_LOG_KEEP):
        raise PermissionDenied
    centers = centers_visible(user=user).order_by("code")
    status = 200
    if request.method == "POST":
        form = ShiftNoteForm(request.POST, centers=centers)
        if form.is_valid():
            try:
                shift_note_write(actor=user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(request, _("The handover note is in the shift log."))
                return redirect("shift-log")
        status = 400
    else:
        form = ShiftNoteForm(initial=_shift_defaults(timezone.now()), centers=centers)
    notes = shift_notes(user=user)
    for note in notes:
        readers = list(note.acknowledgements.all())
        note.readers = readers  # type: ignore[attr-defined]
        note.acknowledged_by_me = any(item.user_id == user.pk for item in readers)  # type: ignore[attr-defined]
    return render(request, "opscenter/shift_log.html", {"form": form, "notes": notes}, status=status)


@login_required
@require_POST
def shift_note_acknowledge_view(request: HttpRequest, note_pk: int) -> HttpResponse:
    user = request_user(request)
    if not has(user, Capability.SHIFT_LOG_KEEP):
        raise PermissionDenied
    note = shift_notes_visible(user=user).filter(pk=note_pk).first()
    if note is None:
        raise Http404
    try:
        shift_note_acknowledge(actor=user, note=note)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Acknowledged: the handover is yours."))
    return redirect("shift-log")
