"""The `event` dependency of the day's pages: the path's event for the people who work the door (organisers on
any day, door accounts on a day its door is open), or for organisers and coaches at the desk, whose reach the
routes' guards already check."""

from __future__ import annotations

from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day.door import desk_event
from events.platform.identity import CurrentUser
from events.platform.models import Event
from events.platform.services import EventService


async def provide_desk_event(
    event_ref: FromPath[str], db_session: NamedDependency[AsyncSession], current_user: NamedDependency[CurrentUser]
) -> Event:
    """The event of the path for someone who works its door today; anyone else gets "not found"."""
    return await desk_event(db_session, current_user, event_ref)


async def provide_day_event(
    event_ref: FromPath[str], db_session: NamedDependency[AsyncSession], current_user: NamedDependency[CurrentUser]
) -> Event:
    """The event of the path by id or slug, within the user's reach (the routes' guards say which roles)."""
    return await EventService(db_session, current_user).get(event_ref)


desk_events = {"event": Provide(provide_desk_event)}
day_events = {"event": Provide(provide_day_event)}
