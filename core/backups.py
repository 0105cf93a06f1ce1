"""Backups that restore: one archive holding the database, the uploaded files and a manifest.

The archive is a tar file:

- ``database.dump`` — PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, taken in
  one transaction); SQLite: a copy made with SQLite's online backup API (``database.sqlite3``);
- ``files/<name>`` — every file in the portal's file store (the local folder or the S3 bucket);
- ``manifest.json`` — when and from what it was made, the SHA-256 and size of every member, and
  the row count of every table, so ``restore`` checks the archive before it touches anything and
  the restored tables after.

The database is dumped first, then the files: a paper uploaded meanwhile is in the archive with
no row naming it (the weekly file check reports it), never a row without its file — files are
only removed when their row is deleted, and only draft rows are.

``restore`` rebuilds a portal into an EMPTY database (a new one: ``createdb``) and an empty file
store, and refuses anything else with a sentence saying what to do.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connections

from .exceptions import Refused
from .files import stored_names

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupRefused(Refused):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    """A database to dump or restore into: Django's settings for one connection."""

    settings: dict[str, Any]

    @property
    def engine(self) -> str:
        return "postgresql" if "postgresql" in self.settings["ENGINE"] else "sqlite"

    def pg_env(self) -> dict[str, str]:
        values = {
            "PGHOST": self.settings.get("HOST") or "",
            "PGPORT": str(self.settings.get("PORT") or ""),
            "PGUSER": self.settings.get("USER") or "",
            "PGPASSWORD": self.settings.get("PASSWORD") or "",
            "PGDATABASE": self.settings["NAME"],
        }
        return {**os.environ, **{key: value for key, value in values.items() if value}}


def default_target() -> Target:
    return Target(dict(connections["default"].settings_dict))


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


# --- reading the database ----------------------------------------------------------------------


def _pg_connect(target: Target):  # pragma: no cover - typed by psycopg
    import psycopg

    s = target.settings
    return psycopg.connect(
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        dbname=s["NAME"],
        autocommit=True,
    )


def table_names(target: Target) -> list[str]:
    """The tables the database holds (an empty list: an empty database)."""
    if target.engine == "postgresql":
        with _pg_connect(target) as connection:
            rows = connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        return [row[0] for row in rows]
    path = Path(target.settings["NAME"])
    if not path.exists():
        return []
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        ).fetchall()
    return [row[0] for row in rows]


def table_fingerprints(target: Target) -> dict[str, dict[str, Any]]:
    """Each table's row count and a SHA-256 of its rows (in a fixed order), to compare a
    restored database with the one backed up."""
    if target.engine == "postgresql":
        with _pg_connect(target) as connection:
            return _pg_fingerprints(connection)
    result: dict[str, dict[str, Any]] = {}
    with sqlite3.connect(target.settings["NAME"]) as connection:
        for table in table_names(target):
            quoted = '"' + table.replace('"', '""') + '"'
            # The table names come from the catalogue, quoted: not input.
            query = f"SELECT * FROM {quoted}"  # noqa: S608
            rows = sorted(repr(row) for row in connection.execute(query))
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[table] = {"rows": len(rows), "sha256": digest}
    return result


# --- backup --------------------------------------------------------------------------------------


def backup(
    destination: Path, *, target: Target | None = None, storage: Storage | None = None
) -> Path:
    """Write a backup archive (a new file in ``destination``, a folder, or at that path).

    Returns the archive's path. Raises ``BackupRefused`` if the database cannot be dumped.
    """
    target = target or default_target()
    storage = storage or default_storage
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = destination / f"bluelight-{stamp}.tar" if destination.is_dir() else destination
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / (
            "database.dump" if target.engine == "postgresql" else "database.sqlite3"
        )
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "database": {"engine": target.engine, "member": dump.name},
            "tables": _dump_database(target, dump),
            "members": {},
        }
        partial = path.with_suffix(path.suffix + ".part")
        with tarfile.open(partial, "w") as archive:
            with dump.open("rb") as handle:
                manifest["members"][dump.name] = {
                    "sha256": sha256_of(handle),
                    "size": dump.stat().st_size,
                }
            archive.add(dump, arcname=dump.name)
            for name in sorted(_stored(storage)):
                manifest["members"][f"files/{name}"] = _add_stored_file(archive, storage, name)
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
        partial.replace(path)  # a half-written archive never looks like a backup
    return path


def _pg_fingerprints(connection: Any) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    tables = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    for (table,) in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        # The table names come from the catalogue, quoted: not input.
        query = (
            "SELECT count(*), encode(sha256(convert_to(coalesce(string_agg(t::text, "  # noqa: S608
            f"E'\\n' ORDER BY t::text), ''), 'UTF8')), 'hex') FROM {quoted} AS t"
        )
        count, digest = connection.execute(query).fetchone()
        result[table] = {"rows": count, "sha256": digest}
    return result


def _dump_database(target: Target, dump: Path) -> dict[str, dict[str, Any]]:
    """Dump the database to ``dump``; returns its tables' fingerprints as dumped."""
    if target.engine == "sqlite":
        with sqlite3.connect(target.settings["NAME"]) as source, sqlite3.connect(dump) as copy:
            source.backup(copy)  # SQLite's online backup: a consistent copy while in use
        return table_fingerprints(Target({**target.settings, "NAME": str(dump)}))
    # pg_dump reads the snapshot this transaction exports, and the fingerprints are read in
    # the same transaction: the manifest describes exactly the rows in the dump.
    with _pg_connect(target) as connection:
        connection.autocommit = False
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        command = [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={dump}",
        ]
        _run(command, target, "pg_dump could not dump the database")
        tables = _pg_fingerprints(connection)
        connection.rollback()
    return tables


def _stored(storage: Storage) -> set[str]:
    try:
        return stored_names(storage)
    except FileNotFoundError:  # nothing was ever uploaded
        return set()


def _add_stored_file(archive: tarfile.TarFile, storage: Storage, name: str) -> dict[str, Any]:
    with tempfile.TemporaryFile() as copy:
        with storage.open(name, "rb") as source:
            shutil.copyfileobj(source, copy, CHUNK)
        size = copy.tell()
        copy.seek(0)
        digest = sha256_of(copy)
        copy.seek(0)
        info = tarfile.TarInfo(f"files/{name}")
        info.size = size
        archive.addfile(info, copy)
    return {"sha256": digest, "size": size}


def _run(command: list[str], target: Target, failure: str) -> None:
    try:
        finished = subprocess.run(  # noqa: S603 - a fixed command line, no shell
            command, env=target.pg_env(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise BackupRefused(
            f"{command[0]} is not installed here. Install the PostgreSQL client tools of the "
            "server's version (e.g. the postgresql-client package)."
        ) from error
    if finished.returncode != 0:
        raise BackupRefused(f"{failure}: {finished.stderr.strip()}")


# --- restore -------------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupRefused("This is not a portal backup: it has no manifest.json.")
    manifest: dict[str, Any] = json.load(member)
    if manifest.get("format") != FORMAT:
        raise BackupRefused("This backup was written by another version of the portal.")
    return manifest


def verify(archive: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """Every member named by the manifest is there with its checksum; nothing else is."""
    names = {member.name for member in archive.getmembers() if member.isfile()} - {MANIFEST}
    expected = set(manifest["members"])
    if names != expected:
        raise BackupRefused(
            "The backup is incomplete or has extra files: "
            + ", ".join(sorted(names ^ expected)[:5])
        )
    for name, facts in manifest["members"].items():
        handle = archive.extractfile(name)
        if handle is None or sha256_of(handle) != facts["sha256"]:
            raise BackupRefused(f"{name} in the backup does not match its checksum: it is damaged.")


def restore(
    path: Path, *, target: Target | None = None, storage: Storage | None = None
) -> dict[str, Any]:
    """Rebuild a portal from a backup into an empty database and an empty file store.

    Checks the archive's checksums first, refuses a database that has tables or a store that
    holds files, restores the database (``pg_restore`` in one transaction, or the SQLite copy),
    then the files, and finally compares each table's row count with the manifest. Returns the
    manifest.
    """
    target = target or default_target()
    storage = storage or default_storage
    with tarfile.open(path, "r") as archive:
        manifest = read_manifest(archive)
        verify(archive, manifest)
        if manifest["database"]["engine"] != target.engine:
            raise BackupRefused(
                f"This backup is of a {manifest['database']['engine']} database; the portal "
                f"is set up for {target.engine}. Restore it into the same kind of database."
            )
        _refuse_unless_empty(target, storage)
        with tempfile.TemporaryDirectory() as work:
            dump = Path(work) / manifest["database"]["member"]
            with archive.extractfile(dump.name) as source, dump.open("wb") as copy:  # type: ignore[union-attr]
                shutil.copyfileobj(source, copy, CHUNK)
            _restore_database(target, dump)
        for name in manifest["members"]:
            if name.startswith("files/"):
                _restore_file(archive, storage, name)
    return manifest


def _refuse_unless_empty(target: Target, storage: Storage) -> None:
    tables = table_names(target)
    if tables:
        raise BackupRefused(
            f"The database “{target.settings['NAME']}” is not empty ({len(tables)} tables). "
            "A backup is restored only into an empty database, so nothing is overwritten: "
            "create a new database (createdb) and point DATABASE_URL at it."
        )
    if _stored(storage):
        raise BackupRefused(
            "The file store already holds files. A backup is restored only into an empty "
            "file store: point MEDIA_ROOT (or the bucket) at a new, empty one."
        )


def _restore_database(target: Target, dump: Path) -> None:
    if target.engine == "sqlite":
        shutil.copyfile(dump, target.settings["NAME"])
        return
    command = [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={target.settings['NAME']}",
        str(dump),
    ]
    _run(command, target, "pg_restore could not restore the database")


def _restore_file(archive: tarfile.TarFile, storage: Storage, member: str) -> None:
    name = member.removeprefix("files/")
    handle = archive.extractfile(member)
    if handle is None:  # pragma: no cover - verify() checked every member
        raise BackupRefused(f"{member} is missing from the backup.")
    stored = storage.save(name, File(handle, name=name.rsplit("/", 1)[-1]))
    if stored != name:
        raise BackupRefused(f"{name} could not be restored under its own name (got {stored}).")


def restored_differences(manifest: dict[str, Any], target: Target | None = None) -> Iterator[str]:
    """Tables whose row count differs from the backup's manifest (none after a good restore)."""
    now = table_fingerprints(target or default_target())
    for table, facts in manifest["tables"].items():
        rows = now.get(table, {}).get("rows")
        if rows != facts["rows"]:
            yield f"{table}: {facts['rows']} rows backed up, {rows} restored"
