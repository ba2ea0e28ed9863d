from django.urls import path

from cameras import apis, intake, plate_search, views

app_name = "cameras"

urlpatterns = [
    path("", views.wall, name="wall"),
    path("<int:camera_pk>/latest.jpg", views.latest_frame, name="latest-frame"),
    path("pictures/<int:picture_pk>.jpg", views.event_picture, name="event-picture"),
    path("plates/", plate_search.plate_search_page, name="plate-search"),
    path("plates/<int:read_pk>/<str:which>.jpg", plate_search.plate_picture, name="plate-picture"),
]

api_urlpatterns = [
    path("", apis.CameraListApi.as_view(), name="list"),
    path("isapi/<str:token>/", intake.isapi_push, name="isapi-push"),
    path("drones/track/", apis.DroneTrackApi.as_view(), name="drone-track"),
    path("plates/search/", plate_search.PlateSearchApi.as_view(), name="plate-search"),
]
