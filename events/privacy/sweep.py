"""The sweep after an erasure: copies of the person's name, e-mail address, phone number or longer texts anywhere
in a free-text or JSON column of any slice's table become "[erased]" (events.privacy.erasure)."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import JSON, String, Text, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.crypto import encrypted_columns
from events.platform.db import import_models

ERASED = "[erased]"
# String columns at least this long hold free text (notes, messages); shorter ones are names, codes and keys.
FREE_TEXT_LENGTH = 300


def _swept_columns() -> list[tuple[Any, Any, list[Any]]]:
    """(table, column, primary key columns) of every free-text and JSON column."""
    found = []
    for tbl in import_models().sorted_tables:
        keys = list(tbl.primary_key.columns)
        for column in tbl.columns:
            kind = column.type
            free = isinstance(kind, Text | JSON) or (
                isinstance(kind, String) and (kind.length or 0) >= FREE_TEXT_LENGTH
            )
            if free and column not in keys:
                found.append((tbl, column, keys))
    return found


def _replace(value: Any, patterns: list[re.Pattern[str]]) -> Any:
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(ERASED, value)
        return value
    if isinstance(value, list):
        return [_replace(v, patterns) for v in value]
    if isinstance(value, dict):
        return {_replace(k, patterns): _replace(v, patterns) for k, v in value.items()}
    return value


async def sweep(session: AsyncSession, needles: list[str], tables: set[str] | None = None) -> int:
    """Replace every copy of the needles (case-insensitive) in free-text and JSON columns by "[erased]"; the
    number of values changed. JSON keeps non-ASCII letters escaped on SQLite, so both spellings are looked for."""
    if not needles:
        return 0
    patterns = [re.compile(re.escape(n), re.IGNORECASE) for n in needles]
    variants = {n.lower() for n in needles} | {json.dumps(n)[1:-1].lower() for n in needles}
    searches: list[tuple[Any, Any, list[Any], Any]] = []
    for tbl, column, keys in _swept_columns():
        text = func.lower(cast(column, Text)) if isinstance(column.type, JSON) else func.lower(column)
        searches.append((tbl, column, keys, or_(*(text.contains(v, autoescape=True) for v in sorted(variants)))))
    # Encrypted columns (events.platform.crypto) cannot be searched in SQL: every value is read, decrypted, in Python.
    for tbl, column in encrypted_columns(import_models()):
        searches.append((tbl, column, list(tbl.primary_key.columns), column.is_not(None)))
    changed = 0
    for tbl, column, keys, condition in searches:
        for row in (await session.execute(select(*keys, column).where(condition))).tuples():
            *key, value = row
            new = _replace(value, patterns)
            if new == value:
                continue
            where = [k == v for k, v in zip(keys, key, strict=True)]
            await session.execute(update(tbl).where(*where).values({column.name: new}))
            changed += 1
            if tables is not None:
                tables.add(tbl.name)
    return changed
