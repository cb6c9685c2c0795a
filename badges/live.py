"""Live updates for the organiser's pages on the day, through Litestar channels: in memory for one process,
Redis (MEETMATCH_REDIS_URL) when several processes serve the app, so a scan taken by one reaches the
dashboard served by another. A message only says that something changed; the page's stream then reads
the figures from the database, so no message carries personal data."""

from __future__ import annotations

from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from events.settings import Settings


def channel(event_id: int) -> str:
    return f"event:{event_id}"


def make_channels(settings: Settings) -> ChannelsPlugin:
    backend: ChannelsBackend
    if settings.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        backend = RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url), key_prefix="meetmatch:live")
    else:
        backend = MemoryChannelsBackend()
    # Slow readers drop their oldest messages: each one only means "read the figures again".
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=50,
        subscriber_backlog_strategy="dropleft",
    )


class Live:
    """What the rest of the app calls: publish a change of an event (after its transaction committed)."""

    def __init__(self, channels: ChannelsPlugin) -> None:
        self.channels = channels

    def publish(self, event_id: int, change: dict[str, Any]) -> None:
        self.channels.publish(change, channel(event_id))
