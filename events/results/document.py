"""The results report as a JSON document (`meetmatch report ... --format json`): the same sections, tables and
figures as the PDF, with the same small-group suppression, for tools that read figures rather than pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from events.results.view import ReportView


def report_document(view: ReportView, *, kind: str, day: dt.date) -> dict[str, Any]:
    """Every figure of ``view``: a number where it is shown, its text ("<5", "x", "–") where it is not."""
    return {
        "kind": kind,
        "title": view.title,
        "subtitle": view.subtitle,
        "day": day.isoformat(),
        "anonymised": view.anonymised,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "intro": section.intro,
                "tables": [
                    {
                        "key": table.key,
                        "caption": table.caption,
                        "headers": list(table.headers),
                        "rows": [
                            {"label": label, "values": [cell.export_value for cell in cells]}
                            for label, cells in table.rows
                        ],
                        "note": table.note,
                    }
                    for table in section.tables
                ],
            }
            for section in view.sections
        ],
    }


def report_json(view: ReportView, *, kind: str, day: dt.date) -> bytes:
    return msgspec.json.format(msgspec.json.encode(report_document(view, kind=kind, day=day)), indent=2)
