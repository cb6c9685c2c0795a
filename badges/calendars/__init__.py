"""Calendars: each person's programme as .ics, the feeds and the `meetmatch ics` command."""
