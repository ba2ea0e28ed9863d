from django.urls import path

from opscenter.consumers import AlertFeedConsumer

websocket_urlpatterns = [path("ws/alerts/", AlertFeedConsumer.as_asgi())]
