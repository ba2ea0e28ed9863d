"""The live alert feed over websockets: authenticate, join the groups of the user's scope, send the
open alerts, then forward every change. Transport only; scope comes from the selectors."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from opscenter.selectors import alert_list, live_groups_for
from opscenter.serializers import AlertSerializer

SNAPSHOT_LIMIT = 5000


class AlertFeedConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = await database_sync_to_async(live_groups_for)(user=user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        # Joined before the snapshot is read, so no change between the two is missed (the client
        # keeps the newest `updated_at` of each alert, so a change seen twice does no harm).
        snapshot = await database_sync_to_async(self._open_alerts)(user)
        await self.send_json({"type": "snapshot", "alerts": snapshot})

    @staticmethod
    def _open_alerts(user) -> list[dict]:
        alerts = alert_list(user=user, open_only=True)[:SNAPSHOT_LIMIT]
        return list(AlertSerializer(alerts, many=True).data)

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def alert_changed(self, event: dict) -> None:
        await self.send_json({"type": "alert", "alert": event["alert"]})

    async def alert_escalated(self, event: dict) -> None:
        await self.send_json({key: value for key, value in event.items()})
