"""With MEETMATCH_REDIS_URL set, sessions live in Redis: a login on one app process is valid on another."""

from __future__ import annotations

import socket

from litestar.testing import TestClient

from events.app import create_app
from events.demo import DEMO_PASSWORD, DemoResult
from events.settings import Settings
from tests.conftest import ORGANISER, require

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_redis_sessions_are_shared_between_app_instances(database: Settings, demo: DemoResult) -> None:
    require(redis_is_up(), "Redis is not running on 127.0.0.1:6379")
    settings = database.with_changes(redis_url=REDIS_URL)

    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        login = first.post("/api/auth/login", json={"email": ORGANISER, "password": DEMO_PASSWORD})
        second.cookies.update(first.cookies)
        me_on_second = second.get("/api/auth/me")
        logout = second.post("/api/auth/logout", headers={"x-csrftoken": second.cookies.get("csrftoken") or ""})
        me_after_logout = first.get("/api/auth/me")

    assert login.status_code == 200
    assert me_on_second.status_code == 200
    assert me_on_second.json()["email"] == ORGANISER
    assert logout.status_code == 200
    assert me_after_logout.status_code == 401
