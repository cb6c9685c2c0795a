"""Two-factor login: a time-based code from an authenticator app (TOTP, RFC 6238), or a recovery code.

Organisers and coaches must use it (they see why a candidate is distant from work); employers and door staff
may switch it on. After the password, the login is *pending* (a short-lived record in the shared store, named
by a cookie) until the code is given; an organiser or coach without two-factor login sets it up right there,
before any page of the app opens.

- The secret is 160 random bits, stored encrypted (events.platform.crypto) and shown once, as a QR code and as text.
- A code is accepted for the current 30-second step and one step either side (a phone's clock drifts), and
  only once: the last accepted step is kept per account and moved forward in one conditional UPDATE, so two
  processes cannot both accept the same code (RFC 6238, 5.2).
- Ten recovery codes of 50 random bits each, stored as keyed hashes and used once, likewise in one UPDATE.
- Wrong codes count as failed logins in the login throttle; the password's success does not clear the
  account's failures until the second step succeeds, so knowing the password does not buy more guesses.

The demo's accounts get fixed secrets and recovery codes (`demo_secret`, `demo_recovery_codes`), printed by
the demo like its password, so that the demo stays usable; never use the demo on a real installation.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import crypto
from events.platform.models import RecoveryCode, Role, User
from events.platform.security import digest

if TYPE_CHECKING:
    from litestar.stores.base import Store

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of the current one
RECOVERY_CODES = 10
ISSUER = "meetmatch"
REQUIRED_ROLES = frozenset({Role.ADMIN, Role.ORGANISER, Role.COACH})
# A pending login (password given, code not yet) lasts this long and allows this many wrong codes.
PENDING_SECONDS = 600
PENDING_TRIES = 5
PENDING_COOKIE = "meetmatch_2fa"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # recovery codes: no 0/o, 1/l/i to misread

# The clock the codes are checked against; the in-process tests move it on (a code is good only once).
clock: Callable[[], float] = time.time


# --- the codes -------------------------------------------------------------------------------------------


def new_secret() -> str:
    """160 random bits in base32 (what authenticator apps read), without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def current_step(now: float | None = None) -> int:
    return int((clock() if now is None else now) // STEP_SECONDS)


def _totp(secret: str) -> TOTP:
    """The secret's TOTP generator (cryptography's: HOTP of the step counter, RFC 4226, with SHA-1 as the apps
    expect). Our secrets are 160 bits; the key length is not enforced so that every stored secret works."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    return TOTP(key, DIGITS, SHA1(), STEP_SECONDS, enforce_key_length=False)  # noqa: S303 - RFC 6238's HMAC-SHA-1


def code_at(secret: str, step: int) -> str:
    """The code of one time step."""
    return _totp(secret).generate(step * STEP_SECONDS).decode("ascii")


def matching_step(secret: str, code: str, after: int | None, now: float | None = None) -> int | None:
    """The time step whose code ``code`` is (within the window, later than step ``after``), or None."""
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = _totp(secret)
    centre = current_step(now)
    for step in range(centre - WINDOW, centre + WINDOW + 1):
        if after is not None and step <= after:
            continue
        try:
            totp.verify(code.encode("ascii"), step * STEP_SECONDS)  # compares in constant time
        except InvalidToken:
            continue
        return step
    return None


def otpauth_uri(secret: str, email: str) -> str:
    """The address an authenticator app reads from the QR code."""
    label = quote(f"{ISSUER}:{email}", safe="@:")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes() -> list[str]:
    """Ten codes like "k7mpq-x3wtr": 50 random bits each."""
    return [_recovery_format("".join(secrets.choice(_ALPHABET) for _ in range(10))) for _ in range(RECOVERY_CODES)]


def _recovery_format(letters: str) -> str:
    return f"{letters[:5]}-{letters[5:]}"


def normalise(code: str) -> str:
    """What someone typed: spaces and dashes left out, lower case."""
    return "".join(ch for ch in code.strip().lower() if ch not in " -")


def _recovery_hash(code: str) -> str:
    return crypto.keyed_digest(normalise(code), "recovery_code")


# --- the demo's accounts ---------------------------------------------------------------------------------


def demo_secret(email: str) -> str:
    """The fixed secret of a demo account (printed by the demo; demo data only)."""
    seed = hmac.new(b"meetmatch-demo-two-factor", email.strip().lower().encode(), hashlib.sha256).digest()
    return base64.b32encode(seed[:20]).decode("ascii").rstrip("=")


def demo_recovery_codes(email: str) -> list[str]:
    codes = []
    for n in range(RECOVERY_CODES):
        seed = hmac.new(b"meetmatch-demo-recovery", f"{email.strip().lower()}:{n}".encode(), hashlib.sha256)
        codes.append(_recovery_format("".join(_ALPHABET[b % len(_ALPHABET)] for b in seed.digest()[:10])))
    return codes


# --- accounts --------------------------------------------------------------------------------------------


def required_for(role: Role) -> bool:
    return role in REQUIRED_ROLES


def is_on(user: User) -> bool:
    return user.totp_secret is not None


async def enrol(
    session: AsyncSession, user: User, secret: str, step: int | None, codes: list[str] | None = None
) -> list[str]:
    """Switch two-factor login on with ``secret`` (whose code of ``step`` was just given, None when none was);
    the new recovery codes, to be shown once."""
    user.totp_secret = secret
    user.totp_last_step = step
    user.two_factor_since = dt.datetime.now(dt.UTC)
    await session.flush()
    return await replace_recovery_codes(session, user.id, codes)


async def replace_recovery_codes(session: AsyncSession, user_id: int, codes: list[str] | None = None) -> list[str]:
    """A fresh set of recovery codes; the old ones stop working."""
    codes = codes or new_recovery_codes()
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.add_all(RecoveryCode(user_id=user_id, code_hash=_recovery_hash(code)) for code in codes)
    await session.flush()
    return codes


async def recovery_codes_left(session: AsyncSession, user_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


async def switch_off(session: AsyncSession, user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    user.two_factor_since = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await session.flush()


async def check_code(session: AsyncSession, user: User, typed: str) -> str | None:
    """Whether ``typed`` is a good code for ``user``: "app" for an authenticator code, "recovery" for a
    recovery code (now used up), None otherwise. Each is accepted once, even by two processes at once."""
    code = normalise(typed)
    if user.totp_secret is None or not code:
        return None
    if code.isascii() and code.isdigit():
        step = matching_step(user.totp_secret, code, user.totp_last_step)
        if step is None:
            return None
        moved = await session.execute(
            update(User)
            .where(User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        return "app" if _rowcount(moved) == 1 else None
    used = await session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    return "recovery" if _rowcount(used) == 1 else None


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def enrol_demo_account(session: AsyncSession, user: User) -> None:
    """The demo's organisers and coaches get their fixed secret and recovery codes (printed by the demo)."""
    if user.totp_secret is None:
        # No code given yet (None): the demo may be built by a process whose clock differs from the server's.
        await enrol(session, user, demo_secret(user.email), None, demo_recovery_codes(user.email))


# --- pending logins --------------------------------------------------------------------------------------


@dataclass
class Pending:
    """A login between the password and the code."""

    user_id: int
    next: str
    setup_secret: str | None  # set when the account still has to set two-factor login up
    tries: int = 0


class PendingLogins:
    """Pending logins in the shared store (Redis with several processes), named by a random cookie value of
    which only a hash is stored; the setup secret is kept encrypted."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _key(token: str) -> str:
        return f"2fa:{digest(token)}"

    async def start(self, user_id: int, next_path: str, *, setup: bool) -> str:
        token = secrets.token_urlsafe(32)
        await self._save(token, Pending(user_id, next_path, new_secret() if setup else None))
        return token

    async def _save(self, token: str, pending: Pending) -> None:
        data = {
            "user_id": pending.user_id,
            "next": pending.next,
            "setup": crypto.encrypt(pending.setup_secret, "pending.setup") if pending.setup_secret else None,
            "tries": pending.tries,
        }
        await self.store.set(self._key(token), json.dumps(data).encode(), expires_in=PENDING_SECONDS)

    async def load(self, token: str | None) -> Pending | None:
        if not token:
            return None
        raw = await self.store.get(self._key(token))
        if raw is None:
            return None
        data = json.loads(raw)
        setup = crypto.decrypt(data["setup"], "pending.setup") if data.get("setup") else None
        return Pending(int(data["user_id"]), str(data["next"]), setup, int(data["tries"]))

    async def failed(self, token: str, pending: Pending) -> bool:
        """Count a wrong code; False when the pending login is used up (the password must be given again)."""
        pending.tries += 1
        if pending.tries >= PENDING_TRIES:
            await self.end(token)
            return False
        await self._save(token, pending)
        return True

    async def end(self, token: str) -> None:
        await self.store.delete(self._key(token))
