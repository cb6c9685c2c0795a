"""HTML forms onto the same msgspec inputs the JSON API uses, so both validate alike.

Empty fields become "not given", multi-valued fields (checkboxes) become lists, and a validation error
becomes a DomainError that names the field, which the page shows beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec
from litestar.response import Template

from events.platform.errors import DomainError
from events.platform.i18n import gettext as _

T = TypeVar("T")

_PATH = re.compile(r"at `\$\.([a-z_]+)")


def form_values(form: Any, lists: Iterable[str] = (), drop: Iterable[str] = ("_csrf_token",)) -> dict[str, Any]:
    """A plain dict from a submitted form: lists for ``lists`` fields, nothing for empty fields."""
    lists, drop = set(lists), set(drop)
    values: dict[str, Any] = {}
    for key in form:
        if key in drop:
            continue
        if key in lists:
            values[key] = [v for v in form.getall(key) if str(v).strip() != ""]
            continue
        value = form.get(key)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
        values[key] = value
    for key in lists:
        values.setdefault(key, [])
    return values


def parse(kind: type[T], values: dict[str, Any]) -> T:
    """Convert to ``kind`` (strings become numbers, dates, times, booleans); errors name the field."""
    known = getattr(kind, "__struct_fields__", None)
    if known is not None:
        # A page may post more than the input holds (a CSRF token, where to go back to): ignore that.
        values = {k: v for k, v in values.items() if k in known}
    try:
        return msgspec.convert(values, kind, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _PATH.search(message)
        field = match.group(1) if match else None
        missing = re.search(r"missing required field `([a-z_]+)`", message)
        if missing:
            raise DomainError("required", _("This field is required."), missing.group(1)) from None
        raise DomainError("invalid", _("This value is not valid here."), field) from None


def form_errors(exc: DomainError, field: str = "_form") -> dict[str, str]:
    """A domain error as a form shows it: beside the field at fault, or (none named) at ``field``, above the form."""
    return {exc.field or field: exc.message}


def form_error(
    template: str, context: dict[str, Any], exc: DomainError, field: str = "_form", status_code: int = 422
) -> Template:
    """The same form again (422 unless told), with the message beside the field at fault (or at ``field``)."""
    return Template(template, context={**context, "errors": form_errors(exc, field)}, status_code=status_code)


def rounds_field(values: dict[str, Any], key: str = "rounds", total: int | None = None) -> None:
    """Checkbox rounds: all ticked (or none) means every round."""
    chosen = [int(v) for v in values.get(key, []) if re.fullmatch(r"[0-9]{1,3}", str(v))]
    values[key] = None if not chosen or (total is not None and len(chosen) >= total) else chosen


def breaks_field(text: str | None) -> list[dict[str, int]]:
    """Breaks written as "3:15, 5:10" (after round 3, fifteen minutes; ...)."""
    result = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(\d+)\s*[:=x]\s*(\d+)", part)
        if not match:
            raise DomainError("invalid_break", _("Write breaks as round:minutes, for example 3:15."), "breaks")
        result.append({"after_round": int(match.group(1)), "minutes": int(match.group(2))})
    return result
