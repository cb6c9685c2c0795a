"""Check-in by name at the door: for someone without their badge (or a guest whose badge is not printed yet),
door staff and organisers find them by a part of their name and check them in. The list shows what the door
needs and no more: first name and surname initial, role, organisation (employers and guests), badge state."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from badges.day import door
from badges.day.page_helpers import DESK_WEB, published
from badges.day.services import day_holder
from badges.models import CheckIn, CheckInMethod, HolderKind
from badges.people import KIND_PLURALS, Holder, holders
from events.platform.auth import requires
from events.platform.errors import NotFoundError
from events.platform.models import Role
from events.platform.web import EventPageController, EventWeb

desk = requires(Role.ORGANISER, Role.DOOR)
# Who is found by name: anyone with a badge at the event but the staff (who have accounts).
FOUND = (HolderKind.GUEST, HolderKind.CANDIDATE, HolderKind.EMPLOYER)
PLURALS = {kind: word for word, kind in KIND_PLURALS.items()}
MIN_QUERY = 2
MAX_SHOWN = 25


def matches(people: list[Holder], query: str) -> list[Holder]:
    """The people whose name (or, for employers and guests, organisation) holds every word of ``query``, in any
    case; nobody for a query shorter than two characters (the door does not browse the list)."""
    words = query.casefold().split()
    if len("".join(words)) < MIN_QUERY:
        return []
    found = []
    for person in people:
        text = f"{person.full_name} {person.organisation or ''}".casefold()
        if all(word in text for word in words):
            found.append(person)
    return found[:MAX_SHOWN]


class DoorPages(EventPageController):
    path = "/events/{event_ref:str}/door"
    guards = [desk]
    dependencies = DESK_WEB

    @get("/", name="door")
    async def by_name(self, web: NamedDependency[EventWeb], q: FromQuery[str] = "") -> Template:
        """The search form and, for a query, who matches with whether they are in."""
        query = q.strip()[:100]
        found = matches(await holders(web.db, web.event, FOUND), query)
        arrived = set(
            await web.db.scalars(
                select(CheckIn.holder).where(
                    CheckIn.event_id == web.event.id, CheckIn.holder.in_([h.token_subject for h in found])
                )
            )
        )
        rows: list[dict[str, Any]] = [
            {
                "holder": h,
                "plural": PLURALS[h.kind],
                "person": door.person_at_door(h, 0, ""),
                "in": h.token_subject in arrived,
            }
            for h in found
        ]
        return Template("badges/door.html", context={"event": web.event, "q": query, "rows": rows})

    @post("/{kind:str}/{holder_id:int}", name="door-check-in")
    async def check_in(self, web: NamedDependency[EventWeb], kind: FromPath[str], holder_id: FromPath[int]) -> Redirect:
        """Check the person in, found by name (once: a second time changes nothing)."""
        if KIND_PLURALS.get(kind) not in FOUND:
            raise NotFoundError("person")
        holder = await day_holder(web.db, web.event, kind, holder_id)
        done, _ = await door.record_check_in(web.db, web.event, holder, by=web.user, method=CheckInMethod.NAME)
        target = f"/door?msg={'checked_in' if done else 'already_in'}"
        change = {"type": "check_in", "holder": holder.token_subject, "kind": holder.kind.value}
        return published(web, target, change) if done else web.redirect(target)
