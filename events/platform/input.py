"""Bad input refused where a request is decoded, before any handler, service or database sees it.

JSON nested deeper than any of our shapes (a hundred thousand brackets made msgspec's decoder recurse until
Python gave up: a 500) is refused from the raw bytes with 400, naming the field it grows under. A NUL
character in any text (PostgreSQL cannot store one, and refused the whole request with a 500) is refused
with 422 naming the field, in JSON bodies, forms (urlencoded and multipart alike) and the query string. The
JSON checks sit in the request class, so they hold whichever content type a client claims; the form and
query checks in a middleware, so they hold whether a handler reads the form itself or lets Litestar parse
it. Uploaded files' contents are the imports' business (events.registration.imports).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from events.platform.errors import DomainError
from events.platform.i18n import gettext as _

# Our deepest shape is three levels (a candidate in a registration, its sectors); this leaves room for any
# client's way of writing it and stays far below what the decoder can take.
MAX_JSON_DEPTH = 32
NUL = "\x00"
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"(\s*:)?|[\[\]{}]', re.DOTALL)
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class BadRequestError(DomainError):
    """Input that cannot even be read as what it claims to be: 400."""

    status_code = 400


def nul_refused(field: str | None) -> DomainError:
    """The refusal of a NUL character in ``field``, named in the message too (an error page shows no field)."""
    if field is None:
        return DomainError("nul_character", _("The text holds a NUL character (\\0), which cannot be stored."))
    shown = field.replace(NUL, "\\0")
    message = _("The field %(field)s holds a NUL character (\\0), which cannot be stored.", field=shown)
    return DomainError("nul_character", message, shown)


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> tuple[bool, str | None]:
    """Whether the JSON text ``body`` nests arrays and objects deeper than ``limit``, read from the bytes
    without decoding them, and if so the top-level member it happens under (None for a bare array)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False, None
    depth = 0
    member: str | None = None
    for token in _TOKENS.finditer(body):
        text = token.group()
        if text[:1] == b'"':
            if token.group(1) is not None and depth == 1:
                member = text[: text.rindex(b'"') + 1][1:-1].decode("utf-8", "replace")
        elif text in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True, member
        else:
            depth -= 1
    return False, None


def nul_path(value: Any, path: str = "") -> str | None:
    """Where in decoded JSON a text (or a member name) holds a NUL character: "candidate.first_name",
    "sectors[2]"; "" for the document itself; None when nowhere."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                return inner
            found = nul_path(item, inner)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


class CheckedRequest(Request[Any, Any, Any]):
    """The app's request: its JSON is checked for depth before it is decoded and for NUL characters after."""

    async def json(self) -> Any:
        body = await self.body()
        deep, member = json_too_deep(body)
        if deep:
            raise BadRequestError(
                "too_deep",
                _("The JSON is nested more than %(max)s levels deep.", max=MAX_JSON_DEPTH),
                member,
            )
        value = await super().json()
        # A NUL can only reach a decoded text as the escape \u0000 (a raw one is not valid JSON).
        if b"\\u0000" in body and (path := nul_path(value)) is not None:
            raise nul_refused(path or None)
        return value


class InputGuard:
    """Refuses a NUL character in the query string or a form field, naming the field. (An address with one
    names nothing: it is answered like a missing object, events.platform.services.event_ref_clause.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        form: FormMultiDict | None = None
        if scope["type"] == ScopeType.HTTP:
            query = scope.get("query_string", b"")
            if b"%00" in query or b"\x00" in query:
                pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
                raise nul_refused(next((k for k, v in pairs if NUL in k + v), None))
            request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope=scope, receive=receive)
            if scope.get("method") in ("POST", "PUT", "PATCH", "DELETE") and request.content_type[0] in _FORMS:
                # Parsed once: the handler (or Litestar's own form parsing) reads these same values afterwards.
                form = await request.form()
        try:
            if form is not None:
                wrong = (k for k, v in form.multi_items() if NUL in k or (not isinstance(v, UploadFile) and NUL in v))
                if (key := next(wrong, None)) is not None:
                    raise nul_refused(key)
            await self.app(scope, receive, send)
        finally:
            if form is not None:
                # Litestar closes uploaded files after a handler; a refusal here or by a guard comes before one.
                await form.close()
