"""Limits that hold across processes and cannot be dodged: exports per account (through Redis when several
processes share it), and client addresses taken from X-Forwarded-For only behind a trusted proxy."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from litestar.stores.redis import RedisStore
from litestar.testing import TestClient

from events.app import create_app
from events.demo.seed import DemoResult
from events.platform.deps import client_address
from events.platform.settings import Settings, SettingsError
from tests.conftest import ORGANISER, credentials, require
from tests.platform.test_redis_sessions import REDIS_URL, redis_is_up


def test_exports_are_limited_per_account_across_app_processes(database: Settings, demo: DemoResult) -> None:
    require(redis_is_up(), "Redis is not running on 127.0.0.1:6379")
    settings = database.with_changes(redis_url=REDIS_URL, export_max_per_window=3, export_window_seconds=600)
    namespace = f"meetmatch-test:{uuid.uuid4().hex}"

    def stores() -> dict[str, Any]:
        # Each "process" has its own connection to the same Redis namespace.
        return {
            "session": RedisStore.with_client(url=REDIS_URL, namespace=f"{namespace}:session"),
            "throttle": RedisStore.with_client(url=REDIS_URL, namespace=f"{namespace}:throttle"),
        }

    path = "/events/samen-werkt/export/candidates.csv"
    with (
        TestClient(create_app(settings, stores=stores())) as first,
        TestClient(create_app(settings, stores=stores())) as second,
    ):
        assert first.post("/api/auth/login", json=credentials(ORGANISER)).status_code == 200
        second.cookies.update(first.cookies)
        answers = [first.get(path).status_code, second.get(path).status_code, first.get(path).status_code]
        refused = second.get(path)
        pdf_refused = first.get("/events/samen-werkt/results.pdf")

    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 600
    assert pdf_refused.status_code == 429  # one allowance for every kind of export


def _request(peer: str, forwarded: str | None, proxies: tuple[str, ...]) -> Any:
    headers = {"x-forwarded-for": forwarded} if forwarded is not None else {}
    settings = SimpleNamespace(trusted_proxies=proxies)
    return SimpleNamespace(
        scope={"client": (peer, 40000)},
        headers=headers,
        app=SimpleNamespace(state={"ctx": SimpleNamespace(settings=settings)}),
    )


def test_a_spoofed_forwarded_header_is_ignored_without_a_trusted_proxy() -> None:
    assert client_address(_request("198.51.100.7", "203.0.113.9", ())) == "198.51.100.7"
    # A trusted proxy configured, but the request did not come through it: the header is still the client's word.
    assert client_address(_request("198.51.100.7", "203.0.113.9", ("10.0.0.0/8",))) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client() -> None:
    proxies = ("10.0.0.0/8",)
    # The client put a fake address first; the proxies appended what they saw.
    chain = "1.2.3.4, 203.0.113.9, 10.0.0.5"
    assert client_address(_request("10.0.0.2", chain, proxies)) == "203.0.113.9"
    assert client_address(_request("10.0.0.2", None, proxies)) == "10.0.0.2"
    assert client_address(_request("10.0.0.2", "not-an-address, 10.0.0.9", proxies)) == "not-an-address"


def test_trusted_proxies_setting_names_a_wrong_entry(tmp_path: Any) -> None:
    env = {"MEETMATCH_DATA_DIR": str(tmp_path), "MEETMATCH_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    assert Settings.from_env(env).trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8")
    with pytest.raises(SettingsError, match=r"'proxy\.example' is not an address"):
        Settings.from_env({**env, "MEETMATCH_TRUSTED_PROXIES": "proxy.example"})


def test_login_throttle_by_address_is_not_dodged_with_forwarded_headers(database: Settings, demo: DemoResult) -> None:
    settings = database.with_changes(login_max_failures=3)
    with TestClient(create_app(settings)) as client:
        codes = [
            client.post(
                "/api/auth/login",
                json={"email": f"nobody{i}@example.org", "password": "wrong"},
                headers={"x-forwarded-for": f"203.0.113.{i}"},
            ).status_code
            for i in range(5)
        ]
    assert codes == [401, 401, 401, 429, 429]
