"""Waiting for a condition instead of sleeping a fixed time: a test goes on as soon as what it waits for is
there, and still asserts what it asserted before when it does not come in time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], seconds: float, *, every: float = 0.05) -> T:
    """Ask ``condition`` every ``every`` seconds until it gives something true or ``seconds`` have passed; its
    last answer (so `assert wait_until(...)` fails as the plain assert did)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every)


async def wait_until_async(condition: Callable[[], Awaitable[T]], seconds: float, *, every: float = 0.01) -> T:
    """`wait_until` inside an event loop, for a condition that is awaited."""
    deadline = time.monotonic() + seconds
    while True:
        value = await condition()
        if value or time.monotonic() >= deadline:
            return value
        await asyncio.sleep(every)
