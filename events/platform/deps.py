"""Dependency providers shared by the controllers of every slice."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.stores.base import Store
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.identity import CurrentUser
from events.platform.models import Event
from events.platform.security import CsrfTokens, LoginThrottle, SessionStore
from events.platform.services import EventService
from events.platform.settings import Settings
from events.platform.twofactor import PendingLogins


@dataclass
class AppContext:
    """The app's long-lived helpers, kept in ``app.state.ctx``."""

    settings: Settings
    stores: dict[str, Store]
    sessions: SessionStore
    csrf: CsrfTokens
    login_throttle: LoginThrottle
    pending_logins: PendingLogins
    # On SQLite, write transactions of this process that come in bursts (scans) queue here in order instead
    # of polling SQLite's lock; on PostgreSQL it lets everyone through at once.
    write_queue: Any = field(default_factory=contextlib.nullcontext)


def provide_ctx(state: State) -> AppContext:
    ctx: AppContext = state.ctx
    return ctx


def provide_current_user(request: Request[Any, Any, Any]) -> CurrentUser:
    """The logged-in user; routes that use it are guarded, so None here is a programming error turned 401."""
    user = request.scope.get("user")
    if not isinstance(user, CurrentUser):
        raise NotAuthorizedException(detail="Log in first")
    return user


async def provide_event(
    event_ref: FromPath[str], db_session: NamedDependency[AsyncSession], current_user: NamedDependency[CurrentUser]
) -> Event:
    """The event of the path's ``{event_ref}`` (id or slug) within the current user's reach: out of reach answers
    exactly like missing (404), before the handler runs."""
    return await EventService(db_session, current_user).get(event_ref)


def provide_viewer(request: Request[Any, Any, Any]) -> CurrentUser | None:
    user = request.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def client_address(request: Request[Any, Any, Any]) -> str:
    """The address a request came from. X-Forwarded-For counts only when the peer is a trusted proxy
    (MEETMATCH_TRUSTED_PROXIES): then the nearest address in it that is not itself a trusted proxy. Without
    one configured, forwarded headers are ignored: they are whatever the client chose to send."""
    client = request.scope.get("client")
    peer = str(client[0]) if client else "unknown"
    ctx = request.app.state.get("ctx")
    proxies = ctx.settings.trusted_proxies if ctx is not None else ()
    if not proxies or not _within(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, proxies):
            return hop
    return peer


def _within(address: str, networks: tuple[str, ...]) -> bool:
    import ipaddress

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n) for n in networks)
