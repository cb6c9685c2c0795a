"""Live updates for the organiser's pages on the day, through Litestar channels: in memory for one process,
Redis (MEETMATCH_REDIS_URL) when several processes serve the app, so a scan taken by one reaches the
dashboard served by another. A message only says that something changed; the page's stream then reads
the figures from the database, so no message carries personal data."""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Response
from litestar.background_tasks import BackgroundTask
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from events.platform.settings import Settings


def _redis_backend(url: str) -> ChannelsBackend:
    from litestar.channels.backends.redis import RedisChannelsPubSubBackend
    from redis.asyncio import Redis

    class Backend(RedisChannelsPubSubBackend):
        """Closes its own connection pool when the app stops (the stock backend leaves that to its owner)."""

        async def on_shutdown(self) -> None:
            await super().on_shutdown()
            await self._redis.aclose()

    return Backend(redis=Redis.from_url(url))


def make_channels(settings: Settings) -> ChannelsPlugin:
    backend: ChannelsBackend
    backend = _redis_backend(settings.redis_url) if settings.redis_url else MemoryChannelsBackend()
    # Slow readers drop their oldest messages: each one only means "read the figures again".
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=50,
        subscriber_backlog_strategy="dropleft",
    )


class Live:
    """What the rest of the app calls: publish a change of an event (after its transaction committed), and the
    channel a dashboard listens to."""

    def __init__(self, channels: ChannelsPlugin, installation: str) -> None:
        self.channels = channels
        self.installation = installation

    def channel(self, event_id: int) -> str:
        """The event's channel. Redis keeps publish/subscribe channels for the whole server, whatever the
        database number, so the name carries the installation: another installation's event 1 (a training
        copy on the same Redis, say) is another channel."""
        return f"meetmatch:{self.installation}:event:{event_id}"

    def publish(self, event_id: int, change: dict[str, Any]) -> None:
        self.channels.publish(change, self.channel(event_id))


ResponseT = TypeVar("ResponseT", bound=Response[Any])


def publish_after(response: ResponseT, live: Live, event_id: int, change: dict[str, Any]) -> ResponseT:
    """`response`, telling the event's dashboards of `change` once it has been sent. The SQLAlchemy plugin
    commits the request's transaction as the response starts (its before-send handler) and a response's
    background task runs after the response, so what the dashboards then read includes the change; when the
    commit fails, nothing is published. No handler has to commit by hand for this."""
    response.background = BackgroundTask(live.publish, event_id, change)
    return response
