"""Security headers on every response: pages, redirects, errors, the API, static files."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from events.demo.seed import DemoResult
from tests.conftest import DOOR, login


def _script_sources(policy: str) -> list[str]:
    found = re.search(r"script-src ([^;]+)", policy)
    assert found, policy
    return found.group(1).split()


def test_every_kind_of_response_carries_the_security_headers(client: TestClient[Litestar], demo: DemoResult) -> None:
    responses = {
        "login page": client.get("/login"),
        "redirect": client.get("/", follow_redirects=False),
        "missing page": client.get("/no-such-page"),
        "api error": client.get("/api/auth/me"),
        "static file": client.get("/static/css/app.css"),
        "bad badge": client.get("/b/not-a-token"),
    }
    assert responses["redirect"].status_code == 303
    assert responses["api error"].status_code == 401
    for name, response in responses.items():
        policy = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in policy, name
        assert "'unsafe-inline'" not in _script_sources(policy), name
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["x-frame-options"] == "DENY", name
        assert response.headers["referrer-policy"], name
    # The badge page keeps its own, stricter referrer policy.
    assert responses["bad badge"].headers["referrer-policy"] == "no-referrer"


def test_the_scanner_may_compile_its_decoder_and_nothing_inline(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, DOOR)
    page = client.get("/scan/?event=samen-werkt")
    sources = _script_sources(page.headers["content-security-policy"])
    assert sources == ["'self'", "'wasm-unsafe-eval'"]
    assert "<script>" not in page.text
    wasm = client.get("/static/vendor/zxing-wasm-3.1.4/zxing_reader.wasm")
    assert wasm.status_code == 200
    assert wasm.headers["content-type"] == "application/wasm"
    worker = client.get("/scan/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "__FILES__" not in worker.text
    assert "/static/vendor/zxing-wasm-3.1.4/zxing_reader.wasm" in worker.text
