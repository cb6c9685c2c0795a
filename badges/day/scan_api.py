"""The scanner's JSON API: `POST /api/scans`, the offline list of badge hashes, and the employer's quick
follow-up after a talk."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, put
from litestar import post as post_route
from litestar.di import NamedDependency
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK
from litestar.stores.base import Store
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day import scans
from badges.day.door import MAX_DEVICE, desk_event
from badges.models import CheckIn, HolderKind, PersonToken, TokenPurpose
from badges.people import holder_id_of, holders
from events.platform.auth import CurrentUser, requires
from events.platform.deps import AppContext
from events.platform.models import CandidateParticipation, Event, Role
from events.platform.security import SESSION_COOKIE, FailureCounter, digest

scanners = requires(Role.DOOR, Role.ORGANISER, Role.EMPLOYER)
door = requires(Role.DOOR, Role.ORGANISER)
talk_owners = requires(Role.EMPLOYER, Role.ORGANISER)


class ScanIn(msgspec.Struct, forbid_unknown_fields=True):
    """A scan. `token` is the badge code (the last part of the QR's URL, or the whole URL); `nonce` is the
    scanner's own id for this scan, so that sending it again returns the first answer. Optional: `event`
    (id or slug: a badge of another event is then answered `wrong_event`), `device` (the scanner's id, for
    the record and the allowance of failed scans), `scanned_at` (when a scan queued offline was made) and
    `typed` (the code was typed, not scanned)."""

    token: Annotated[str, msgspec.Meta(max_length=600)]
    nonce: Annotated[str, msgspec.Meta(min_length=1, max_length=scans.MAX_NONCE)]
    kind: Literal["checkin", "meeting"]
    event: Annotated[str, msgspec.Meta(max_length=80)] | None = None
    device: Annotated[str, msgspec.Meta(max_length=MAX_DEVICE)] | None = None
    scanned_at: dt.datetime | None = None
    typed: bool = False


class FollowUpIn(msgspec.Struct, forbid_unknown_fields=True):
    follow_up: Literal["yes", "maybe", "no", ""] | None = None
    note: Annotated[str, msgspec.Meta(max_length=scans.MAX_NOTE)] | None = None


class TalkOut(msgspec.Struct):
    id: int
    planned: bool
    round: int | None
    follow_up: str | None
    note: str


class ScanThrottle:
    """Failed scans (unknown or revoked badges) per account and device in a fixed window: a device that
    guesses codes is stopped, a busy entrance scanning good badges never is."""

    def __init__(self, store: Store, limit: int = 30, window: int = 60) -> None:
        self.counter = FailureCounter(store, limit, window)

    @staticmethod
    def _key(user: CurrentUser, device: str) -> str:
        return f"scan-failures:{user.id}:{digest(device)}"

    async def retry_after(self, user: CurrentUser, device: str) -> int | None:
        return await self.counter.wait(self._key(user, device), time.time())

    async def failed(self, user: CurrentUser, device: str) -> None:
        await self.counter.add(self._key(user, device), time.time())


def badge_code(text: str) -> str:
    """The token in what a scanner read: the whole QR URL (…/b/<token>) or the bare code."""
    marker = "/b/"
    if marker in text:
        return text.rsplit(marker, 1)[1].split("?", 1)[0].split("#", 1)[0]
    return text


def _device(request: Request[Any, Any, Any], given: str | None) -> str:
    if given:
        return given
    session_id = request.cookies.get(SESSION_COOKIE, "")
    return f"session:{digest(session_id)[:16]}" if session_id else "unknown"


class ScanApi(Controller):
    path = "/api"
    tags = ["event day"]

    @post_route("/scans", name="api:scan", guards=[scanners], status_code=HTTP_200_OK)
    async def scan(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ScanIn],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[dict[str, Any]]:
        """Check a badge in at the door (`kind` "checkin") or log a talk at an employer's table ("meeting").

        The answer's `code` is one of `checked_in`, `already_checked_in`, `meeting_logged`, `revoked`,
        `unknown`, `wrong_event`, `not_allowed`, `not_today` (scans are taken on the event's day only, in
        Amsterdam, unless an organiser opened the door early for a rehearsal; a scan queued offline is judged
        by its `scanned_at`), with a readable `message`. The same nonce always gets the first answer back
        (`repeated` is then true); the same badge checks in once."""
        device = _device(request, data.device)
        throttle: ScanThrottle = request.app.state.scan_throttle
        wait = await throttle.retry_after(current_user, device)
        if wait is not None:
            raise TooManyRequestsException(
                detail="Too many unknown badges from this device; wait a moment",
                headers={"Retry-After": str(wait)},
            )
        scan_request = scans.ScanRequest(
            token=badge_code(data.token),
            nonce=data.nonce,
            kind=scans.ScanKind(data.kind),
            event=data.event,
            device=device,
            scanned_at=data.scanned_at,
            typed=data.typed,
        )
        # SQLite has one writer at a time, and a writer that finds the lock taken sleeps in growing steps
        # (up to 100 ms) before it tries again; queueing this process's scans in order avoids those sleeps.
        # PostgreSQL needs no such queue: its row locks decide (see badges.day.scans).
        async with ctx.write_queue:
            result = await scans.scan(db_session, current_user, scan_request)
            # Committed here, inside the queue, rather than by the plugin after the response: the next scan in the
            # queue then finds SQLite's write lock free. And the dashboard hears of it after this commit, so
            # that what it then reads includes this scan.
            await db_session.commit()
        answer = result.answer
        if result.event_id is not None and result.change is not None:
            request.app.state.live.publish(result.event_id, result.change)
        if answer["code"] in scans.FAILED and not answer.get("repeated"):
            await throttle.failed(current_user, device)
        return Response(answer, headers={"Cache-Control": "no-store"})

    @get("/events/{event_ref:str}/scan-list", name="api:scan-list", guards=[door])
    async def scan_list(
        self,
        event_ref: FromPath[str],
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[dict[str, Any]]:
        """The event's badges for a scanner that loses its connection: the SHA-256 of each badge code (live
        or revoked), the holder's first name, role and badge number, whether the organiser left an
        instruction, and whether they are checked in. Never the codes themselves."""
        event = await desk_event(db_session, current_user, event_ref)
        return Response(await offline_list(db_session, event), headers={"Cache-Control": "no-store"})

    @put("/talks/{talk_id:int}", name="api:talk", guards=[talk_owners])
    async def follow_up(
        self,
        talk_id: FromPath[int],
        data: JSONBody[FollowUpIn],
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
    ) -> TalkOut:
        """The employer's quick answer after a talk: `follow_up` yes / maybe / no, and an optional short
        `note` that only the organiser and the candidate's coach can read."""
        talk = await scans.set_follow_up(db_session, current_user, talk_id, data.follow_up, data.note)
        return TalkOut(talk.id, talk.planned, talk.round, talk.follow_up.value if talk.follow_up else None, talk.note)


async def offline_list(session: AsyncSession, event: Event) -> dict[str, Any]:
    people = await holders(
        session, event, (HolderKind.CANDIDATE, HolderKind.EMPLOYER, HolderKind.STAFF, HolderKind.GUEST)
    )
    by_key = {h.key: h for h in people}
    with_instruction = set(
        await session.scalars(
            select(CandidateParticipation.id).where(
                CandidateParticipation.event_id == event.id, CandidateParticipation.door_instruction != ""
            )
        )
    )
    arrival_rows = await session.execute(select(CheckIn.holder, CheckIn.at).where(CheckIn.event_id == event.id))
    arrived: dict[str, dt.datetime] = dict(arrival_rows.tuples().all())
    badges: list[dict[str, Any]] = []
    rows = await session.scalars(
        select(PersonToken)
        .where(PersonToken.event_id == event.id, PersonToken.purpose == TokenPurpose.BADGE)
        .order_by(PersonToken.number, PersonToken.version)
    )
    for row in rows:
        holder = by_key.get((row.holder_kind, holder_id_of(row)))
        if holder is None:
            continue
        at = arrived.get(holder.token_subject)
        badges.append(
            {
                "hash": row.token_hash,
                "state": "revoked" if row.revoked_at else "live",
                "holder": holder.token_subject,
                "first_name": holder.first_name,
                "role": holder.kind.value,
                "number": row.number,
                "instruction": holder.kind is HolderKind.CANDIDATE and holder.id in with_instruction,
                "checked_in_at": at.isoformat() if at else None,
            }
        )
    return {
        "event": {"id": event.id, "slug": event.slug, "name": event.name},
        "generated_at": dt.datetime.now(dt.UTC).isoformat(),
        "badges": badges,
    }
