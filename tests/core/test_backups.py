"""Backups that restore: the demo portal backed up on PostgreSQL and restored into a new database
and file store comes back identical, table by table and file by file; a database or store that
is not empty is refused; a damaged archive is refused before anything is touched."""

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.backups import Target, backup, default_target, restore, table_fingerprints

RESTORED = "_restored"


def files_under(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def new_database(django_db_blocker):
    """An empty PostgreSQL database on the same server, dropped afterwards."""
    settings = dict(connection.settings_dict)
    name = settings["NAME"] + RESTORED
    admin = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    yield Target({**settings, "NAME": name})
    with psycopg.connect(**admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url_of(target: Target) -> str:
    s = target.settings
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_the_demo_portal_restores_identical_into_a_new_database(settings, tmp_path, new_database):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    uploaded = files_under(Path(settings.MEDIA_ROOT))
    assert uploaded, "the demo has papers"
    call_command("backup", str(tmp_path / "backups"), stdout=open("/dev/null", "w"))  # noqa: SIM115
    (archive,) = (tmp_path / "backups").glob("bluelight-*.tar")
    original = table_fingerprints(default_target())

    settings.MEDIA_ROOT = str(tmp_path / "restored-media")  # a new, empty file store
    call_command(
        "restore",
        str(archive),
        database_url=url_of(new_database),
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )

    restored = table_fingerprints(new_database)
    assert restored == original
    assert original["opportunities_opportunity"]["rows"] > 0
    assert files_under(Path(settings.MEDIA_ROOT)) == uploaded
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["tables"] == original
    assert {name.removeprefix("files/") for name in manifest["members"] if "/" in name} == set(
        uploaded
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_that_is_not_empty_is_refused(settings, tmp_path):
    archive = backup(tmp_path, target=default_target())
    settings.MEDIA_ROOT = str(tmp_path / "empty-store")
    with pytest.raises(CommandError, match=r"is not empty .* create a new database"):
        call_command("restore", str(archive))


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_is_restored(tmp_path, new_database):
    archive = backup(tmp_path, target=default_target())
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "database.dump":
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(damaged), database_url=url_of(new_database))
    assert not table_fingerprints(new_database)


def test_an_sqlite_portal_is_copied_safely_and_restores(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    source = tmp_path / "portal.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE board (id integer primary key, name text)")
        db.executemany("INSERT INTO board (name) VALUES (?)", [("Warwickshire",), ("Elsewhere",)])
    engine = "django.db.backends.sqlite3"
    archive = backup(tmp_path, target=Target({"ENGINE": engine, "NAME": str(source)}))
    target = Target({"ENGINE": engine, "NAME": str(tmp_path / "restored.sqlite3")})
    restore(archive, target=target)
    assert table_fingerprints(target) == table_fingerprints(
        Target({"ENGINE": engine, "NAME": str(source)})
    )
    assert table_fingerprints(target)["board"]["rows"] == 2
