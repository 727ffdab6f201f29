"""Backups that restore: the database, the photos and the waiting taps, in one folder, taken
while the server runs; and back into a fresh instance.

The database is copied with SQLite's online backup (readers and writers carry on) or pg_dump (a
consistent snapshot); meanwhile the spool's drain lock is held, so that no tap moves from the
spool to the database between the two copies: every tap is in exactly one of them, and the tap
path itself never waits. Each spool segment is copied up to its last whole line, with the offset
its draining had reached. A manifest, written last, lists every file with its SHA-256: a folder
without one is not a backup, and a restore checks every file against it first.

The keyring is not in it: it is the one secret whose loss kills every sticker, and restoring it
is a step of its own (`taptrail keys backup` / `taptrail keys restore`, server/cli.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, func, inspect, select

from server.db import database
from server.errors import TapTrailError
from server.migrate import current_revision, upgrade
from server.models import Offer, Photo, Shop, Sticker, Tap, User
from server.services import photo_sizes
from server.taps import quarantine
from server.taps.drain import drain_lock
from server.taps.spool import segments

MANIFEST = "manifest.json"
FORMAT = "taptrail-backup/1"
SQLITE_FILE, POSTGRES_FILE = "database.sqlite", "database.pgdump"
COUNTED = {
    "taps": Tap,
    "stickers": Sticker,
    "shops": Shop,
    "offers": Offer,
    "photos": Photo,
    "users": User,
}


class BackupError(TapTrailError):
    """A backup or a restore that cannot be made; the message says what to do instead."""


def backup(app: Flask, target: Path, now: dt.datetime) -> dict[str, Any]:
    """Back up `app`'s database, photos and spool into the new folder `target`; the manifest."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; back up into a new folder")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    engine = database(app).engine
    spool = Path(app.config["SPOOL_DIR"])
    with drain_lock(spool, wait=True):
        kind = _dump(engine, target)
        revision = current_revision(engine)
        counts = _counts(engine)
        waiting = _copy_spool(spool, target / "spool")
    media = Path(app.config["MEDIA_DIR"])
    if media.is_dir():
        # The photos only: their sizes are drawn again on demand, and dot-files are uploads
        # half-written (what restore puts back is exactly the folder's own files).
        skipped = shutil.ignore_patterns(photo_sizes.FOLDER, ".*")
        shutil.copytree(media, target / "media", ignore=skipped, copy_function=shutil.copy2)
    manifest = {
        "format": FORMAT,
        "taken_at": now.isoformat(),
        "database": kind,
        "revision": revision,
        "counts": counts,
        "spool_bytes_waiting": waiting,
        "files": _checksums(target),
    }
    written = target / f".{MANIFEST}.new"
    written.write_text(json.dumps(manifest, indent=2))
    os.replace(written, target / MANIFEST)  # last: a folder without it is no backup
    return manifest


def _dump(engine: Engine, target: Path) -> str:
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        copy = sqlite3.connect(target / SQLITE_FILE)
        try:
            source.backup(copy)  # SQLite's online backup: a consistent copy while in use
        finally:
            copy.close()
            source.close()
        return "sqlite"
    dump = str(target / POSTGRES_FILE)
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", dump], engine)
    return "postgresql"


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return path


def _libpq_url(engine: Engine) -> str:
    """The database URL as pg_dump and pg_restore read it (no SQLAlchemy driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str], engine: Engine) -> None:
    """Run pg_dump or pg_restore on the engine's database; its error message if it fails."""
    try:
        subprocess.run(
            [*command, "--dbname", _libpq_url(engine)], check=True, capture_output=True, text=True
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed; install PostgreSQL's client tools "
            "(apt-get install postgresql-client) of the server's version or newer"
        ) from None
    except subprocess.CalledProcessError as error:
        said = (error.stderr or "").strip().splitlines()
        raise BackupError(f"{command[0]} failed: {said[-1] if said else error}") from None


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(model)) or 0
            for name, model in COUNTED.items()
        }


def _copy_spool(spool: Path, target: Path) -> int:
    """Each segment up to its last whole line (a worker may be writing the next), with its
    offset, and the quarantine; returns the bytes not drained yet."""
    target.mkdir(mode=0o700)
    waiting = 0
    for segment in segments(spool):
        data = segment.read_bytes()
        data = data[: data.rfind(b"\n") + 1]
        (target / segment.name).write_bytes(data)
        shutil.copymode(segment, target / segment.name)
        offset_file = segment.with_suffix(".offset")
        offset = 0
        if offset_file.exists():
            shutil.copy2(offset_file, target / offset_file.name)
            offset = int(offset_file.read_text().strip() or 0)
        waiting += max(0, len(data) - offset)
    quarantined = spool / quarantine.FILE_NAME  # taps the database refused, to replay one day
    if quarantined.exists():
        data = quarantined.read_bytes()
        (target / quarantined.name).write_bytes(data[: data.rfind(b"\n") + 1])
    return waiting


def _checksums(folder: Path) -> dict[str, dict[str, Any]]:
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        files[name] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "mode": oct(path.stat().st_mode & 0o777),
        }
    return files


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of the backup in `source`, every file checked against it."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{source} holds no {MANIFEST}: it is not a backup, or one that did not finish"
        ) from None
    except ValueError:  # not JSON, or not UTF-8
        raise BackupError(f"{MANIFEST} in {source} is damaged; restore another backup") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: not a {FORMAT} backup")
    # Restore copies every file of these folders: each must be one the manifest vouches for.
    unlisted = [
        f"{folder}/{name}"
        for folder in ("spool", "media")
        for name in _names(source / folder)
        if f"{folder}/{name}" not in manifest["files"]
    ]
    if unlisted:
        raise BackupError(
            f"{unlisted[0]} in {source} is not in its {MANIFEST}; remove it, or restore "
            "another backup"
        )
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"the backup in {source} lacks {name}; restore another backup")
        if hashlib.sha256(path.read_bytes()).hexdigest() != expected["sha256"]:
            raise BackupError(f"{name} in {source} is damaged; restore another backup")
    return manifest


def restore(app: Flask, source: Path) -> dict[str, Any]:
    """Restore the backup in `source` into `app`'s empty database, photos and spool folders."""
    manifest = read_manifest(source)
    engine = database(app).engine
    kind = engine.dialect.name
    if manifest["database"] != kind:
        raise BackupError(
            f"the backup holds a {manifest['database']} database and TAPTRAIL_DATABASE_URL "
            f"names a {kind} one; restore into a {manifest['database']} database"
        )
    if inspect(engine).get_table_names():
        raise BackupError(
            "the database is not empty; restore into a new database (createdb, or a SQLite "
            "path that does not exist yet) so nothing is mixed or overwritten"
        )
    spool, media = Path(app.config["SPOOL_DIR"]), Path(app.config["MEDIA_DIR"])
    clashes = [name for name in _names(source / "spool") if (spool / name).exists()]
    clashes += [name for name in _names(source / "media") if (media / name).exists()]
    if clashes:
        raise BackupError(
            f"{clashes[0]} exists already; restore into empty spool and media folders"
        )
    if kind == "sqlite":
        engine.dispose()
        copy = sqlite3.connect(source / SQLITE_FILE)
        restored = sqlite3.connect(_sqlite_path(engine))
        try:
            copy.backup(restored)
        finally:
            restored.close()
            copy.close()
    else:
        dump = str(source / POSTGRES_FILE)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", dump], engine)
    upgrade(engine)  # a backup of an older version is brought up to this one's schema
    for folder, into in (("spool", spool), ("media", media)):
        into.mkdir(parents=True, exist_ok=True)
        for name in _names(source / folder):
            shutil.copy2(source / folder / name, into / name)
    return manifest


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def summary(manifest: dict[str, Any]) -> str:
    """What a backup holds, in one line."""
    counts = ", ".join(f"{n} {name}" for name, n in manifest["counts"].items())
    return (
        f"{manifest['database']} database at revision {manifest['revision']} ({counts}), "
        f"{sum(1 for f in manifest['files'] if f.startswith('media/'))} media files, "
        f"{manifest['spool_bytes_waiting']} bytes of taps waiting in the spool"
    )
