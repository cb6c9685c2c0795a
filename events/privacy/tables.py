"""Other slices' tables, named rather than imported (DESIGN: the slices refer to each other's tables by name).

Privacy reaches into every slice: a person's badge tokens and scans (badges), their talks in a programme
(schedule), their outcomes (events.outcomes). Importing those modules from here would tie the slices together;
the shared metadata holds every table once `events.db.import_models()` has run.
"""

from __future__ import annotations

from sqlalchemy import Table

from events.db import import_models


def table(name: str) -> Table:
    """The table called ``name`` in the shared metadata."""
    return import_models().tables[name]
