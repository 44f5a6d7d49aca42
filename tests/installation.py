"""Installations of their own for the tests that run the real command in
another process (backups, killed workers, hostile files): their own var/ and
database (SQLite, or new PostgreSQL databases when the suite runs on it)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url

OBSERVATORY = [sys.executable, "-m", "observatory"]


def _postgres() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def new_databases(count: int = 2) -> Iterator[list[str | None]]:
    """`count` empty databases: SQLite files (None: each installation's
    default), or new PostgreSQL databases, dropped afterwards."""
    url = _postgres()
    if url is None:
        yield [None] * count
        return
    import psycopg

    config = dj_database_url.parse(url)
    names = [f"obs_site_{uuid.uuid4().hex[:8]}" for _ in range(count)]
    admin = psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        base = url.rsplit("/", 1)[0]
        yield [f"{base}/{name}" for name in names]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def environment(var: Path, database: str | None) -> dict[str, str]:
    """The environment of the command for the installation in `var`: none of
    the test run's own settings."""
    drop = {"DATABASE_URL", "OBSERVATORY_ENV", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(OBSERVATORY_VAR_DIR=str(var), OBSERVATORY_REQUIRE_MFA="0")
    if database:
        env["DATABASE_URL"] = database
    return env


def run(var: Path, database: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OBSERVATORY, *args],
        env=environment(var, database),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
