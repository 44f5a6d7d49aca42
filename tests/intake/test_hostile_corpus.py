"""Issue 12 §2: a corpus of hostile files, made here, each imported (dry run)
by the real command in a process of its own: each is refused with a clear
message, and the process's peak memory (its maximum resident set, measured
by the kernel) stays under 1 GB."""

from __future__ import annotations

import os
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.installation import OBSERVATORY, environment, run
from tests.intake.test_reading import zip_bomb

PEAK_BYTES = 1024**3


def _deep_xml(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write(b'<?xml version="1.0"?>' + b"<a>" * 2_000_000 + b"</a>" * 2_000_000)


def _one_line(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write(b"date,drug,quantity,unit\n")
        for _ in range(50):
            handle.write(b"2024-01-01;" * 95_000)


def _wide(path: Path) -> None:
    path.write_text(",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("1" * 5000) + "\n")


def _truncated(path: Path) -> None:
    whole = path.with_suffix(".whole.xlsx")
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>" * 10_000)
    path.write_bytes(whole.read_bytes()[:-300])


def _binary(path: Path) -> None:
    path.write_bytes(os.urandom(2 * 1024 * 1024))


def _bomb(path: Path) -> None:
    zip_bomb(path, 2048)


# name, maker, dataset arguments, what the refusal says
CORPUS: list[tuple[str, Callable[[Path], None], list[str], str]] = [
    ("bomb.xlsx", _bomb, ["seizures"], "expands to an implausible size"),
    ("bomb-without-name", _bomb, ["seizures"], "expands to an implausible size"),
    ("deep.xml", _deep_xml, ["observations", "--format", "sdmx-ml"], "levels deep"),
    ("one-line.csv", _one_line, ["seizures"], "longer than 1 MB"),
    ("wide.csv", _wide, ["seizures"], "columns; at most"),
    ("truncated.xlsx", _truncated, ["seizures"], "damaged or truncated"),
    ("noise.csv", _binary, ["seizures"], ""),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    var = tmp_path_factory.mktemp("hostile")
    for step in (("migrate", "--no-input", "-v0"), ("load_reference",), ("load_definitions",)):
        done = run(var, None, *step)
        assert done.returncode == 0, done.stderr[-2000:]
    code = (
        "from observatory.accounts.models import Organisation as O; "
        "O.objects.create(code='COL-POLICE', name='Policía', area_id='COL', kind='police'); "
        "O.objects.create(code='OFFICE', name='Office', kind='office')"
    )
    done = run(var, None, "shell", "-c", code)
    assert done.returncode == 0, done.stderr[-2000:]
    return var


def _peak(var: Path, *args: str) -> tuple[int, int, str]:
    """Exit status, peak resident memory in bytes, and the error output of one
    import in a process of its own."""
    errors = var / "stderr.txt"
    with errors.open("wb") as err:
        process = subprocess.Popen(
            [*OBSERVATORY, "import", *args],
            env=environment(var, None),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss * 1024, errors.read_text(errors="replace")


@pytest.mark.parametrize(("name", "make", "dataset", "says"), CORPUS, ids=[c[0] for c in CORPUS])
def test_a_hostile_file_is_refused_in_bounded_memory(
    site: Path,
    tmp_path: Path,
    name: str,
    make: Callable[[Path], None],
    dataset: list[str],
    says: str,
) -> None:
    path = tmp_path / name
    make(path)
    org = "OFFICE" if "observations" in dataset else "COL-POLICE"
    extra = ["--dataflow", "DF_TIP"] if "observations" in dataset else []

    code, peak, errors = _peak(site, *dataset, str(path), "--org", org, *extra, "--dry-run")

    assert code != 0
    assert "Traceback" not in errors, errors[-2000:]
    assert says in errors, errors[-2000:]
    assert peak < PEAK_BYTES, f"{name}: {peak / 1024**2:.0f} MB"
