"""Personal data in the admin: a change page that shows it opens only after a reason, recorded in the
audit (`PersonalDataAdmin`), and inlines whose personal fields the audit of an edit names but does not
copy (`AuditedInline`). Lists never show personal data: their admins name people by a pseudonymous
reference (a file number) or not at all."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from opscenter.requests import request_user
from opscenter.services.audit import audit_personal_data_read

SESSION_KEY = "admin.personal_data_reasons"
REASON_FIELD = "_personal_data_reason"


if TYPE_CHECKING:  # what the mixin is mixed into, for its super() calls
    _InlineModelAdmin = admin.options.InlineModelAdmin[Any, Any]
else:
    _InlineModelAdmin = object


class AuditedInline(_InlineModelAdmin):
    """Mix into an inline of an AuditedAdmin: its `audit_redacted_fields` are named in the audit of an
    edit, never copied into it."""

    audit_redacted_fields: tuple[str, ...] = ()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Read back, with getattr, by AuditedAdmin.save_formset: an attribute Django's formsets do not declare
        formset.audit_redacted_fields = self.audit_redacted_fields  # type: ignore[attr-defined]
        return formset


class PersonalDataAdmin(admin.ModelAdmin):
    """The change page of a record holding personal data asks a reason first; the reason is recorded
    (`personal_data.read`), and covers that record in the session for ADMIN_PERSONAL_DATA_READ_SECONDS,
    every showing recorded with it. The reason field is never pre-filled. The list must name no
    personal data (its `list_display` and `search_fields` are the subclass's to keep clean)."""

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            return super().change_view(request, object_id, form_url, extra_context)  # its 404 or 403
        if request.method == "POST" and REASON_FIELD in request.POST:
            reason = request.POST.get(REASON_FIELD, "").strip()
            if not reason:
                return self._reason_page(request, obj, error=True)
            _grant(request, obj, reason)
            return HttpResponseRedirect(request.path)
        reason = _granted(request, obj)
        if not reason:
            return self._reason_page(request, obj, status=200 if request.method == "GET" else 403)
        if request.method == "GET":
            audit_personal_data_read(
                actor=request_user(request), obj=obj, reason=reason, what=f"admin:{obj._meta.label_lower}"
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def _reason_page(
        self, request: HttpRequest, obj, *, error: bool = False, status: int | None = None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Why do you need this personal data?"),
            "opts": self.model._meta,
            "reference": _reference(obj),
            "field": REASON_FIELD,
            "error": error,
        }
        return TemplateResponse(
            request, "admin/personal_data_reason.html", context, status=status or (400 if error else 200)
        )


def _key(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def _reference(obj) -> str:
    """How the reason page names the record: its pseudonymous reference when it has one."""
    return getattr(obj, "file_number", None) or f"{obj._meta.verbose_name} #{obj.pk}"


def _grant(request: HttpRequest, obj, reason: str) -> None:
    now = timezone.now()
    reasons = {key: value for key, value in request.session.get(SESSION_KEY, {}).items() if _lasts(value[1], now)}
    until = now + timedelta(seconds=settings.ADMIN_PERSONAL_DATA_READ_SECONDS)
    reasons[_key(obj)] = [reason[:500], until.isoformat()]
    request.session[SESSION_KEY] = reasons


def _granted(request: HttpRequest, obj) -> str:
    granted = request.session.get(SESSION_KEY, {}).get(_key(obj))
    if not granted or not _lasts(granted[1], timezone.now()):
        return ""
    return granted[0]


def _lasts(until: str, now: datetime) -> bool:
    moment = parse_datetime(until)
    return moment is not None and moment > now
