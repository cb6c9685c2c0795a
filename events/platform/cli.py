"""What the slices' command modules share, importing nothing but the standard library: events/cli.py mounts
them while it is itself being imported, so its helpers are looked up when a command runs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def handled(func: Callable[..., T]) -> Callable[..., T]:
    """events.cli.handle_errors around ``func``, looked up when the command runs."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        from events.cli import handle_errors

        return handle_errors(func)(*args, **kwargs)

    return wrapper
