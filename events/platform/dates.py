"""Calendar arithmetic the follow-up, the reports and retention share: months after an event, and today."""

from __future__ import annotations

import calendar
import datetime as dt

from events.platform.models import EVENT_TZ


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the month's last day where it is shorter (31 January + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def today() -> dt.date:
    """The day in the events' time zone (Amsterdam), whatever the server's own zone."""
    return dt.datetime.now(EVENT_TZ).date()


def local_day(moment: dt.datetime) -> dt.date:
    """The date of ``moment`` in the events' time zone (Amsterdam)."""
    return moment.astimezone(EVENT_TZ).date()
