"""With MEETMATCH_REDIS_URL set, sessions live in Redis: a login on one app process is valid on another."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import httpx
from litestar.testing import TestClient

from events.app import create_app
from events.demo.seed import DEMO_PASSWORD, DemoResult
from events.platform.settings import Settings
from tests.conftest import DOOR, ORGANISER, TEST_KEY, create_tables, credentials, require, run
from tests.waiting import wait_until_async

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


async def subscribed(channel: str) -> None:
    """Wait until Redis has the subscription to ``channel`` in place (a message published before would be lost)."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)

    async def subscribers() -> int:
        return int(dict(await client.pubsub_numsub(channel)).get(channel.encode(), 0))

    try:
        assert await wait_until_async(subscribers, 5), f"no subscription to {channel} in Redis"
    finally:
        await client.aclose()


def test_redis_sessions_are_shared_between_app_instances(database: Settings, demo: DemoResult) -> None:
    require(redis_is_up(), "Redis is not running on 127.0.0.1:6379")
    settings = database.with_changes(redis_url=REDIS_URL)

    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        login = first.post("/api/auth/login", json=credentials(ORGANISER))
        second.cookies.update(first.cookies)
        me_on_second = second.get("/api/auth/me")
        logout = second.post("/api/auth/logout", headers={"x-csrftoken": second.cookies.get("csrftoken") or ""})
        me_after_logout = first.get("/api/auth/me")

    assert login.status_code == 200
    assert me_on_second.status_code == 200
    assert me_on_second.json()["email"] == ORGANISER
    assert logout.status_code == 200
    assert me_after_logout.status_code == 401


def test_a_scan_on_one_app_instance_reaches_the_dashboard_stream_of_another(
    database: Settings, demo: DemoResult
) -> None:
    """Live updates go through Redis when it is configured: a scan answered by the first instance is heard
    by a subscriber of the second one's live channel (what its dashboard stream listens to)."""
    require(redis_is_up(), "Redis is not running on 127.0.0.1:6379")
    settings = database.with_changes(redis_url=REDIS_URL)

    async def listen_and_scan() -> dict[str, object]:
        from badges.models import HolderKind, TokenPurpose
        from badges.people import holders, live_tokens
        from events.demo.seed import DEMO_SLUG
        from events.platform.db import open_session
        from events.platform.services import find_event

        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            people = await holders(session, event, (HolderKind.CANDIDATE,))
            token = (await live_tokens(session, database, event, TokenPurpose.BADGE, people[:1]))[people[0].key][0]
            await session.commit()
        first, second = create_app(settings), create_app(settings)
        async with first.lifespan(), second.lifespan():
            subscriber = await second.state.live.channels.subscribe(second.state.live.channel(event.id))
            await subscribed(second.state.live.channel(event.id))
            transport = httpx.ASGITransport(app=first)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
                await http.post("/api/auth/login", json={"email": DOOR, "password": DEMO_PASSWORD})
                answer = await http.post(
                    "/api/scans",
                    json={"token": token, "nonce": "redis-1", "kind": "checkin"},
                    headers={"x-csrftoken": http.cookies["csrftoken"]},
                )
                assert answer.json()["code"] == "checked_in"
            events = subscriber.iter_events()
            heard = await asyncio.wait_for(events.__anext__(), timeout=5)
            await events.aclose()
            await second.state.live.channels.unsubscribe(subscriber)
            return dict(json.loads(heard))

    heard = asyncio.run(listen_and_scan())
    assert heard["type"] == "check_in"
    assert str(heard["holder"]).startswith("candidate:")


def test_two_installations_on_one_redis_do_not_hear_each_other(database: Settings, tmp_path: Path) -> None:
    """Redis keeps publish/subscribe channels for the whole server, whatever its database number: another
    installation's event 1 (say a training copy on the same Redis) must not refresh this one's dashboard."""
    require(redis_is_up(), "Redis is not running on 127.0.0.1:6379")
    ours = database.with_changes(redis_url=REDIS_URL)
    theirs_dir = tmp_path / "theirs"
    theirs_dir.mkdir()
    theirs = Settings(
        data_dir=theirs_dir,
        database_url=f"sqlite+aiosqlite:///{theirs_dir / 'theirs.sqlite'}",
        secret_key=TEST_KEY,
        redis_url=REDIS_URL,
    )
    run(create_tables(theirs))

    async def publish_and_listen() -> tuple[list[bytes], list[bytes]]:

        mine, other = create_app(ours), create_app(theirs)
        async with mine.lifespan(), other.lifespan():
            listener = await mine.state.live.channels.subscribe(mine.state.live.channel(1))
            await subscribed(mine.state.live.channel(1))
            other.state.live.publish(1, {"type": "check_in", "holder": "candidate:1"})
            heard_from_other = await _heard(listener)
            mine.state.live.publish(1, {"type": "check_in", "holder": "candidate:2"})
            heard_from_mine = await _heard(listener)
            await mine.state.live.channels.unsubscribe(listener)
            return heard_from_other, heard_from_mine

    from_other, from_mine = asyncio.run(publish_and_listen())

    assert from_other == []
    assert [json.loads(m)["holder"] for m in from_mine] == ["candidate:2"]


async def _heard(listener: Any) -> list[bytes]:
    """What the listener receives within a second."""
    events = listener.iter_events()
    try:
        return [await asyncio.wait_for(events.__anext__(), timeout=1)]
    except TimeoutError:
        return []
    finally:
        await events.aclose()
