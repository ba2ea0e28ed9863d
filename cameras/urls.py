from django.urls import path

from cameras import apis, intake, views

app_name = "cameras"

urlpatterns = [
    path("", views.wall, name="wall"),
    path("<int:camera_pk>/latest.jpg", views.latest_frame, name="latest-frame"),
    path("pictures/<int:picture_pk>.jpg", views.event_picture, name="event-picture"),
]

api_urlpatterns = [
    path("", apis.CameraListApi.as_view(), name="list"),
    path("isapi/<str:token>/", intake.isapi_push, name="isapi-push"),
    path("drones/track/", apis.DroneTrackApi.as_view(), name="drone-track"),
]
