"""The round clock on the day: which round runs, how long it still runs, what comes next; the organiser
starts, pauses, resumes and shifts it. Every move is stored as a shift on the event (see
`Event.shift_seconds`), so personal pages, calendars and printed round cards show the times as they are."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from events.platform import dates
from events.platform.errors import DomainError
from events.platform.i18n import gettext as _t
from events.platform.labels import format_date
from events.platform.models import Event, EventStatus

MAX_SHIFT_MINUTES = 120


@dataclass(frozen=True, slots=True)
class Position:
    """Where a moment falls: in round `round` ("round"), before it ("before" round 1, "changeover" later), or
    "after" the last round."""

    phase: str
    round: int | None
    ends_at: dt.datetime | None  # when this phase ends (the round's end, or the next round's start)


def position(event: Event, moment: dt.datetime) -> Position:
    for number in range(1, event.rounds + 1):
        start, end = event.round_start(number), event.round_end(number)
        if moment < start:
            return Position("before" if number == 1 else "changeover", number, start)
        if moment < end:
            return Position("round", number, end)
    return Position("after", None, None)


@dataclass(frozen=True, slots=True)
class ClockView:
    state: str  # idle | running | paused
    phase: str
    round: int | None
    # Seconds left in the current phase (frozen while paused).
    remaining: int | None
    ends_at: dt.datetime | None
    next_round: int | None
    next_start: dt.datetime | None
    shifted_minutes: int  # how far the next round (or the last) runs behind the plan

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state,
            "phase": self.phase,
            "round": self.round,
            "remaining": self.remaining,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "next_round": self.next_round,
            "next_start": self.next_start.isoformat() if self.next_start else None,
            "shifted_minutes": self.shifted_minutes,
        }


def view(event: Event, now: dt.datetime) -> ClockView:
    moment = event.clock_paused_at if event.clock_state == "paused" and event.clock_paused_at else now
    where = position(event, moment)
    remaining = int((where.ends_at - moment).total_seconds()) if where.ends_at else None
    if where.phase == "round" and where.round is not None:
        next_round = where.round + 1 if where.round < event.rounds else None
    else:
        next_round = where.round
    next_start = event.round_start(next_round) if next_round else None
    reference = next_round or event.rounds
    shifted = round(event.shift_seconds(reference) / 60)
    return ClockView(
        event.clock_state, where.phase, where.round, remaining, where.ends_at, next_round, next_start, shifted
    )


def _add_shift(event: Event, at: dt.datetime, seconds: int) -> None:
    """Move everything after moment `at` by `seconds`: the running round's end, or the next round's start."""
    if not seconds:
        return
    where = position(event, at)
    if where.round is None:
        return
    moves = "end" if where.phase == "round" else "start"
    # A new list, so that the JSON column sees the change.
    event.clock_shifts = [*(event.clock_shifts or []), {"from_round": where.round, "moves": moves, "seconds": seconds}]


def start_refusal(event: Event, now: dt.datetime) -> str | None:
    """Why the clock cannot start at ``now`` because of the day (None on the event's day). A rehearsal does not
    change this: starting the clock moves every round to the moment it starts."""
    today = dates.local_day(now)
    if today < event.date:
        return _t("The clock starts on the day of the event, %(date)s.", date=format_date(event.date))
    if today > event.date:
        return _t("The event was on %(date)s: its clock no longer starts.", date=format_date(event.date))
    return None


def start(event: Event, now: dt.datetime) -> None:
    """Round 1 starts now (however early or late that is against the plan)."""
    if event.clock_state != "idle":
        raise DomainError("clock_started", _t("The clock has already been started."), field="action")
    refusal = start_refusal(event, now)
    if refusal is not None:
        raise DomainError("not_today", refusal, field="action")
    # Rounded down, so that round 1 has begun by `now` (a fraction of a second later would leave it "before").
    seconds = math.floor((now - event.planned_round_start(1)).total_seconds())
    event.clock_shifts = [{"from_round": 1, "moves": "start", "seconds": seconds}] if seconds else []
    event.clock_state = "running"
    if event.status is EventStatus.PUBLISHED:
        event.status = EventStatus.LIVE


def pause(event: Event, now: dt.datetime) -> None:
    if event.clock_state != "running":
        raise DomainError("clock_not_running", _t("The clock is not running."), field="action")
    event.clock_state = "paused"
    event.clock_paused_at = now


def resume(event: Event, now: dt.datetime) -> None:
    """Everything after the moment of the pause moves on by the pause's length."""
    if event.clock_state != "paused" or event.clock_paused_at is None:
        raise DomainError("clock_not_paused", _t("The clock is not paused."), field="action")
    paused_at = event.clock_paused_at
    _add_shift(event, paused_at, int((now - paused_at).total_seconds()))
    event.clock_state = "running"
    event.clock_paused_at = None


def shift(event: Event, now: dt.datetime, minutes: int) -> None:
    """The running round takes `minutes` longer (or, between rounds, the next one starts that much later);
    negative minutes win time back."""
    if not -MAX_SHIFT_MINUTES <= minutes <= MAX_SHIFT_MINUTES or minutes == 0:
        raise DomainError(
            "invalid",
            _t("Shift by 1 to %(count)s minutes, earlier or later.", count=MAX_SHIFT_MINUTES),
            field="minutes",
        )
    where = position(event, now)
    if where.ends_at is not None and minutes < 0 and where.ends_at + dt.timedelta(minutes=minutes) < now:
        raise DomainError(
            "invalid", _t("That would end the current part of the programme in the past."), field="minutes"
        )
    _add_shift(event, now, minutes * 60)


def control(event: Event, now: dt.datetime, action: str, minutes: str = "") -> None:
    """One of the organiser's moves: start, pause, resume, or shift by `minutes` (as typed in the form)."""
    if action == "start":
        start(event, now)
    elif action == "pause":
        pause(event, now)
    elif action == "resume":
        resume(event, now)
    elif action == "shift":
        try:
            value = int(minutes)
        except ValueError:
            raise DomainError("invalid", _t("Give the minutes as a whole number."), field="minutes") from None
        shift(event, now, value)
    else:
        raise DomainError("invalid", _t("Choose start, pause, resume or shift."), field="action")
