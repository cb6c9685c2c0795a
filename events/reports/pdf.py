"""The PDF report: the figures and charts of an event or a programme (no names; small groups hidden when
anonymised), laid out by WeasyPrint.

WeasyPrint is imported only when a report is rendered (events.reports.pdf_render); the HTML is made here,
from the same sections as the results page (templates/events/reports/_sections.html). Rendering is
synchronous: the web page runs it in a worker thread, off the event loop.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from events import i18n, labels
from events.reports.view import ReportView


def templates_dir() -> Path:
    return Path(str(resources.files("templates")))


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    env.globals["current_language"] = i18n.current_language
    env.globals.update(labels.TEMPLATE_GLOBALS)
    return env


def report_html(view: ReportView, *, kind: str, day: dt.date) -> str:
    """The report as one HTML document (``kind``: "event" or "programme")."""
    template = environment().get_template("events/reports/report_pdf.html")
    return template.render(view=view, kind=kind, day=day)


def render_pdf(html: str) -> bytes:
    """HTML to PDF bytes; takes a second or so (WeasyPrint's import the first time)."""
    from events.reports import pdf_render

    return pdf_render.render(html)
