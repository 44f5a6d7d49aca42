"""Issue 12 §7: `observatory backup --out DIR` and `observatory restore DIR`
between two installations of their own (processes with their own var/ and
database: SQLite, or PostgreSQL when the suite runs on it); every table and
every file compared after the restore."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.installation import new_databases, run


@pytest.fixture
def databases() -> Iterator[list[str | None]]:
    with new_databases(2) as found:
        yield found


def _tables(var: Path, database: str | None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted."""
    if database is None:
        with sqlite3.connect(var / "observatory.sqlite3") as db:
            names = [
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {n: sorted(map(repr, db.execute(f'SELECT * FROM "{n}"'))) for n in names}
    import psycopg

    with psycopg.connect(database) as db:
        names = [
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        return {n: sorted(map(repr, db.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_backup_restores_into_a_new_installation_with_every_table_and_file(
    tmp_path: Path, databases: list[str | None]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for step in (
        ("migrate", "--no-input", "-v0"),
        ("demo", "--seizures", "3000", "--no-smuggling"),
    ):
        done = run(first, databases[0], *step)
        assert done.returncode == 0, done.stderr[-2000:]

    backed = run(first, databases[0], "backup", "--out", str(tmp_path / "backup"))
    assert backed.returncode == 0, backed.stderr[-2000:]
    assert "Backed up" in backed.stdout
    assert (tmp_path / "backup" / "manifest.json").exists()
    # A backup never lands in a folder that holds something
    again = run(first, databases[0], "backup", "--out", str(tmp_path / "backup"))
    assert again.returncode != 0
    assert "is not empty" in again.stderr

    restored = run(second, databases[1], "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr[-2000:]

    before, after = _tables(first, databases[0]), _tables(second, databases[1])
    # the backup itself is audited in the first installation after its snapshot
    before["core_auditevent"] = [r for r in before["core_auditevent"] if "backup into" not in r]
    assert after.keys() == before.keys()
    differ = [name for name in before if before[name] != after[name]]
    assert differ == []
    assert sum(map(len, after.values())) > 10_000
    assert _files(second / "lake")  # the analytics store of the published seizures
    assert _files(second / "media") == _files(first / "media")
    assert _files(second / "lake") == _files(first / "lake")
    assert _files(second / "media")  # the demo's uploaded originals

    # A restore into an installation that holds data stops, and says why
    refused = run(second, databases[1], "restore", str(tmp_path / "backup"))
    assert refused.returncode != 0
    assert "--replace" in refused.stderr


def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path: Path) -> None:
    import json

    folder = tmp_path / "backup"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "a").write_bytes(b"original")
    manifest = {
        "format": 1,
        "engine": "sqlite",
        "tables": {},
        "files": {"media/a": {"bytes": 8, "sha256": hashlib.sha256(b"altered").hexdigest()}},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))

    done = run(tmp_path / "target", None, "restore", str(folder))

    assert done.returncode != 0
    assert "the backup is damaged: media/a is not the file it names" in done.stderr
    assert not (tmp_path / "target" / "media").exists()
