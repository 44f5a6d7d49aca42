"""Issue 12 §3: a process killed with SIGKILL in the middle of a commit leaves
no partial rows, and its import is seen as stopped (by the next worker, or
when someone looks at it) and can be committed again. A real installation of
its own (SQLite, or PostgreSQL when the suite runs on it) and a real process."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.installation import OBSERVATORY, environment, new_databases, run

ROWS = 200_000


def _query(var: Path, database: str | None, sql: str) -> list[tuple[Any, ...]]:
    if database is None:
        with sqlite3.connect(var / "observatory.sqlite3", timeout=30) as db:
            return list(db.execute(sql))
    import psycopg

    with psycopg.connect(database) as db:
        return list(db.execute(sql).fetchall())


def _shell(var: Path, database: str | None, code: str) -> str:
    done = run(var, database, "shell", "-c", code)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture
def database() -> Iterator[str | None]:
    with new_databases(1) as (found,):
        yield found


def test_a_commit_killed_midway_leaves_nothing_and_commits_on_retry(
    tmp_path: Path, database: str | None
) -> None:
    var = tmp_path / "site"
    for step in (("migrate", "--no-input", "-v0"), ("load_reference",)):
        done = run(var, database, *step)
        assert done.returncode == 0, done.stderr[-2000:]
    _shell(
        var,
        database,
        "from observatory.accounts.models import Organisation; "
        "Organisation.objects.create(code='COL-POLICE', name='Policía', area_id='COL', "
        "kind='police')",
    )
    big = tmp_path / "seizures.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("case_reference,seizure_date,drug,quantity,unit\n")
        for number in range(ROWS):
            handle.write(f"C-{number},2024-{number % 12 + 1:02}-15,cocaine,{number % 90 + 1},kg\n")

    process = subprocess.Popen(
        [*OBSERVATORY, "import", "seizures", str(big), "--org", "COL-POLICE", "--label", "2024"],
        env=environment(var, database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        state: list[tuple[Any, ...]] = []
        while time.monotonic() < deadline and process.poll() is None:
            state = _query(var, database, "SELECT status, progress, worker FROM intake_importjob")
            if state and state[0][0] == "committing" and state[0][1] >= 70:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the import finished before it could be killed"
        assert state[0][0] == "committing"
        os.kill(process.pid, signal.SIGKILL)  # in the middle of writing the rows
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    # Nothing of it is stored, and the import still says "committing"
    assert _query(var, database, "SELECT COUNT(*) FROM seizures_seizure") == [(0,)]
    status, _progress, worker = _query(
        var, database, "SELECT status, progress, worker FROM intake_importjob"
    )[0]
    assert status == "committing"
    assert worker.split(":")[1] == str(process.pid)

    # The next worker sees it stopped and makes it ready to commit again
    done = run(var, database, "worker", "--batch")
    assert done.returncode == 0, done.stderr[-2000:]
    status, message = _query(var, database, "SELECT status, message FROM intake_importjob")[0]
    assert status == "validated"
    assert f"the process writing it ended ({worker})" in message
    assert "Nothing was written; commit again." in message

    # and committed again, every row is there once
    printed = _shell(
        var,
        database,
        "from observatory.intake import services; "
        "from observatory.intake.models import ImportJob; "
        "job = services.job_commit(job=ImportJob.objects.get(), actor=None); "
        "print(job.status, job.rows_valid)",
    )
    assert printed.strip().splitlines()[-1].split() == ["committed", str(ROWS)]
    assert _query(var, database, "SELECT COUNT(*) FROM seizures_seizure") == [(ROWS,)]


def test_a_job_of_a_live_process_is_left_alone(db: Any) -> None:
    from observatory.core import lease

    assert lease.alive(lease.me(), None)
    host = lease.me().split(":")[0]
    assert not lease.alive(f"{host}:999999999:1", None)
    # a pid recycled by another process: its start time differs
    assert not lease.alive(f"{host}:{os.getpid()}:1", None)
