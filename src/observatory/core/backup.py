"""Backups of an installation, and their restore into another one.

A backup is a folder:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while
  the server writes) or ``database.dump`` (``pg_dump --format=custom``, one
  snapshot transaction);
- ``media/``: the uploaded originals (content-addressed, written once, so a
  copy taken after the database snapshot holds every file it names);
- ``lake/``: the analytics store's Parquet partitions (each replaced by a
  rename: a copy sees a whole old or a whole new file; it can also be rebuilt
  from the database);
- ``secret_key`` (signatures and sessions stay valid; mode 0600: keep the
  backup as safe as the server);
- ``manifest.json``: when, which engine, every file with its size and SHA-256,
  and the rows of every table, checked before a restore and after it.

Restore refuses a damaged backup (a file missing, or not the one the manifest
names) and a target database that already holds data, unless told to replace
it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from observatory.core.errors import ValidationFailed

MANIFEST = "manifest.json"
FORMAT = 1


@dataclass
class Report:
    folder: Path
    engine: str
    tables: int
    rows: int
    files: int
    bytes: int

    def __str__(self) -> str:
        return (
            f"{self.folder}: {self.engine} database ({self.tables} tables, {self.rows:,} rows), "
            f"{self.files} files ({self.bytes:,} bytes)"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> Iterator[Path]:
    if folder.exists():
        yield from sorted(p for p in folder.rglob("*") if p.is_file())


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def table_rows(using: str = "default") -> dict[str, int]:
    """Rows of every table of the database (Django's and the project's)."""
    db = connections[using]
    with db.cursor() as cursor:
        names = sorted(db.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {db.ops.quote_name(name)}")  # noqa: S608
            counts[name] = int(cursor.fetchone()[0])
    return counts


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ValidationFailed(
            f"{name} is not installed (Debian: apt-get install postgresql-client)"
        )
    return found


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def backup(folder: Path) -> Report:
    """A backup of the running installation into `folder` (new or empty)."""
    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        raise ValidationFailed(f"{folder} is not empty: back up into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    rows = table_rows()
    if engine == "sqlite":
        target = sqlite3.connect(folder / "database.sqlite3")
        try:
            connection.ensure_connection()
            raw = connection.connection
            raw.backup(target)  # a consistent copy, while others write
        finally:
            target.close()
    else:
        args, env = _pg_env()
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from the settings
            [
                _program("pg_dump"),
                "--format=custom",
                "--no-owner",
                *args,
                "--file",
                str(folder / "database.dump"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise ValidationFailed(f"pg_dump failed: {done.stderr.strip()[:500]}")
    media, lake = Path(settings.MEDIA_ROOT), Path(settings.VAR_DIR) / "lake"
    if media.exists():
        shutil.copytree(media, folder / "media")
    if lake.exists():
        shutil.copytree(lake, folder / "lake")
    key = Path(settings.VAR_DIR) / "secret_key"
    if key.exists():
        shutil.copy2(key, folder / "secret_key")
        (folder / "secret_key").chmod(0o600)
    files: dict[str, dict[str, Any]] = {
        str(path.relative_to(folder)): {"bytes": path.stat().st_size, "sha256": _sha256(path)}
        for path in _files(folder)
    }
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": engine,
        "tables": rows,
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), "utf-8")
    return Report(
        folder,
        engine,
        len(rows),
        sum(rows.values()),
        len(files),
        sum(int(f["bytes"]) for f in files.values()),
    )


def read_manifest(folder: Path) -> dict[str, Any]:
    """The backup's manifest, every file checked against it."""
    path = folder / MANIFEST
    if not path.exists():
        raise ValidationFailed(f"{folder} holds no {MANIFEST}: not a backup of this system")
    manifest: dict[str, Any] = json.loads(path.read_text("utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValidationFailed(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    for name, expected in manifest["files"].items():
        file = folder / name
        if not file.exists():
            raise ValidationFailed(f"the backup is damaged: {name} is missing")
        if file.stat().st_size != expected["bytes"] or _sha256(file) != expected["sha256"]:
            raise ValidationFailed(f"the backup is damaged: {name} is not the file it names")
    return manifest


def restore(folder: Path, *, replace: bool = False) -> Report:
    """The backup in `folder` into this installation (its database, media
    folder and analytics store), checked before and after."""
    folder = folder.resolve()
    manifest = read_manifest(folder)
    engine = _engine()
    if manifest["engine"] != engine:
        raise ValidationFailed(
            f"the backup is of a {manifest['engine']} database; this installation uses {engine}"
        )
    current = table_rows()
    holding = sorted(t for t, n in current.items() if n and t != "django_migrations")
    if holding and not replace:
        raise ValidationFailed(
            f"this installation's database holds data ({', '.join(holding[:5])} …): "
            "restore into a new installation, or pass --replace to overwrite it"
        )
    if engine == "sqlite":
        source = sqlite3.connect(folder / "database.sqlite3")
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
    else:
        connection.close()
        args, env = _pg_env()
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from the settings
            [
                _program("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(folder / "database.dump"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise ValidationFailed(f"pg_restore failed: {done.stderr.strip()[:500]}")
    for name, target in (
        ("media", Path(settings.MEDIA_ROOT)),
        ("lake", Path(settings.VAR_DIR) / "lake"),
    ):
        if (folder / name).exists():
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(folder / name, target)
    if (folder / "secret_key").exists():
        key = Path(settings.VAR_DIR) / "secret_key"
        shutil.copy2(folder / "secret_key", key)
        key.chmod(0o600)
    restored = table_rows()
    differ = sorted(t for t, n in manifest["tables"].items() if restored.get(t) != n)
    if differ:
        raise ValidationFailed(f"restored, but these tables differ from the backup: {differ}")
    files = manifest["files"]
    return Report(
        folder,
        engine,
        len(restored),
        sum(restored.values()),
        len(files),
        sum(f["bytes"] for f in files.values()),
    )
