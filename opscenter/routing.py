from django.urls import path

from opscenter.consumers import AlertFeedConsumer, TabletConsumer

websocket_urlpatterns = [
    path("ws/alerts/", AlertFeedConsumer.as_asgi()),
    path("ws/tablet/", TabletConsumer.as_asgi()),
]
