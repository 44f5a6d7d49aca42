"""Imports through the services, on the database: the sample files with their
planted errors, all-or-nothing and accept-valid commits, duplicates, sizes,
kilogram-equivalents, a commit that dies half-way, the audit trail and the
problem reports."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import openpyxl
import polars as pl
import pytest
from django.db.models import Model
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.accounts.models import Organisation, Role, User
from observatory.core.errors import ValidationFailed
from observatory.core.models import AuditEvent
from observatory.intake import services, tasks
from observatory.intake.models import ImportIssue, ImportJob, QuarantinedRow, SavedMapping, Upload
from observatory.intake.reading import UnreadableFile
from observatory.intake.registry import handler_for
from observatory.intake.report import report_dict, write_report
from observatory.intake.services import UploadTooLarge
from observatory.intake.validation import ERROR, WARNING, validate
from observatory.reference.models import Area
from observatory.seizures.models import Seizure
from observatory.seizures.schema import SEIZURES
from observatory.submissions.models import Submission, Version
from tests import factories

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "observatory" / "seizures" / "samples"
COLOMBIA = SAMPLES / "incautaciones_colombia_2024.xlsx"
THAILAND = SAMPLES / "缉获_泰国_2023.csv"
IDS = SAMPLES / "ids_export_latin1.csv"

# The planted problems of samples/README.md, as (row -> code) of what the import finds.
COLOMBIA_ERRORS = {
    19: "not_positive",  # -25
    40: "unknown_drug",  # xyz
    63: "future_date",  # 15/03/2031
    86: "required",  # Droga empty
    104: "required",  # Cantidad empty
    129: "required",  # Fecha empty
    152: "duplicate_in_file",  # COL-2024-000280 again
    198: "not_a_date",  # 31/02/2024
    223: "unknown_unit",  # bultos
}
COLOMBIA_WARNINGS = {175: "unusually_large"}  # 12.000 kg of cocaine: twelve tonnes
THAILAND_ERRORS = {
    14: "unknown_drug",  # 神奇粉
    60: "not_a_number",  # abc
    83: "required",  # date missing
    106: "not_positive",  # -5
    129: "unknown_unit",  # 箱
    152: "unknown_area",  # 火星 (Mars)
    175: "duplicate_in_file",  # THA-2023-000288 again
}
THAILAND_WARNINGS = {37: "old_date"}  # 1950-01-01
IDS_ERRORS = {
    101: "not_positive",  # 0
    113: "unknown_unit",  # Unknown: no unit, no quantity
    134: "not_a_date",  # 02/30/2020
}
IDS_VALUES = {32: "other-drug", 66: "unknown"}  # DRUG_NAME Other / Unknown: values, not errors


@pytest.fixture(autouse=True)
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def thai_oncb(db: Any) -> Organisation:
    return cast(
        Organisation,
        factories.OrganisationFactory(
            code="THA-ONCB",
            name="Office of the Narcotics Control Board",
            kind=Organisation.Kind.DRUG_CONTROL,
            area=Area.objects.get(code="THA"),
        ),
    )


@pytest.fixture
def nld_police(db: Any) -> Organisation:
    return factories.agency("NLD", Organisation.Kind.POLICE)


@pytest.fixture
def contributor(col_police: Organisation) -> User:
    return factories.member(Role.CONTRIBUTOR, col_police, mfa=False)


def store(
    organisation: Organisation, data: bytes, filename: str, actor: Any = None
) -> tuple[Upload, bool]:
    return services.upload_store(
        stream=io.BytesIO(data),
        filename=filename,
        organisation=organisation,
        dataset="seizures",
        actor=actor,
    )


def sample(path: Path) -> tuple[bytes, str]:
    return path.read_bytes(), path.name


def checked(
    organisation: Organisation, data: bytes, filename: str, *, actor: Any = None, **job_options: Any
) -> ImportJob:
    """Upload, create the job with the proposed mapping, and dry-run it."""
    upload, _created = store(organisation, data, filename, actor)
    job = services.job_create(upload=upload, actor=actor, **job_options)
    return services.job_validate(job=job)


def issue_pairs(job: ImportJob, severity: str = ERROR) -> set[tuple[int, str]]:
    return set(ImportIssue.objects.filter(job=job, severity=severity).values_list("row", "code"))


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


HEADER = ["Fecha", "Droga", "Cantidad", "Unidad", "País de destino", "Referencia"]


def seizure_rows(count: int, *, prefix: str = "R") -> list[list[str]]:
    return [HEADER] + [
        [f"{1 + n % 28:02d}/01/2024", "cocaína", f"{1 + n % 90},5", "kg", "España", f"{prefix}-{n}"]
        for n in range(count)
    ]


def counts() -> dict[str, int]:
    models: list[type[Model]] = [Seizure, Version, Submission, QuarantinedRow, Upload]
    return {model.__name__: model._default_manager.count() for model in models}


# --------------------------------------------------------------------------
# The sample files


def readme_rows() -> dict[str, set[int]]:
    """The rows of the "wrong on purpose" table under each file's heading."""
    sections = re.split(r"^## ", (SAMPLES / "README.md").read_text("utf-8"), flags=re.M)[1:]
    return {
        section.splitlines()[0].strip(): {
            int(row) for row in re.findall(r"^\| (\d+) \|", section, flags=re.M)
        }
        for section in sections
    }


def test_the_expectations_here_cover_exactly_the_rows_of_the_readme() -> None:
    rows = readme_rows()

    assert rows[COLOMBIA.name] == set(COLOMBIA_ERRORS) | set(COLOMBIA_WARNINGS)
    assert rows[THAILAND.name] == set(THAILAND_ERRORS) | set(THAILAND_WARNINGS)
    assert rows[IDS.name] == set(IDS_ERRORS) | set(IDS_VALUES)


def test_the_colombian_workbook_has_exactly_the_planted_errors(col_police: Organisation) -> None:
    # Given the Spanish workbook, uploaded by the Colombian police
    # When it is checked
    job = checked(col_police, *sample(COLOMBIA))

    # Then the errors are those of the README, at its rows, and nothing is written
    assert job.mapping["Cantidad"] == "quantity"
    assert issue_pairs(job) == set(COLOMBIA_ERRORS.items())
    assert set(COLOMBIA_WARNINGS.items()) <= issue_pairs(job, WARNING)
    assert (job.status, job.rows_total, job.rows_with_errors, job.rows_valid) == (
        ImportJob.Status.BLOCKED,
        300,
        9,
        291,
    )
    assert Seizure.objects.count() == 0


def test_the_colombian_workbook_keeps_the_value_of_cells_typed_as_numbers(
    col_police: Organisation,
) -> None:
    # Given the workbook, whose Cantidad is a real number in some rows ("962.1" as the
    # reader writes it) and Spanish text in the others ("97,88")
    sheet = openpyxl.load_workbook(COLOMBIA, read_only=True).active
    assert sheet is not None
    typed = {
        number: Decimal(str(cells[5]))
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
        if isinstance(cells[5], float) and not cells[5].is_integer()
    }
    assert typed[8] == Decimal("962.1")

    # When its valid rows are committed
    job = checked(col_police, *sample(COLOMBIA))
    job = services.job_commit(job=job, accept_valid=True, actor=None)

    # Then every number keeps its value (not 9621: the dot of a number is no
    # thousands separator), and only the twelve tonnes of row 175 look unusual
    assert job.status == ImportJob.Status.COMMITTED
    stored = cast(
        dict[int, Decimal],
        dict(
            Seizure.objects.filter(version=job.version, source_row__in=typed).values_list(
                "source_row", "quantity"
            )
        ),
    )
    assert len(stored) > 50
    assert stored == {row: typed[row] for row in stored}
    assert issue_pairs(job, WARNING) == set(COLOMBIA_WARNINGS.items())


def test_the_thai_csv_has_exactly_the_planted_errors(thai_oncb: Organisation) -> None:
    job = checked(thai_oncb, *sample(THAILAND))

    assert job.notes == []  # UTF-8 with BOM: nothing to say
    assert issue_pairs(job) == set(THAILAND_ERRORS.items())
    assert issue_pairs(job, WARNING) == set(THAILAND_WARNINGS.items())
    assert (job.status, job.rows_total, job.rows_with_errors) == (ImportJob.Status.BLOCKED, 200, 7)


def test_the_thai_csv_issues_keep_the_cells_as_written(thai_oncb: Organisation) -> None:
    job = checked(thai_oncb, *sample(THAILAND))

    issues = ImportIssue.objects.filter(job=job, severity=ERROR)
    assert list(issues.values_list("row", "column", "value")) == [
        (14, "毒品", "神奇粉"),
        (60, "数量", "abc"),
        (83, "日期", ""),
        (106, "数量", "-5"),
        (129, "单位", "箱"),
        (152, "目的国", "火星"),
        (175, "案件编号", "THA-2023-000288"),
    ]


def test_the_ids_export_is_refused_row_by_row_for_another_country(
    nld_police: Organisation,
) -> None:
    # Given the multi-country Latin-1 export, uploaded by the Dutch police
    with IDS.open(encoding="latin-1", newline="") as handle:
        records = csv.DictReader(handle, delimiter=";")
        countries = {n: r["COUNTRY_OF_SEIZURE"] for n, r in enumerate(records, start=2)}
    foreign = {row for row, country in countries.items() if country != "Netherlands"}
    assert 0 < len(foreign) < len(countries)

    # When it is checked
    job = checked(nld_police, *sample(IDS))

    # Then each row seized elsewhere is refused, every Dutch row is not
    refused = ImportIssue.objects.filter(job=job, code="other_country")
    assert set(refused.values_list("row", flat=True)) == foreign
    assert set(refused.values_list("severity", flat=True)) == {ERROR}
    assert job.notes == ["read as latin-1"]
    assert refused.get(row=5).value == "CIV"  # Côte d'Ivoire, read from Latin-1


def test_the_ids_export_without_its_country_column_has_the_planted_errors(
    nld_police: Organisation,
) -> None:
    # Given the export mapped without COUNTRY_OF_SEIZURE (every row is the uploader's)
    upload, _created = store(nld_police, *sample(IDS))
    job = services.job_create(upload=upload, actor=None)
    mapping = {h: f for h, f in job.mapping.items() if h != "COUNTRY_OF_SEIZURE"}
    job = services.mapping_confirm(job=job, mapping=mapping, actor=None)

    # When it is checked
    job = services.job_validate(job=job)

    # Then the errors are the README's; "Other" and "Unknown" drugs are not errors
    assert issue_pairs(job) == set(IDS_ERRORS.items())
    assert not ImportIssue.objects.filter(job=job, row__in=IDS_VALUES).exists()
    # US dates: 02/30/2020 is refused, 12/31-style dates settled the order
    assert not any("could be day/month" in note for note in job.notes)


def test_the_ids_export_commits_other_and_unknown_drugs_as_values(
    nld_police: Organisation,
) -> None:
    upload, _created = store(nld_police, *sample(IDS))
    job = services.job_create(upload=upload, actor=None)
    job = services.mapping_confirm(
        job=job,
        mapping={h: f for h, f in job.mapping.items() if h != "COUNTRY_OF_SEIZURE"},
        actor=None,
    )

    job = services.job_commit(job=services.job_validate(job=job), accept_valid=True, actor=None)

    assert job.status == ImportJob.Status.COMMITTED
    drugs = dict(
        Seizure.objects.filter(source_row__in=IDS_VALUES).values_list("source_row", "drug_id")
    )
    assert drugs == IDS_VALUES
    assert set(Seizure.objects.values_list("area_id", flat=True)) == {"NLD"}
    # Row 25: Côte d'Ivoire as the departure country, from a Latin-1 byte
    assert Seizure.objects.get(source_row=25).departure_area == "CIV"


def test_an_unknown_unit_is_refused_not_read_as_the_count_unit() -> None:
    # "Unknown" is a value for a country or a drug; a quantity without a unit means nothing.
    raw = pl.DataFrame(
        {
            "Fecha": ["2024-01-31"],
            "Droga": ["heroin"],
            "Cantidad": ["5"],
            "Unidad": ["Unknown"],
            "__row__": [2],
        }
    )

    result = validate(
        raw,
        {"Fecha": "seizure_date", "Droga": "drug", "Cantidad": "quantity", "Unidad": "unit"},
        SEIZURES,
        services.reference_normalisers(),
    )

    assert result.clean["unit"].to_list() == [None]
    assert result.issues.select("row", "code").rows() == [(2, "unknown_unit")]


# --------------------------------------------------------------------------
# Commit: all or nothing, or the valid rows with the rest in quarantine


def test_a_clean_file_is_committed_as_a_new_draft_version(
    col_police: Organisation,
    contributor: User,
) -> None:
    data = csv_bytes(seizure_rows(3))
    job = checked(col_police, data, "seizures-2024.csv", actor=contributor)
    assert job.status == ImportJob.Status.VALIDATED

    job = services.job_commit(job=job, actor=contributor)

    assert job.status == ImportJob.Status.COMMITTED
    assert job.mode == ImportJob.Mode.ALL_OR_NOTHING
    version = job.version
    assert version is not None
    assert (version.number, version.status, version.row_count, version.submission.label) == (
        1,
        Version.Status.DRAFT,
        3,
        "seizures-2024",
    )
    rows = Seizure.objects.filter(version=version).order_by("source_row")
    assert list(
        rows.values_list(
            "source_row",
            "case_reference",
            "seizure_date__month",
            "quantity",
            "unit_id",
            "drug_id",
            "area_id",
            "destination_area",
        )
    ) == [
        (2, "R-0", 1, Decimal("1.5"), "kg", "cocaine", "COL", "ESP"),
        (3, "R-1", 1, Decimal("2.5"), "kg", "cocaine", "COL", "ESP"),
        (4, "R-2", 1, Decimal("3.5"), "kg", "cocaine", "COL", "ESP"),
    ]
    assert len(version.content_sha256) == 64


def test_a_file_with_errors_commits_nothing(thai_oncb: Organisation) -> None:
    # Given the Thai file, with its seven bad rows
    job = checked(thai_oncb, *sample(THAILAND))
    before = counts()

    # When it is committed all-or-nothing
    job = services.job_commit(job=job, actor=None)

    # Then nothing is written and the job says why
    assert job.status == ImportJob.Status.BLOCKED
    assert job.version is None
    assert counts() == before
    assert not AuditEvent.objects.filter(object_type="submissions.version").exists()


def test_accept_valid_commits_the_valid_rows_and_quarantines_the_rest(
    thai_oncb: Organisation,
) -> None:
    # Given the Thai file and its original rows
    with THAILAND.open(encoding="utf-8-sig", newline="") as handle:
        original = dict(enumerate(csv.DictReader(handle), start=2))
    job = checked(thai_oncb, *sample(THAILAND))

    # When its valid rows are accepted
    job = services.job_commit(job=job, accept_valid=True, actor=None)

    # Then 193 rows are committed, and the seven bad ones wait with their cells as written
    assert (job.status, job.mode, job.rows_valid) == (
        ImportJob.Status.COMMITTED,
        ImportJob.Mode.ACCEPT_VALID,
        193,
    )
    assert job.version is not None
    assert job.version.row_count == 193
    committed = set(
        Seizure.objects.filter(version=job.version).values_list("source_row", flat=True)
    )
    assert committed == set(original) - set(THAILAND_ERRORS)
    quarantined = {q.row: q.cells for q in QuarantinedRow.objects.filter(job=job)}
    assert quarantined == {row: original[row] for row in THAILAND_ERRORS}
    assert quarantined[14]["毒品"] == "神奇粉"
    # A warning does not keep a row out: the 1950 date is committed as written.
    assert str(Seizure.objects.get(source_row=37).seizure_date) == "1950-01-01"


def test_accept_valid_with_no_valid_row_fails_and_writes_nothing(
    col_police: Organisation,
) -> None:
    data = csv_bytes(
        [
            HEADER,
            ["31/01/2024", "xyz", "1", "kg", "", "A"],
            ["31/01/2024", "cocaína", "-1", "kg", "", "B"],
        ]
    )
    job = checked(col_police, data, "bad.csv")
    before = counts()

    job = services.job_commit(job=job, accept_valid=True, actor=None)

    assert (job.status, job.message) == (
        ImportJob.Status.FAILED,
        "no row is valid: nothing to import",
    )
    assert counts() == before


def test_thai_quantities_are_converted_to_kilograms(thai_oncb: Organisation) -> None:
    job = checked(thai_oncb, *sample(THAILAND))

    job = services.job_commit(job=job, accept_valid=True, actor=None)

    seizures = Seizure.objects.filter(version=job.version)
    # Row 2: "102,936" 片 (tablets) of 麻古 (yaba): 100 mg each
    assert seizures.values_list("drug_id", "quantity", "unit_id", "kilograms").get(
        source_row=2
    ) == ("methamphetamine", Decimal("102936"), "tablet", Decimal("10.2936"))
    # Row 68: 184 株 (plants) of 大麻 are not converted
    assert seizures.values_list("quantity", "unit_id", "kilograms", "conversion_rule").get(
        source_row=68
    ) == (Decimal("184"), "plant", None, "count: plant is not converted to mass")


def test_a_case_reference_already_in_another_submission_is_an_error(
    col_police: Organisation,
) -> None:
    # Given January's file committed (references)
    january = checked(col_police, csv_bytes(seizure_rows(4)), "enero.csv")
    assert services.job_commit(job=january, actor=None).status == ImportJob.Status.COMMITTED

    # When February's file repeats R-2 (and brings new references)
    february = csv_bytes(
        [
            HEADER,
            ["01/02/2024", "cocaína", "1", "kg", "", "R-2"],
            ["02/02/2024", "cocaína", "1", "kg", "", "F-1"],
        ]
    )
    job = checked(col_police, february, "febrero.csv")

    # Then the repeated reference is refused; a corrected January file would not be
    assert issue_pairs(job) == {(2, "duplicate_stored")}
    correction = checked(col_police, csv_bytes(seizure_rows(5)), "enero.csv", label="enero")
    assert issue_pairs(correction) == set()


# --------------------------------------------------------------------------
# Kilogram-equivalents


def test_kilogram_equivalents_follow_the_published_rules(
    col_police: Organisation,
    settings: SettingsWrapper,
) -> None:
    # Given one seizure per rule (tablet weights: methamphetamine 100 mg, MDMA 300 mg
    # in the reference data, MDMA overridden to 150 mg here)
    settings.OBSERVATORY_TABLET_MG_OVERRIDES = {"mdma": 150}
    rows = [
        ["500", "g", "cocaine-hcl"],
        ["2,5", "kg", "heroin"],
        ["3", "t", "cannabis-herb"],
        ["2", "l", "cannabis-oil"],
        ["250", "ml", "cannabis-oil"],
        ["1000", "tablet", "methamphetamine"],
        ["1000", "tablet", "mdma"],
        ["40", "tablet", "codeine"],
        ["10", "plant", "cannabis-plants"],
    ]
    data = csv_bytes(
        [["Fecha", "Cantidad", "Unidad", "Droga", "Referencia"]]
        + [
            ["2024-01-31", quantity, unit, drug, f"K-{n}"]
            for n, (quantity, unit, drug) in enumerate(rows)
        ]
    )

    # When it is imported
    job = services.job_commit(job=checked(col_police, data, "kg.csv"), actor=None)

    # Then each row has its kilograms and the rule that gave them
    assert job.status == ImportJob.Status.COMMITTED, job.message
    stored = Seizure.objects.filter(version=job.version).order_by("source_row")
    assert [(s.kilograms, s.conversion_rule) for s in stored] == [
        (Decimal("0.5"), "mass: 1 g = 0.001 kg"),
        (Decimal("2.5"), "mass: 1 kg = 1.0 kg"),
        (Decimal("3000"), "mass: 1 t = 1000.0 kg"),
        (Decimal("2"), "volume: 1 l = 1.0 l; 1 l = 1 kg"),
        (Decimal("0.25"), "volume: 1 ml = 0.001 l; 1 l = 1 kg"),
        (Decimal("0.1"), "count: 1 tablet of methamphetamine = 100.0 mg"),
        (Decimal("0.15"), "count: 1 tablet of mdma = 150.0 mg"),
        (None, "count: tablet is not converted to mass"),
        (None, "count: plant is not converted to mass"),
    ]


# --------------------------------------------------------------------------
# The same file twice


def test_the_same_file_is_stored_once_and_committed_once(
    col_police: Organisation,
    media: Path,
) -> None:
    # Given a committed import
    data = csv_bytes(seizure_rows(4))
    first_upload, created = store(col_police, data, "enero.csv")
    first = services.job_commit(
        job=services.job_validate(job=services.job_create(upload=first_upload, actor=None)),
        actor=None,
    )
    assert (created, first.status) == (True, ImportJob.Status.COMMITTED)
    before = counts()

    # When the same bytes come again, under another name
    again, created_again = store(col_police, data, "enero (1).csv")
    second = services.job_validate(job=services.job_create(upload=again, actor=None))
    second = services.job_commit(job=second, actor=None)

    # Then the original is kept once and the second commit changes nothing
    assert (again.pk, created_again) == (first_upload.pk, False)
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1
    assert second.status == ImportJob.Status.DUPLICATE
    assert second.version_id == first.version_id
    assert second.message == f"this file was already imported (import #{first.pk})"
    assert counts() == before
    # Committing the first job again is a no-op too.
    assert services.job_commit(job=first, actor=None).status == ImportJob.Status.COMMITTED
    assert counts() == before


def test_the_same_file_from_another_organisation_is_its_own_upload(
    col_police: Organisation,
    col_lab: Organisation,
) -> None:
    data = csv_bytes(seizure_rows(2))

    police_upload, _created = store(col_police, data, "a.csv")
    lab_upload, created = store(col_lab, data, "a.csv")

    assert created is True
    assert lab_upload.pk != police_upload.pk
    assert lab_upload.sha256 == police_upload.sha256


# --------------------------------------------------------------------------
# Limits and unreadable uploads


def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_kept(
    col_police: Organisation,
    settings: SettingsWrapper,
    media: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a limit of 1 MiB, and a place to see the spooled copy
    settings.OBSERVATORY_MAX_UPLOAD_BYTES = 1024 * 1024
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    data = csv_bytes(seizure_rows(1)) + b"x" * (1024 * 1024)

    # When a larger file is uploaded
    with pytest.raises(UploadTooLarge, match="the file is larger than the limit of 1 MB"):
        store(col_police, data, "big.csv")

    # Then nothing is stored: no row, no file, no spooled copy, no audit
    assert Upload.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []
    assert list(spool.iterdir()) == []
    assert not AuditEvent.objects.filter(object_type="intake.upload").exists()


def test_a_file_at_the_size_limit_is_accepted(
    col_police: Organisation,
    settings: SettingsWrapper,
) -> None:
    data = csv_bytes(seizure_rows(3))
    settings.OBSERVATORY_MAX_UPLOAD_BYTES = len(data)

    upload, created = store(col_police, data, "exact.csv")

    assert (created, upload.size) == (True, len(data))


def test_an_upload_keeps_only_the_base_name_and_is_stored_under_its_hash(
    col_police: Organisation,
    media: Path,
) -> None:
    upload, _created = store(col_police, csv_bytes(seizure_rows(1)), "../../etc/seizures.csv")

    assert upload.filename == "seizures.csv"
    assert upload.file.name == f"uploads/{upload.sha256[:2]}/{upload.sha256}"
    assert (media / upload.file.name).read_bytes() == csv_bytes(seizure_rows(1))


def test_an_empty_upload_is_refused(col_police: Organisation) -> None:
    with pytest.raises(UnreadableFile, match="the file is empty"):
        store(col_police, b"", "empty.csv")

    assert Upload.objects.count() == 0


def test_an_unreadable_upload_is_refused_when_the_import_starts(
    col_police: Organisation,
) -> None:
    upload, _created = store(col_police, b"\x89PNG\r\n\x1a\n" + bytes(300), "seizures.csv")

    with pytest.raises(UnreadableFile, match="this is not a text file"):
        services.job_create(upload=upload, actor=None)

    assert ImportJob.objects.count() == 0


def test_a_mapping_naming_columns_the_file_lacks_is_refused(col_police: Organisation) -> None:
    upload, _created = store(col_police, csv_bytes(seizure_rows(1)), "a.csv")

    with pytest.raises(
        ValidationFailed,
        match="--map names columns the file does not have: Fechita; its columns are: Fecha, Droga",
    ):
        services.job_create(upload=upload, mapping={"Fechita": "seizure_date"}, actor=None)


def test_a_mapping_without_a_required_field_fails_the_job(col_police: Organisation) -> None:
    upload, _created = store(col_police, csv_bytes(seizure_rows(1)), "a.csv")
    job = services.job_create(upload=upload, actor=None)
    job = services.mapping_confirm(
        job=job, mapping={h: f for h, f in job.mapping.items() if f != "unit"}, actor=None
    )

    job = services.job_validate(job=job)

    assert job.status == ImportJob.Status.FAILED
    assert job.message == "required fields are not mapped to any column: Unit (unit)"


def test_a_mapping_feeding_one_field_twice_is_refused(col_police: Organisation) -> None:
    upload, _created = store(col_police, csv_bytes(seizure_rows(1)), "a.csv")
    job = services.job_create(upload=upload, actor=None)

    with pytest.raises(ValidationFailed, match="more than one feeds: drug"):
        services.mapping_confirm(job=job, mapping={**job.mapping, "Referencia": "drug"}, actor=None)


def test_a_confirmed_mapping_is_remembered_for_the_same_layout(
    col_police: Organisation,
) -> None:
    # Given a mapping confirmed once: Referencia read as notes
    upload, _created = store(col_police, csv_bytes(seizure_rows(1)), "a.csv")
    job = services.job_create(upload=upload, actor=None)
    chosen = {**job.mapping, "Referencia": "notes"}
    services.mapping_confirm(job=job, mapping=chosen, actor=None)

    # When another file of the same layout comes
    other, _created = store(col_police, csv_bytes(seizure_rows(2, prefix="S")), "b.csv")
    next_job = services.job_create(upload=other, actor=None)

    # Then the confirmed mapping is proposed again
    assert SavedMapping.objects.count() == 1
    assert next_job.mapping == chosen


def test_a_column_confirmed_as_ignored_stays_ignored_for_the_same_layout(
    col_police: Organisation,
) -> None:
    # Given a mapping confirmed once with the destination column left out
    upload, _created = store(col_police, csv_bytes(seizure_rows(1)), "a.csv")
    job = services.job_create(upload=upload, actor=None)
    chosen = {h: f for h, f in job.mapping.items() if h != "País de destino"}
    services.mapping_confirm(job=job, mapping={**chosen, "País de destino": ""}, actor=None)

    # When another file of the same layout comes
    other, _created = store(col_police, csv_bytes(seizure_rows(2, prefix="S")), "b.csv")
    next_job = services.job_create(upload=other, actor=None)

    # Then the column is still left out, as confirmed
    assert next_job.mapping == chosen


# --------------------------------------------------------------------------
# A commit that dies half-way


LARGE = 2_500  # rows: more than one insert batch of the handler (2,000 when written)


def dying_commit(monkeypatch: pytest.MonkeyPatch, written: list[int]) -> None:
    """Make the seizure handler's commit write its rows, note how many are in the
    table, and then die, as a process killed before the transaction ends."""
    handler = handler_for("seizures")
    real_commit = handler.commit

    def commit_then_die(rows: pl.DataFrame, job: ImportJob, actor: Any) -> Any:
        version = real_commit(rows, job, actor)
        written.append(Seizure.objects.filter(version=version).count())
        raise RuntimeError("connection lost")

    monkeypatch.setattr(handler, "commit", commit_then_die)


def test_a_commit_dying_after_writing_rows_leaves_nothing(
    col_police: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a checked file larger than one batch of inserts
    job = checked(col_police, csv_bytes(seizure_rows(LARGE)), "big.csv")
    assert job.status == ImportJob.Status.VALIDATED
    before = counts()
    audits = AuditEvent.objects.count()

    # When the commit dies after its rows were written
    written: list[int] = []
    dying_commit(monkeypatch, written)
    with pytest.raises(RuntimeError, match="connection lost"):
        services.job_commit(job=job, actor=None)

    # Then the rows were in the table, and are gone with the version and submission
    assert written == [LARGE]
    assert counts() == before
    assert not Version.objects.exists()
    assert not Submission.objects.exists()
    job.refresh_from_db()
    assert job.status != ImportJob.Status.COMMITTED
    assert job.version is None
    assert AuditEvent.objects.count() == audits

    # And a retry, once the database is back, commits every row once
    monkeypatch.undo()
    job = services.job_commit(job=job, actor=None)
    assert job.status == ImportJob.Status.COMMITTED
    assert Seizure.objects.count() == LARGE
    assert Version.objects.count() == 1


def test_a_commit_that_dies_does_not_leave_the_job_looking_busy(
    col_police: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a checked file whose commit dies
    job = checked(col_police, csv_bytes(seizure_rows(3)), "a.csv")
    dying_commit(monkeypatch, [])
    with pytest.raises(RuntimeError, match="connection lost"):
        services.job_commit(job=job, actor=None)

    # Then the job does not stay "committing" (the page would poll it for ever and
    # the commit button, offered for validated or blocked jobs only, never returns)
    job.refresh_from_db()
    assert job.status not in {ImportJob.Status.COMMITTING, ImportJob.Status.COMMITTED}


# --------------------------------------------------------------------------
# Audit


def audit_trail(obj: Model) -> list[tuple[str, dict[str, Any]]]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", "changes")
    )


def test_every_upload_mapping_and_commit_leaves_audit_rows(
    col_police: Organisation,
    contributor: User,
) -> None:
    data = csv_bytes(seizure_rows(2))

    upload, _created = store(col_police, data, "audit.csv", actor=contributor)
    job = services.job_create(upload=upload, label="2024", actor=contributor)
    job = services.mapping_confirm(job=job, mapping=job.mapping, actor=contributor)
    job = services.job_validate(job=job)
    job = services.job_commit(job=job, actor=contributor)

    assert audit_trail(upload) == [
        ("create", {"filename": "audit.csv", "sha256": upload.sha256, "size": len(data)}),
    ]
    assert [action for action, _changes in audit_trail(job)] == ["create", "update", "create"]
    assert audit_trail(job)[-1][1] == {
        "committed_rows": 2,
        "quarantined_rows": 0,
        "version": str(job.version),
    }
    assert job.version is not None
    assert [action for action, _changes in audit_trail(job.version)] == ["create"]
    events = AuditEvent.objects.filter(organisation="COL-POLICE")
    assert set(events.values_list("actor_email", flat=True)) == {contributor.email}


# --------------------------------------------------------------------------
# Background tasks (run immediately in tests)


def test_the_tasks_validate_and_commit_after_the_transaction(
    col_police: Organisation,
    contributor: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    upload, _created = store(col_police, csv_bytes(seizure_rows(2)), "task.csv")
    job = services.job_create(upload=upload, actor=contributor)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_validation(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED

    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_commit(job, accept_valid=False, actor_id=contributor.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED
    assert AuditEvent.objects.filter(object_type="intake.importjob", via="task").exists()


# --------------------------------------------------------------------------
# Problem reports


HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.fixture
def hostile_job(col_police: Organisation) -> ImportJob:
    data = csv_bytes(
        [
            HEADER,
            ["31/01/2024", HOSTILE, "1", "kg", "España", "H-1"],
            ["31/01/2024", "cocaína", "-3", "kg", "@SUM(A1)", "H-2"],
            ["31/01/2024", "cocaína", "2", "kg", "España", "H-3"],
        ]
    )
    job = checked(col_police, data, "hostile.csv")
    assert issue_pairs(job) == {(2, "unknown_drug"), (3, "unknown_area"), (3, "not_positive")}
    return job


def test_the_csv_report_writes_hostile_values_as_text(
    hostile_job: ImportJob, tmp_path: Path
) -> None:
    path = tmp_path / "report.csv"

    write_report(hostile_job, path)

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["row"], r["code"], r["value"]) for r in rows] == [
        ("2", "unknown_drug", "'" + HOSTILE),
        ("3", "not_positive", "'-3"),
        ("3", "unknown_area", "'@SUM(A1)"),
    ]
    assert rows[0]["message"] == f"Drug “{HOSTILE}” is not known"
    assert list(rows[0]) == [
        "row",
        "column",
        "value",
        "severity",
        "message",
        "expected",
        "suggestion",
        "code",
        "field",
    ]


def test_the_xlsx_report_writes_hostile_values_as_text(
    hostile_job: ImportJob, tmp_path: Path
) -> None:
    path = tmp_path / "report.xlsx"

    write_report(hostile_job, path)

    sheet = openpyxl.load_workbook(path)["problems"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]  # no formula
    values = [cell.value for cell in sheet["C"]]
    assert values == ["value", "'" + HOSTILE, "'-3", "'@SUM(A1)"]


def test_the_json_report_keeps_values_as_written(hostile_job: ImportJob, tmp_path: Path) -> None:
    path = tmp_path / "report.json"

    write_report(hostile_job, path)

    report = json.loads(path.read_text("utf-8"))
    assert report == report_dict(hostile_job)
    assert (
        report["file"],
        report["status"],
        report["rows"],
        report["valid_rows"],
        report["rows_with_errors"],
        report["errors"],
    ) == ("hostile.csv", "blocked", 3, 1, 2, 3)
    assert [(i["row"], i["value"]) for i in report["issues"]] == [
        (2, HOSTILE),
        (3, "-3"),
        (3, "@SUM(A1)"),
    ]
