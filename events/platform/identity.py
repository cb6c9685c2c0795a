"""Who is asking, as the services see it: kept apart from the web layer (events.platform.auth), so that the command line
and the background jobs use the services without loading the web framework."""

from __future__ import annotations

from dataclasses import dataclass

from events.platform.models import Role


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in user as the request sees it."""

    id: int
    email: str
    name: str
    role: Role
    organisation_id: int | None
    event_id: int | None
    locale: str
    # The command line and background jobs act for the whole installation (events.platform.reach); no login does.
    everywhere: bool = False
    # An organiser explicitly allowed to read criminal-justice data of their organisation's programme participants.
    reads_justice: bool = False

    @property
    def is_organiser(self) -> bool:
        return self.role is Role.ORGANISER
