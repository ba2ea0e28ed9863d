from django.urls import path, re_path

from appeals import apis, open311, views

app_name = "appeals"

urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("summary/", views.appeal_summary, name="summary"),
    path("<int:appeal_pk>/", views.appeal_detail, name="detail"),
    path("<int:appeal_pk>/applicant/", views.appeal_applicant, name="applicant"),
    path("<int:appeal_pk>/act/<slug:action>/", views.appeal_act, name="act"),
    path("<int:appeal_pk>/attachments/<int:attachment_pk>/", views.attachment_file, name="attachment"),
]

# Under /api/v1/partner/: the paths the partners sign, exactly (no trailing slash).
partner_api_urlpatterns = [
    path("appeals", apis.PartnerAppealCreateApi.as_view(), name="partner-appeal-create"),
    path("appeals/<str:registration_number>", apis.PartnerAppealDetailApi.as_view(), name="partner-appeal-detail"),
    path("attachments", apis.PartnerAttachmentCreateApi.as_view(), name="partner-attachment-create"),
    path("categories", apis.PartnerCategoryListApi.as_view(), name="partner-category-list"),
    path("bench/noop", apis.BenchNoopApi.as_view(), name="bench-noop"),
]

# Under /open311/v2/.
open311_urlpatterns = [
    re_path(r"^discovery\.(?P<response_format>\w+)$", open311.discovery, name="discovery"),
    re_path(r"^services\.(?P<response_format>\w+)$", open311.service_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[\w-]+)\.(?P<response_format>\w+)$", open311.service_definition, name="service"
    ),
    re_path(r"^requests\.(?P<response_format>\w+)$", open311.request_list, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[\w-]+)\.(?P<response_format>\w+)$", open311.request_detail, name="request"
    ),
]
