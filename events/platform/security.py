"""Passwords, server-side sessions, CSRF tokens and the login throttle.

Sessions live in a Litestar store (in memory for one process, Redis when ``MEETMATCH_REDIS_URL`` is set),
keyed by a hash of the cookie value so that a leaked store does not leak usable cookies. CSRF tokens are
double-submit tokens bound to the session by an HMAC, so a token minted for another session (or forged)
is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from events.platform.settings import Settings

if TYPE_CHECKING:
    from litestar.stores.base import Store

SESSION_COOKIE = "meetmatch_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
CSRF_FIELD = "_csrf_token"
LANGUAGE_COOKIE = "meetmatch_lang"

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown e-mail equal to that of a wrong password.
_DUMMY_HASH = _hasher.hash("meetmatch-dummy-password")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; spends the same time when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > 1024:
        return "is too long"
    return None


def digest(value: str) -> str:
    """A hex SHA-256, for looking up secrets (session ids, link tokens) without storing them."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class SessionData:
    """What a session remembers: whose it is and how old it is."""

    user_id: int
    role: str
    created: float
    seen: float

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> SessionData | None:
        try:
            data = json.loads(raw)
            return cls(
                user_id=int(data["user_id"]),
                role=str(data["role"]),
                created=float(data["created"]),
                seen=float(data["seen"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


class SessionStore:
    """Server-side sessions with idle and absolute timeouts per role."""

    # Writing "last seen" on every request would make every page a store write; a minute is precise enough.
    TOUCH_INTERVAL = 60

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def _timeouts(self, role: str) -> tuple[int, int]:
        return self.settings.idle_timeouts.get(role, 1800), self.settings.absolute_timeouts.get(role, 12 * 3600)

    async def create(self, user_id: int, role: str, now: float | None = None) -> str:
        """Start a session and return the cookie value."""
        now = time.time() if now is None else now
        session_id = secrets.token_urlsafe(32)
        idle, _ = self._timeouts(role)
        data = SessionData(user_id=user_id, role=role, created=now, seen=now)
        await self.store.set(digest(session_id), data.to_json(), expires_in=idle)
        await self._index(user_id, session_id)
        return session_id

    async def _index(self, user_id: int, session_id: str) -> None:
        # Remember a user's sessions so that disabling an account or "log out everywhere" can end them all.
        key = f"user:{user_id}"
        raw = await self.store.get(key)
        ids: list[str] = json.loads(raw) if raw else []
        ids = [*ids[-19:], digest(session_id)]
        await self.store.set(key, json.dumps(ids).encode(), expires_in=7 * 24 * 3600)

    async def load(self, session_id: str, now: float | None = None) -> SessionData | None:
        """The live session for a cookie value, or None when unknown or timed out."""
        now = time.time() if now is None else now
        key = digest(session_id)
        raw = await self.store.get(key)
        data = SessionData.from_json(raw) if raw else None
        if data is None:
            return None
        idle, absolute = self._timeouts(data.role)
        if now - data.seen > idle or now - data.created > absolute:
            await self.store.delete(key)
            return None
        if now - data.seen > self.TOUCH_INTERVAL:
            data.seen = now
            remaining = int(min(idle, absolute - (now - data.created))) + 1
            await self.store.set(key, data.to_json(), expires_in=max(remaining, 1))
        return data

    async def delete(self, session_id: str) -> None:
        await self.store.delete(digest(session_id))

    async def delete_all_for(self, user_id: int) -> None:
        """End every session of one user."""
        key = f"user:{user_id}"
        raw = await self.store.get(key)
        for digest in json.loads(raw) if raw else []:
            await self.store.delete(digest)
        await self.store.delete(key)


class CsrfTokens:
    """Double-submit CSRF tokens, each bound by an HMAC to the session it was minted for."""

    def __init__(self, settings: Settings) -> None:
        self.key = settings.derive_key("csrf")

    def _mac(self, nonce: str, binding: str) -> str:
        mac = hmac.new(self.key, f"{nonce}|{binding}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")

    @staticmethod
    def binding(session_id: str | None) -> str:
        return digest(session_id) if session_id else "anonymous"

    def mint(self, session_id: str | None) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._mac(nonce, self.binding(session_id))}"

    def valid(self, token: str | None, session_id: str | None) -> bool:
        if not token or token.count(".") != 1 or len(token) > 200:
            return False
        nonce, mac = token.split(".")
        return hmac.compare_digest(mac, self._mac(nonce, self.binding(session_id)))


class FailureCounter:
    """Failures per key in a fixed window that ends by itself, kept in a store (Redis when several processes
    share it): the login throttle's and the scanner's."""

    def __init__(self, store: Store, limit: int, window: int) -> None:
        self.store = store
        self.limit = limit
        self.window = window

    async def _read(self, key: str, now: float) -> dict[str, Any]:
        raw = await self.store.get(key)
        if raw:
            data: dict[str, Any] = json.loads(raw)
            if now - float(data["first"]) < self.window:
                return data
        return {"count": 0, "first": now}

    async def wait(self, key: str, now: float) -> int | None:
        """Seconds until the key's window ends if it is full, else None."""
        data = await self._read(key, now)
        if data["count"] >= self.limit:
            return int(self.window - (now - float(data["first"]))) + 1
        return None

    async def add(self, key: str, now: float) -> None:
        data = await self._read(key, now)
        data["count"] += 1
        remaining = int(self.window - (now - float(data["first"]))) + 1
        await self.store.set(key, json.dumps(data).encode(), expires_in=max(remaining, 1))

    async def clear(self, key: str) -> None:
        await self.store.delete(key)


class LoginThrottle:
    """Counts failed logins per account and per address in a fixed window; the window ends by itself."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.counter = FailureCounter(store, settings.login_max_failures, settings.login_window_seconds)

    @staticmethod
    def _keys(email: str, address: str) -> tuple[str, str]:
        return f"account:{digest(email.strip().lower())}", f"address:{digest(address)}"

    async def retry_after(self, email: str, address: str, now: float | None = None) -> int | None:
        """Seconds until another attempt is allowed, or None when it is allowed now."""
        now = time.time() if now is None else now
        waits = [w for key in self._keys(email, address) if (w := await self.counter.wait(key, now)) is not None]
        return max(waits) if waits else None

    async def failed(self, email: str, address: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for key in self._keys(email, address):
            await self.counter.add(key, now)

    async def succeeded(self, email: str) -> None:
        # Only the account's counter: an address shared by a whole office stays throttled for the guesser.
        await self.counter.clear(self._keys(email, "")[0])


class ExportThrottle:
    """Exports per account in a fixed window (PDFs and spreadsheets of many people are costly to make and are
    what a stolen session would be used for); kept in the shared store, so the limit holds across processes."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.counter = FailureCounter(store, settings.export_max_per_window, settings.export_window_seconds)

    async def take(self, user_id: int, now: float | None = None) -> int | None:
        """Count one export; the seconds to wait instead when the account's allowance is used up."""
        now = time.time() if now is None else now
        key = f"exports:{user_id}"
        wait = await self.counter.wait(key, now)
        if wait is None:
            await self.counter.add(key, now)
        return wait


async def export_limit(connection: Any, _handler: Any) -> None:
    """A guard for every export route: 429 with Retry-After when the account made too many exports lately."""
    from litestar.exceptions import TooManyRequestsException

    user = connection.scope.get("user")
    throttle: ExportThrottle = connection.app.state.export_throttle
    wait = await throttle.take(getattr(user, "id", 0))
    if wait is not None:
        raise TooManyRequestsException(
            detail="Too many exports in a short time; wait a moment", headers={"Retry-After": str(wait)}
        )


# Sent with every response, redirects and errors included. Scripts only from our own files (the scanner's QR
# decoder compiles WebAssembly, hence 'wasm-unsafe-eval'; never 'unsafe-inline' for scripts); styles may be
# inline (the print layouts place boxes with style attributes); nothing may frame the app.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; worker-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


async def add_security_headers(message: Any, _scope: Any) -> None:
    """A before-send hook: the security headers on every response start, unless a handler set its own (the
    badge pages send no-referrer)."""
    if message.get("type") != "http.response.start":
        return
    headers = list(message.get("headers") or [])
    present = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
    message["headers"] = headers
