"""Encryption of the most sensitive fields at rest: the coach's notes and everything about why a candidate is
distant from work (target group, barriers). A database dump, a backup file or a stolen disk shows none of it.

AES-256-GCM under a sub-key of the secret key (Settings.derive_key), a fresh 96-bit nonce per value, the
column's name as associated data (a value copied into another column does not decrypt). Stored as text:
"enc1:" + URL-safe base64 of nonce + ciphertext. Values written before encryption (plain text) are still read,
and written back encrypted at the next change; migration 0009 encrypts them all at once.

The key is set once per process from the settings (`configure`, called by events.platform.db.create_engine), so the
column types need no settings of their own.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
from typing import Any

from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect

from events.platform.settings import Settings

PREFIX = "enc1:"
NONCE_BYTES = 12
_keys: dict[str, bytes] = {}


class EncryptionKeyMissingError(RuntimeError):
    """A sensitive field was read or written before the key was set."""


def configure(settings: Settings) -> None:
    """Take this process's field key from the settings (the same secret key gives the same field key)."""
    _keys["current"] = settings.derive_key("field-encryption")


@functools.cache
def _cipher(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _key() -> bytes:
    key = _keys.get("current")
    if key is None:
        msg = "the field encryption key is not set: events.platform.crypto.configure(settings) must run first"
        raise EncryptionKeyMissingError(msg)
    return key


def _aead() -> Any:
    """The cipher of the configured key (made once per key: a list of thousands of candidates decrypts each
    of their sensitive fields)."""
    return _cipher(_key())


def encrypt(text: str, context: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _aead().encrypt(nonce, text.encode("utf-8"), context.encode("utf-8"))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(stored: str, context: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption came in: migration 0009 encrypts these
    raw = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode("ascii"))
    return str(_aead().decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")).decode("utf-8"))


def keyed_digest(text: str, context: str) -> str:
    """A hex HMAC-SHA256 of ``text`` under the field key: a stored look-up value (a recovery code) that a
    database dump alone cannot be searched for."""
    return hmac.new(_key(), f"{context}:{text}".encode(), hashlib.sha256).hexdigest()


def is_encrypted(stored: str | None) -> bool:
    return stored is None or stored.startswith(PREFIX)


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted; reads and writes plain ``str`` (None stays None)."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value, self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value, self.context)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value (a list of codes, say) stored encrypted as text."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(json.dumps(value, ensure_ascii=False), self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        text = decrypt(value, self.context)
        return json.loads(text) if text else None


def encrypted_columns(metadata: Any) -> list[tuple[Any, Any]]:
    """(table, column) of every encrypted column: the erasure's sweep reads them in Python."""
    return [
        (tbl, column)
        for tbl in metadata.sorted_tables
        for column in tbl.columns
        if isinstance(column.type, EncryptedText | EncryptedJSON)
    ]
