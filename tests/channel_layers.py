"""The Redis channel layer as production configures it (opscenter/settings.py), under a prefix of the test's."""

import os
import uuid

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_channel_layers(prefix: str | None = None, url: str = REDIS_URL) -> dict:
    return {
        "default": {
            "BACKEND": "opscenter.layers.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": url, "socket_timeout": None}],
                "prefix": prefix or f"test-{uuid.uuid4().hex[:8]}",
                "capacity": 1000,
            },
        }
    }
