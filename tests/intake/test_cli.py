"""`observatory import DATASET FILE --org CODE`: exit 0 when imported (or checked),
2 when validation errors stopped it (nothing written), 1 for any other failure."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.accounts.models import Organisation, Role
from observatory.intake.models import ImportJob, QuarantinedRow, Upload
from observatory.seizures.models import Seizure
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = ["Fecha", "Droga", "Cantidad", "Unidad", "Referencia"]
GOOD = [
    ["31/01/2024", "cocaína", "12,5", "kg", "C-1"],
    ["01/02/2024", "heroína", "500", "g", "C-2"],
]
BAD = [["15/02/2024", "xyz", "1", "kg", "C-3"], ["16/02/2024", "cocaína", "-4", "kg", "C-4"]]


@pytest.fixture(autouse=True)
def media(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def write_csv(folder: Path, name: str, rows: list[list[str]]) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


class Run:
    """One call of the command, with what it printed."""

    def __init__(self, *args: str, **options: Any) -> None:
        self.stdout, self.stderr = io.StringIO(), io.StringIO()
        call_command("import", *args, stdout=self.stdout, stderr=self.stderr, **options)

    @property
    def out(self) -> str:
        return self.stdout.getvalue()

    @property
    def err(self) -> str:
        return self.stderr.getvalue()


def run_failing(*args: str, **options: Any) -> tuple[BaseException, str, str]:
    """Run the command expecting it to stop; the exception and what it printed."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises((SystemExit, CommandError)) as caught:
        call_command("import", *args, stdout=stdout, stderr=stderr, **options)
    return caught.value, stdout.getvalue(), stderr.getvalue()


# --------------------------------------------------------------------------
# Success


def test_a_clean_file_is_imported(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "enero.csv", [HEADER, *GOOD])

    run = Run("seizures", str(path), org="COL-POLICE", label="2024")

    assert "enero.csv: 2 rows, 2 valid, 0 with errors (0 errors, 0 warnings)" in run.out
    job = ImportJob.objects.get()
    assert f"Imported 2 rows as {job.version} (import #{job.pk})." in run.out
    assert job.status == ImportJob.Status.COMMITTED
    assert job.version is not None
    assert job.version.submission.label == "2024"
    assert sorted(Seizure.objects.values_list("case_reference", "quantity", "unit_id")) == [
        ("C-1", 12.5, "kg"),
        ("C-2", 500, "g"),
    ]


def test_the_org_code_is_case_insensitive(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD])

    Run("seizures", str(path), org=" col-police ")

    assert Seizure.objects.count() == 2


def test_a_dry_run_checks_and_writes_no_rows(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD])

    run = Run("seizures", str(path), org="COL-POLICE", dry_run=True)

    assert "Dry run: nothing was written to a submission or published." in run.out
    assert ImportJob.objects.get().status == ImportJob.Status.VALIDATED
    assert (Seizure.objects.count(), Version.objects.count()) == (0, 0)


def test_the_user_option_acts_as_that_user(col_police: Organisation, tmp_path: Path) -> None:
    user = factories.member(Role.CONTRIBUTOR, col_police, email="maria@col.test", mfa=False)
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD])

    Run("seizures", str(path), org="COL-POLICE", user="MARIA@col.test")

    job = ImportJob.objects.get()
    assert (job.created_by, Upload.objects.get().uploaded_by) == (user, user)
    assert job.version is not None
    assert job.version.created_by == user


def test_a_file_imported_before_changes_nothing(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD])
    Run("seizures", str(path), org="COL-POLICE")

    again = Run("seizures", str(path), org="COL-POLICE")

    assert "was uploaded before; the original is kept once." in again.err
    first = ImportJob.objects.order_by("pk").first()
    assert first is not None
    assert f"this file was already imported (import #{first.pk}): nothing changed." in again.out
    assert (Upload.objects.count(), Version.objects.count(), Seizure.objects.count()) == (1, 1, 2)


# --------------------------------------------------------------------------
# Validation errors: exit status 2, nothing written


def test_validation_errors_stop_the_import_with_status_2(
    col_police: Organisation,
    tmp_path: Path,
) -> None:
    # Given a file with two bad rows
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD, *BAD])

    # When it is imported
    error, out, err = run_failing("seizures", str(path), org="COL-POLICE")

    # Then the command exits 2, says why, and writes no row
    assert isinstance(error, SystemExit)
    assert error.code == 2
    assert "4 rows, 2 valid, 2 with errors (2 errors, 0 warnings)" in out
    assert "row 4, Droga: Drug “xyz” is not known (value “xyz”)" in out
    assert "row 5, Cantidad: Quantity must be above zero (value “-4”)" in out
    assert "Validation errors stopped the import: nothing was written." in err
    assert ImportJob.objects.get().status == ImportJob.Status.BLOCKED
    assert (Seizure.objects.count(), Version.objects.count()) == (0, 0)


def test_a_dry_run_with_errors_exits_2(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD, *BAD])

    error, out, _err = run_failing("seizures", str(path), org="COL-POLICE", dry_run=True)

    assert isinstance(error, SystemExit)
    assert error.code == 2
    assert "Dry run: nothing was written to a submission or published." in out
    assert Seizure.objects.count() == 0


def test_accept_valid_imports_the_valid_rows(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD, *BAD])

    run = Run("seizures", str(path), org="COL-POLICE", accept_valid=True)

    assert "Imported 2 rows as" in run.out
    assert sorted(Seizure.objects.values_list("case_reference", flat=True)) == ["C-1", "C-2"]
    assert sorted(QuarantinedRow.objects.values_list("row", "cells__Referencia")) == [
        (4, "C-3"),
        (5, "C-4"),
    ]
    assert ImportJob.objects.get().mode == ImportJob.Mode.ACCEPT_VALID


def test_control_characters_from_a_file_are_not_printed_raw(
    col_police: Organisation,
    tmp_path: Path,
) -> None:
    # Given a file whose bad cell holds terminal escape sequences (clear screen, set title)
    hostile = "\x1b[2J\x1b]0;owned\x07xyz"
    path = write_csv(tmp_path, "a.csv", [HEADER, ["31/01/2024", hostile, "1", "kg", "E-1"]])

    # When the command reports the problem
    _error, out, _err = run_failing("seizures", str(path), org="COL-POLICE")

    # Then the terminal gets the problem, but not the escape sequences
    assert "row 2, Droga: Drug" in out
    assert "\x1b" not in out
    assert "\x07" not in out


# --------------------------------------------------------------------------
# Other failures: CommandError, exit status 1


def test_an_unknown_organisation_is_an_error(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD])

    with pytest.raises(CommandError, match="no organisation with the code 'PER-POLICE'") as caught:
        call_command("import", "seizures", str(path), org="PER-POLICE")

    assert caught.value.returncode == 1
    assert Upload.objects.count() == 0


def test_a_missing_file_is_an_error(col_police: Organisation, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no such file: .*nowhere\.csv") as caught:
        call_command("import", "seizures", str(tmp_path / "nowhere.csv"), org="COL-POLICE")

    assert caught.value.returncode == 1


def test_an_unknown_dataset_is_an_error(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD])

    with pytest.raises(CommandError, match="no dataset 'crimes' accepts imports; known: "):
        call_command("import", "crimes", str(path), org="COL-POLICE")


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("Fecha", r"--map expects SOURCE=field, got 'Fecha'"),
        ("Fecha=fecha", r"--map 'Fecha=fecha': unknown field 'fecha'"),
        ("Fechita=seizure_date", r"--map names columns the file does not have: Fechita"),
    ],
)
def test_a_bad_map_is_an_error(
    col_police: Organisation, tmp_path: Path, pair: str, message: str
) -> None:
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD])

    with pytest.raises(CommandError, match=message) as caught:
        call_command("import", "seizures", str(path), org="COL-POLICE", map=[pair])

    assert caught.value.returncode == 1
    assert Seizure.objects.count() == 0


def test_an_unknown_user_is_an_error(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD])

    with pytest.raises(CommandError, match=r"no user 'ghost@example\.org'"):
        call_command("import", "seizures", str(path), org="COL-POLICE", user="ghost@example.org")


def test_an_unreadable_file_is_an_error(col_police: Organisation, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))

    with pytest.raises(CommandError, match="this is not a text file"):
        call_command("import", "seizures", str(path), org="COL-POLICE")


def test_a_mapping_missing_a_required_field_is_an_error(
    col_police: Organisation,
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path, "a.csv", [["Fecha", "Droga", "Cantidad"], ["31/01/2024", "x", "1"]])

    with pytest.raises(CommandError, match=r"required fields are not mapped .*Unit \(unit\)"):
        call_command("import", "seizures", str(path), org="COL-POLICE")


# --------------------------------------------------------------------------
# Options


def test_map_sends_a_column_to_a_field(col_police: Organisation, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "a.csv",
        [
            ["Fecha", "Sustancia incautada", "Cantidad", "Unidad", "Observación"],
            ["31/01/2024", "cocaína", "3", "kg", "en maleta"],
        ],
    )

    Run(
        "seizures",
        str(path),
        org="COL-POLICE",
        map=["Sustancia incautada=drug", "Observación=notes"],
    )

    assert list(Seizure.objects.values_list("drug_id", "notes")) == [("cocaine", "en maleta")]


def report_run(tmp_path: Path, name: str) -> tuple[Path, str]:
    """Import a file with two bad rows (4 and 5), writing the report to `name`."""
    path = write_csv(tmp_path, "a.csv", [HEADER, *GOOD, *BAD])
    report = tmp_path / name
    _error, out, _err = run_failing("seizures", str(path), org="COL-POLICE", report=report)
    return report, out


def test_report_writes_every_problem_to_a_csv_file(
    col_police: Organisation, tmp_path: Path
) -> None:
    report, out = report_run(tmp_path, "problems.csv")

    assert f"Report written to {report}" in out
    with report.open(encoding="utf-8", newline="") as handle:
        assert [(r["row"], r["code"]) for r in csv.DictReader(handle)] == [
            ("4", "unknown_drug"),
            ("5", "not_positive"),
        ]


def test_report_writes_every_problem_to_an_xlsx_file(
    col_police: Organisation, tmp_path: Path
) -> None:
    report, out = report_run(tmp_path, "problems.xlsx")

    assert f"Report written to {report}" in out
    sheet = openpyxl.load_workbook(report)["problems"]
    assert [(row[0], row[7]) for row in sheet.iter_rows(values_only=True)] == [
        ("row", "code"),
        (4, "unknown_drug"),
        (5, "not_positive"),
    ]


def test_report_writes_every_problem_to_a_json_file(
    col_police: Organisation, tmp_path: Path
) -> None:
    report, out = report_run(tmp_path, "problems.json")

    assert f"Report written to {report}" in out
    content = json.loads(report.read_text("utf-8"))
    assert (content["status"], content["errors"]) == ("blocked", 2)
    assert [(i["row"], i["code"]) for i in content["issues"]] == [
        (4, "unknown_drug"),
        (5, "not_positive"),
    ]


AMBIGUOUS = [
    HEADER,
    ["03/04/2024", "cocaína", "1", "kg", "D-1"],
    ["05/06/2024", "cocaína", "2", "kg", "D-2"],
]


def test_ambiguous_dates_are_day_first_with_a_note(
    col_police: Organisation, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, "a.csv", AMBIGUOUS)

    run = Run("seizures", str(path), org="COL-POLICE")

    assert "note: Fecha: dates such as 03/04/2024 could be day/month or month/day" in run.out
    assert sorted(Seizure.objects.values_list("seizure_date", flat=True)) == [
        date(2024, 4, 3),
        date(2024, 6, 5),
    ]


def test_month_first_reads_ambiguous_dates_as_month_day(
    col_police: Organisation, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, "a.csv", AMBIGUOUS)

    run = Run("seizures", str(path), org="COL-POLICE", month_first=True)

    assert "could be day/month" not in run.out
    assert sorted(Seizure.objects.values_list("seizure_date", flat=True)) == [
        date(2024, 3, 4),
        date(2024, 5, 6),
    ]
    assert ImportJob.objects.get().options == {"day_first": False}
