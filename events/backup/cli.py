"""`meetmatch backup -o FILE` and `meetmatch restore FILE` (the work is in events/backup/services.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def _bar(label: str, total: int) -> Any:
    return click.progressbar(length=max(total, 1), label=label, file=None, show_pos=True)


@click.command("backup")
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The archive."
)
def backup_command(output: Path) -> None:
    """Write the whole database to a portable archive (.tar.gz): one JSON-lines file per table, and a
    manifest with the schema revision, the row count and content hash of each table, the app version and the
    time. Works on SQLite and PostgreSQL without pg_dump.

    The secret key is NOT in the archive (only its fingerprint): keep MEETMATCH_SECRET_KEY or the data
    directory's secret.key safe on its own; a restore needs the same key. Print files are not included (print
    them again).
    """
    from events.platform.cli import handle_errors, load_settings, run

    @handle_errors
    def go() -> None:
        from events.backup.services import backup, count_rows

        settings = load_settings()
        total = run(count_rows(settings))
        with _bar("backing up", total) as bar:
            manifest = run(backup(settings, output, bar.update))
        rows = sum(t["rows"] for t in manifest["tables"])
        click.echo(
            f"wrote {output}: {len(manifest['tables'])} tables, {rows} rows, "
            f"schema revision {manifest['alembic_revision']} (the secret key is not included)"
        )

    go()


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that already holds data.")
def restore_command(archive: Path, replace: bool) -> None:
    """Restore ARCHIVE (made by `meetmatch backup`) into the configured database, in one transaction.

    Refuses a database that holds data unless --replace is given, and an archive made with another secret key
    or by a newer meetmatch. An archive of an older schema is migrated after loading. Counts and content hashes
    are checked against the archive's manifest; then everyone erased after the backup was made (the erasure
    ledger in the data directory) is erased again.
    """
    from events.platform.cli import handle_errors, load_settings, run

    @handle_errors
    def go() -> None:
        from events.backup.archive import read_manifest
        from events.backup.services import restore

        settings = load_settings()
        total = sum(int(t["rows"]) for t in read_manifest(archive)["tables"])
        with _bar("restoring", total) as bar:
            report = run(restore(settings, archive, replace=replace, progress=bar.update))
        migrated = f", migrated to {report.migrated_to}" if report.migrated_to else ""
        click.echo(
            f"restored {report.rows} rows in {report.tables} tables (schema revision {report.revision}{migrated}); "
            f"counts and content hashes match the backup; {len(report.ledger.erased)} erased person(s) erased again"
        )

    go()
