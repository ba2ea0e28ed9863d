"""Admin of the appeals app: partners (credentials shown once), the calendar. Appeals
are read here without their applicant data, which only the audited officer's page shows."""

import json

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from appeals.models import (
    Appeal,
    AppealEvent,
    Attachment,
    CalendarDay,
    IdempotencyKey,
    Partner,
    PublicHoliday,
    RegistrationCounter,
)
from appeals.services.calendar import calendar_year_fill
from appeals.services.partners import partner_create, partner_rotate, partner_webhook_enable
from opscenter.admin import AuditedAdmin, InternalsAdmin, ReadOnlyAdmin
from opscenter.requests import request_user


def _credentials_page(request: HttpRequest, partner: Partner, credentials: dict) -> HttpResponse:
    return TemplateResponse(
        request,
        "admin/appeals/partner_credentials.html",
        {
            **admin.site.each_context(request),
            "title": _("Credentials of %(partner)s") % {"partner": partner.name},
            "partner": partner,
            "credentials": json.dumps(credentials, indent=2),
            "opts": Partner._meta,
        },
    )


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    """Edits (the webhook's URL and switch, activity) are audited with the fields they changed."""

    list_display = ["code", "name", "key_id", "is_active", "webhook_url", "webhook_enabled", "rotated_at"]
    list_filter = ["is_active", "webhook_enabled"]
    search_fields = ["code", "name", "key_id"]
    readonly_fields = ["key_id", "created_at", "rotated_at", "previous_valid_until", "previous_webhook_valid_until",
                       "webhook_disabled_at", "webhook_disabled_reason"]  # fmt: skip
    actions = ["rotate_secrets", "enable_webhook"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["code", "name", "webhook_url"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ["code", *self.readonly_fields] if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        partner, credentials = partner_create(
            code=obj.code, name=obj.name, webhook_url=obj.webhook_url, actor=request_user(request)
        )
        for field in Partner._meta.concrete_fields:
            setattr(obj, field.attname, getattr(partner, field.attname))
        obj._state.adding = False
        request._appeals_credentials = credentials.as_dict()

    def response_add(self, request, obj, post_url_continue=None):
        credentials = getattr(request, "_appeals_credentials", None)
        if credentials is None:
            return super().response_add(request, obj, post_url_continue)
        return _credentials_page(request, obj, credentials)

    @admin.action(description=_("Rotate the secrets (the old ones work for the overlap period)"))
    def rotate_secrets(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Rotate one partner at a time."), messages.ERROR)
            return None
        partner = queryset.get()
        credentials = partner_rotate(partner=partner, actor=request_user(request))
        return _credentials_page(request, partner, credentials.as_dict())

    @admin.action(description=_("Turn the webhook back on"))
    def enable_webhook(self, request, queryset):
        for partner in queryset:
            partner_webhook_enable(partner=partner, actor=request_user(request))
        self.message_user(request, _("Webhooks turned on."))


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(InternalsAdmin, ReadOnlyAdmin):
    list_display = ["partner", "key", "state", "response_status", "created_at", "expires_at"]
    list_filter = ["state", "partner"]
    search_fields = ["key"]
    exclude = ["response_body"]


class AppealEventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    fields = readonly_fields = ("at", "action", "status", "actor", "actor_label", "is_public", "text")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["registration_number", "partner", "category", "status", "district", "deadline", "registered_at"]
    list_filter = ["status", "category", "partner", "district", "routed_by"]
    search_fields = ["registration_number", "partner_reference"]
    date_hierarchy = "registered_at"
    exclude = ["applicant_iin", "applicant_full_name", "applicant_phone"]
    inlines = [AppealEventInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "partner", "appeal", "kind", "content_type", "size", "uploaded_at"]
    list_filter = ["kind", "partner"]
    exclude = ["file"]


@admin.register(RegistrationCounter)
class RegistrationCounterAdmin(ReadOnlyAdmin):
    list_display = ["year", "last_number"]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    list_display = ["month", "day", "name", "moves_off_weekend"]


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working", "kind", "name"]
    list_filter = ["kind", "is_working"]
    date_hierarchy = "date"
    change_list_template = "admin/appeals/calendarday/change_list.html"

    def get_urls(self):
        return [
            path("fill/", self.admin_site.admin_view(self.fill_view), name="appeals_calendarday_fill"),
            *super().get_urls(),
        ]

    def fill_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return redirect("admin:appeals_calendarday_changelist")
        form = YearForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            created = calendar_year_fill(year=form.cleaned_data["year"], actor=request_user(request))
            self.message_user(
                request,
                _("%(count)d days entered. Add Kurban Ait and the government's transfers by hand.")
                % {"count": len(created)},
            )
            return redirect("admin:appeals_calendarday_changelist")
        return TemplateResponse(
            request,
            "admin/appeals/form.html",
            {**self.admin_site.each_context(request), "title": _("Fill a year from the public holidays"),
             "form": form, "opts": CalendarDay._meta, "multipart": False},
        )  # fmt: skip
