from django.urls import path, re_path

from bracelets import apis, views

app_name = "bracelets"

urlpatterns = [
    path("", views.people_list, name="people"),
    path("people/<int:person_pk>/", views.person_card, name="person"),
]

# Under /api/v1/tracking/ (devices post with or without the trailing slash).
api_urlpatterns = [
    re_path(r"^osmand/?$", apis.TrackingOsmAndApi.as_view(), name="osmand"),
    re_path(r"^traccar/?$", apis.TrackingTraccarApi.as_view(), name="traccar"),
    re_path(r"^batch/?$", apis.TrackingBatchApi.as_view(), name="batch"),
]
