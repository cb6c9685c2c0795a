"""The PDF report: the figures and charts of an event or a programme (no names; small groups hidden when
anonymised), laid out by WeasyPrint.

WeasyPrint is imported only when a report is rendered (events.platform.pdf); the HTML is made here,
from the same sections as the results page (templates/events/results/_sections.html). Rendering is
synchronous: the web page runs it in a worker thread, off the event loop.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from jinja2 import Environment

from events.platform import templating
from events.results.view import ReportView


@cache
def environment() -> Environment:
    return templating.environment()


def report_html(view: ReportView, *, kind: str, day: dt.date) -> str:
    """The report as one HTML document (``kind``: "event" or "programme")."""
    template = environment().get_template("events/results/report_pdf.html")
    return template.render(view=view, kind=kind, day=day)


def render_pdf(html: str) -> bytes:
    """HTML to PDF bytes; takes a second or so (WeasyPrint's import the first time)."""
    from events.platform import pdf

    return pdf.render(html)
