"""How a seizure import is written: chunk by chunk under one content hash, on
PostgreSQL a large version as a partition of its own, everything in the
commit's transaction; the problems found stored in bulk."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

import polars as pl
import pytest
from django.db import connection

from observatory.accounts.models import Organisation
from observatory.intake import services
from observatory.intake.models import ImportIssue, ImportJob, QuarantinedRow
from observatory.intake.registry import handler_for
from observatory.seizures import handler
from observatory.seizures.models import Seizure
from observatory.submissions.models import Version

pytestmark = pytest.mark.django_db

HEADER = ["Fecha", "Droga", "Cantidad", "Unidad", "País de destino", "Referencia", "Lugar"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def rows(count: int, prefix: str = "R") -> bytes:
    # Empty places: empty texts must come back as "", not as NULL.
    return csv_bytes(
        [HEADER]
        + [
            [
                f"{1 + n % 28:02d}/01/2024",
                "cocaína",
                f"{1 + n % 90},5",
                "kg",
                "España",
                f"{prefix}-{n}",
                "" if n % 2 else f'Puerto "{n}", muelle',
            ]
            for n in range(count)
        ]
    )


def checked(organisation: Organisation, data: bytes, filename: str) -> ImportJob:
    upload, _created = services.upload_store(
        stream=io.BytesIO(data),
        filename=filename,
        organisation=organisation,
        dataset="seizures",
        actor=None,
    )
    return services.job_validate(job=services.job_create(upload=upload, actor=None))


def committed(organisation: Organisation, data: bytes, filename: str) -> ImportJob:
    job = services.job_commit(job=checked(organisation, data, filename), actor=None)
    assert job.status == ImportJob.Status.COMMITTED, job.message
    return job


def expected_hash(job: ImportJob) -> str:
    """The content hash by its definition: the SHA-256 of the rows' CSV, whole."""
    rows_path, _issues = services._checked_paths(job)
    table = handler.seizure_rows(pl.read_parquet(rows_path), job)
    buffer = io.BytesIO()
    table.write_csv(buffer, include_header=False)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def partition_of(version: Version) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tableoid::regclass::text FROM seizures_seizure WHERE version_id = %s",
            [version.pk],
        )
        return {name for (name,) in cursor.fetchall()}


def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")


def test_rows_written_in_chunks_have_the_hash_of_the_whole_table(
    col_police: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given chunks of two rows
    monkeypatch.setattr(handler, "CHUNK_ROWS", 2)

    # When seven rows are committed
    job = committed(col_police, rows(7), "chunks.csv")

    # Then every row is there once, texts as written, and the hash is the whole table's
    stored = Seizure.objects.filter(version=job.version).order_by("source_row")
    assert [(s.case_reference, s.place) for s in stored] == [
        (f"R-{n}", "" if n % 2 else f'Puerto "{n}", muelle') for n in range(7)
    ]
    assert len({s.pk for s in stored}) == 7
    assert job.version.row_count == 7
    assert job.version.content_sha256 == expected_hash(job)


def test_a_large_version_is_written_as_a_partition_of_its_own(
    col_police: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    postgresql_only()
    # Given versions of three rows or more counting as large
    monkeypatch.setattr(handler, "PARTITION_MIN_ROWS", 3)
    monkeypatch.setattr(handler, "CHUNK_ROWS", 2)

    # When a large and a small file are committed
    large = committed(col_police, rows(5), "large.csv")
    small = committed(col_police, rows(2, prefix="S"), "small.csv")

    # Then the large version has its partition, the small one shares the default
    assert partition_of(large.version) == {f"seizures_seizure_v{large.version.pk}"}
    assert partition_of(small.version) == {"seizures_seizure_default"}
    # And both read back through the model as any rows do, with one id sequence
    assert Seizure.objects.filter(version=large.version).count() == 5
    assert sorted(Seizure.objects.values_list("case_reference", flat=True)) == [
        "R-0",
        "R-1",
        "R-2",
        "R-3",
        "R-4",
        "S-0",
        "S-1",
    ]
    assert Seizure.objects.values("pk").distinct().count() == 7
    assert Seizure.objects.get(case_reference="R-1").place == ""
    assert large.version.content_sha256 == expected_hash(large)
    # And the partition has the table's indexes, no default or check of its own
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass",
            [f"seizures_seizure_v{large.version.pk}"],
        )
        assert cursor.fetchone()[0] == 4  # primary key and the model's 3 indexes
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'",
            [f"seizures_seizure_v{large.version.pk}"],
        )
        assert {name for (name,) in cursor.fetchall()} == {
            "seizures_seizure_persons_arrested_check",
            "seizures_seizure_source_row_check",
        }


def test_a_commit_dying_after_writing_its_partition_leaves_no_table(
    col_police: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    postgresql_only()
    monkeypatch.setattr(handler, "PARTITION_MIN_ROWS", 3)
    job = checked(col_police, rows(4), "dies.csv")
    seizures = handler_for("seizures")
    real_commit = seizures.commit
    names: list[str] = []

    def commit_then_die(frame: pl.DataFrame, job: ImportJob, actor: Any) -> Any:
        version = real_commit(frame, job, actor)
        names.append(f"seizures_seizure_v{version.pk}")
        assert Seizure.objects.filter(version=version).count() == 4
        raise RuntimeError("connection lost")

    # When the commit dies after its partition was written and attached
    monkeypatch.setattr(seizures, "commit", commit_then_die)
    with pytest.raises(RuntimeError, match="connection lost"):
        services.job_commit(job=job, actor=None)

    # Then neither the table nor the rows nor the version remain
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", names)
        assert cursor.fetchone()[0] is None
    assert not Seizure.objects.exists()
    assert not Version.objects.exists()

    # And a retry writes every row once
    monkeypatch.setattr(seizures, "commit", real_commit)
    job = services.job_commit(job=job, actor=None)
    assert job.status == ImportJob.Status.COMMITTED
    assert Seizure.objects.count() == 4
    assert partition_of(job.version) == {f"seizures_seizure_v{job.version.pk}"}


def test_a_left_over_partition_name_sends_the_rows_through_the_parent(
    col_police: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    postgresql_only()
    monkeypatch.setattr(handler, "PARTITION_MIN_ROWS", 3)
    job = checked(col_police, rows(3), "taken.csv")
    # Given a table already named as the next version's partition would be
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_sequence_last_value(pg_get_serial_sequence('submissions_version', 'id'))"
        )
        last = cursor.fetchone()[0] or 0
        cursor.execute(f"CREATE TABLE seizures_seizure_v{last + 1} (x int)")

    # When the file is committed, then its rows go to the default partition
    job = services.job_commit(job=job, actor=None)
    assert job.version.pk == last + 1
    assert partition_of(job.version) == {"seizures_seizure_default"}


def test_issues_are_stored_exactly_as_found(
    col_police: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given issues stored a few at a time, with values full of CSV's special characters
    monkeypatch.setattr(services, "ISSUE_BATCH", 1)
    data = csv_bytes(
        [
            HEADER,
            ["01/01/2024", "cocaína", 'doce "12", más\nuno', "kg", "España", "A-1", ""],
            ["", "cocaína", "abc", "kg", "Narnia", "A-2", ""],
            ["02/01/2024", "cocaína", "-1", "\\N", "España", "A-3", ""],
        ]
    )

    # When the file is checked
    job = checked(col_police, data, "issues.csv")

    # Then each issue is one row, its texts as found (missing ones as "")
    stored = set(
        ImportIssue.objects.filter(job=job).values_list(
            "row", "column", "field", "value", "severity", "code", "suggestion"
        )
    )
    assert {(row, column, code, value) for row, column, _f, value, _s, code, _x in stored} == {
        (2, "Cantidad", "not_a_number", 'doce "12", más\nuno'),
        (3, "Fecha", "required", ""),
        (3, "Cantidad", "not_a_number", "abc"),
        (3, "País de destino", "unknown_area", "Narnia"),
        (4, "Cantidad", "not_positive", "-1"),
        (4, "Unidad", "unknown_unit", "\\N"),
    }
    assert all(
        severity == "error" and suggestion is not None
        for _r, _c, _f, _v, severity, _code, suggestion in stored
    )
    assert job.errors == len(stored) == ImportIssue.objects.filter(job=job).count()


def test_a_job_is_created_from_the_first_rows_and_checked_on_all(
    col_police: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a job created from the first two rows of a file of five
    monkeypatch.setattr(services, "PREVIEW_ROWS", 2)
    upload, _created = services.upload_store(
        stream=io.BytesIO(rows(5)),
        filename="preview.csv",
        organisation=col_police,
        dataset="seizures",
        actor=None,
    )
    job = services.job_create(upload=upload, actor=None)

    # Then it knows the columns and the number of rows
    assert job.headers == HEADER
    assert job.mapping["Referencia"] == "case_reference"
    assert job.rows_total == 5

    # And the check and the commit see every row
    job = services.job_commit(job=services.job_validate(job=job), actor=None)
    assert (job.status, job.rows_total, job.rows_valid) == (ImportJob.Status.COMMITTED, 5, 5)


def test_quarantined_rows_keep_their_cells_exactly(
    col_police: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given rows stored a few at a time, two with errors and awkward texts
    monkeypatch.setattr(services, "ISSUE_BATCH", 1)
    header = [*HEADER, 'Nota "libre"']
    data = csv_bytes(
        [
            header,
            ["01/01/2024", "cocaína", "1", "kg", "España", "Q-1", "", "ok"],
            ["02/01/2024", "cocaína", "doce", "kg", "España", "Q-2", 'a "b", c\nd', "\\N"],
            ["03/01/2024", "cocaína", "2", "kg", "España", "Q-3", "Muelle 3", ""],
            ["", "polvo ñ", "3", "kg", "España", "Q-4", "", "{}"],
        ]
    )

    # When the valid rows are accepted
    job = services.job_commit(job=checked(col_police, data, "q.csv"), actor=None, accept_valid=True)

    # Then the bad rows wait with every cell as written, keyed by the file's headers
    assert job.status == ImportJob.Status.COMMITTED
    stored = {q.row: q.cells for q in QuarantinedRow.objects.filter(job=job)}
    assert stored == {
        3: dict(
            zip(
                header,
                ["02/01/2024", "cocaína", "doce", "kg", "España", "Q-2", 'a "b", c\nd', "\\N"],
                strict=True,
            )
        ),
        5: dict(zip(header, ["", "polvo ñ", "3", "kg", "España", "Q-4", "", "{}"], strict=True)),
    }
    assert sorted(Seizure.objects.values_list("case_reference", flat=True)) == ["Q-1", "Q-3"]
