"""Redirects the pages answer with: 303 See Other after a form, and only ever to a local path."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a local path: a login link must never send someone to another site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def see_other(path: str, cookies: list[Any] | None = None) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, cookies=cookies or [])
