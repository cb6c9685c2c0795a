"""The backup archive's format, apart from any database: a .tar.gz holding `manifest.json` (format, app version,
created-at, the alembic revision, the database dialect, the secret key's fingerprint, and per table its columns,
row count and SHA-256 content hash) and one JSON-lines file per table in dependency order, each line a row's
values as a JSON array in the manifest's column order (by name), rows ordered by primary key. Dates, times,
bytes and JSON values carry a small tag (`{"$dt": ...}`, `{"$b": ...}`, ...) so that they come back as they
went. `events.backup.services` writes and restores it.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import tarfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Column

from events.platform.errors import DomainError

FORMAT = "meetmatch-backup/1"
MANIFEST = "manifest.json"


class BackupError(DomainError):
    """Bad input for a backup or restore: the message says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__("backup", message, None)


@dataclass(frozen=True)
class TableDigest:
    rows: int
    sha256: str


def app_version() -> str:
    try:
        return metadata.version("meetmatch")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def encode(value: Any) -> Any:
    """A database value as plain JSON; the tag names the type where JSON has none."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        # The app keeps every moment in UTC (naive on SQLite, with a zone on PostgreSQL): written the same way
        # from both, so that an archive's hashes hold across the two.
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$t": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, decimal.Decimal):
        return {"$n": str(value)}
    if isinstance(value, dict | list):
        return {"$j": value}
    msg = f"cannot store a value of type {type(value).__name__}"
    raise TypeError(msg)


def decode(value: Any, column: Column[Any]) -> Any:
    """The inverse of `encode`, fitted to the target column (a time zone where it keeps one)."""
    if not isinstance(value, dict):
        return value
    ((tag, raw),) = value.items()
    if tag == "$dt":
        moment = dt.datetime.fromisoformat(raw)
        aware = bool(getattr(column.type, "timezone", False))
        if aware and moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        if not aware and moment.tzinfo is not None:
            return moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment
    if tag == "$d":
        return dt.date.fromisoformat(raw)
    if tag == "$t":
        return dt.time.fromisoformat(raw)
    if tag == "$b":
        return base64.b64decode(raw)
    if tag == "$n":
        return decimal.Decimal(raw)
    if tag == "$j":
        return raw
    msg = f"unknown value tag {tag!r}"
    raise ValueError(msg)


def line(row: tuple[Any, ...]) -> bytes:
    return (
        json.dumps([encode(v) for v in row], ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    ).encode()


def add_member(archive: tarfile.TarFile, name: str, data: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, data)


@dataclass
class Archive:
    manifest: dict[str, Any]
    files: dict[str, Path]  # table name -> its rows, extracted to a scratch folder


def read_archive(source: Path, scratch: Path) -> Archive:
    """Open the archive, extract its table files to `scratch` (by our own names: no path from the archive is
    used) and check each against the manifest's hash."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    try:
        with tarfile.open(source, "r:gz") as archive:
            members = {m.name: m for m in archive.getmembers() if m.isfile()}
            if MANIFEST not in members:
                raise BackupError(f"{source}: not a meetmatch backup (no {MANIFEST})")
            manifest = json.loads(_read(archive, members[MANIFEST]).read())
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not _well_formed(manifest):
                raise BackupError(f"{source}: not a meetmatch backup of a known format")
            files = {}
            for index, entry in enumerate(manifest["tables"]):
                member = members.get(entry["file"])
                if member is None:
                    raise BackupError(f"{source}: damaged, {entry['file']} is missing")
                path = scratch / f"{index:03d}.jsonl"
                hasher = hashlib.sha256()
                with _read(archive, member) as data, path.open("wb") as out:
                    for chunk in iter(lambda: data.read(1 << 20), b""):
                        hasher.update(chunk)
                        out.write(chunk)
                if hasher.hexdigest() != entry["sha256"]:
                    raise BackupError(f"{source}: damaged, the rows of {entry['name']} do not match their hash")
                files[entry["name"]] = path
    except (tarfile.TarError, EOFError, OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{source}: not a readable meetmatch backup ({type(exc).__name__})") from None
    return Archive(manifest, files)


def read_manifest(source: Path) -> dict[str, Any]:
    """The archive's manifest alone (the archive's first member), checked only for its format."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    try:
        with tarfile.open(source, "r:gz") as archive:
            member = archive.next()
            if member is None or member.name != MANIFEST:
                raise BackupError(f"{source}: not a meetmatch backup (no {MANIFEST})")
            manifest = json.loads(_read(archive, member).read())
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"{source}: not a readable meetmatch backup ({type(exc).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not _well_formed(manifest):
        raise BackupError(f"{source}: not a meetmatch backup of a known format")
    return manifest


def _well_formed(manifest: dict[str, Any]) -> bool:
    tables = manifest.get("tables")
    return (
        isinstance(manifest.get("alembic_revision"), str)
        and isinstance(tables, list)
        and all(
            isinstance(t, dict)
            and isinstance(t.get("name"), str)
            and isinstance(t.get("file"), str)
            and isinstance(t.get("columns"), list)
            and isinstance(t.get("rows"), int)
            and isinstance(t.get("sha256"), str)
            for t in tables
        )
    )


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    data = archive.extractfile(member)
    if data is None:  # pragma: no cover - members are regular files
        raise BackupError(f"{member.name}: unreadable")
    return data
