"""Badge and calendar tokens: derived, never stored; looked up by their hash; compared exactly.

A token is the first 20 bytes (160 bits) of HMAC-SHA256 over (purpose, holder, version) under a
sub-key of the secret key, written in URL-safe base64 without padding (27 characters). The same
holder and version always give the same token, so a lost badge can be printed again as it was;
re-issuing raises the version, and the old token is then revoked. The database keeps SHA-256 of the
token only. This module is pure (no database), so the scanner's offline list and tests share it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re

TOKEN_BYTES = 20
TOKEN_LENGTH = 27  # base64 of 20 bytes without padding
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{27}")


def derive_token(key: bytes, purpose: str, holder: str, version: int) -> str:
    """The token of `holder` (for example "candidate:12") for `purpose` at `version`."""
    message = f"{purpose}\x1f{holder}\x1f{version}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    """What the database keeps: SHA-256 of the exact token text, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def well_formed(token: str) -> bool:
    """27 characters of the URL-safe base64 alphabet, nothing else (no case folding, no trimming)."""
    return _TOKEN_RE.fullmatch(token) is not None


def redact(path: str) -> str:
    """A request path with any badge or calendar token replaced, for logs."""
    return _PATH_TOKEN_RE.sub(r"\1[redacted]", path)


_PATH_TOKEN_RE = re.compile(r"(/(?:b|c|e|invite|join)/)[^/?#\s\"']+")
# The loggers that may carry a request path: the server's access and error logs, Litestar's, ours.
REDACTED_LOGGERS = ("uvicorn.access", "uvicorn.error", "litestar", "meetmatch")


class RedactTokens(logging.Filter):
    """Replaces badge, calendar and invitation tokens in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_log_redaction() -> None:
    """Put the filter on the loggers that see request paths and on every handler there is (once): a logger's
    own filters do not apply to records its child loggers pass up, a handler's filters do."""
    loggers = [logging.getLogger(name) for name in REDACTED_LOGGERS]
    loggers += [
        logging.getLogger(),
        *(x for x in logging.root.manager.loggerDict.values() if isinstance(x, logging.Logger)),
    ]
    for logger in loggers:
        for target in (logger, *logger.handlers):
            if not any(isinstance(f, RedactTokens) for f in target.filters):
                target.addFilter(RedactTokens())
