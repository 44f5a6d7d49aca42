"""The problem report of an import, as text, CSV, XLSX or JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
from django.conf import settings

from observatory.intake.models import ImportIssue, ImportJob

COLUMNS = [
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


def all_issues_path(job: ImportJob) -> Path:
    """Where the check keeps every problem it found (the database keeps the
    first hundred thousand, for the pages)."""
    return Path(settings.VAR_DIR) / "intake" / "reports" / f"{job.pk}.issues.parquet"


def issues_frame(job: ImportJob) -> pl.DataFrame:
    """Every problem of the job's last check, in the report's columns."""
    path = all_issues_path(job)
    if path.exists():
        frame = pl.read_parquet(path)
        return frame.select(
            pl.col("row").cast(pl.Int64),
            *[pl.col(c).cast(pl.String).fill_null("") for c in COLUMNS if c != "row"],
        ).select(COLUMNS)
    rows = list(ImportIssue.objects.filter(job=job).values_list(*COLUMNS))
    return pl.DataFrame(rows, orient="row", schema=dict.fromkeys(COLUMNS, pl.String)).with_columns(
        pl.col("row").cast(pl.Int64)
    )


def _safe_cells(frame: pl.DataFrame) -> pl.DataFrame:
    # A value such as =HYPERLINK(...) from a hostile file must not become a formula
    # when the report is opened in a spreadsheet.
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in ["column", "value", "message", "expected", "suggestion"]
    )


def write_report(job: ImportJob, path: Path) -> None:
    frame = issues_frame(job)
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(report_dict(job), ensure_ascii=False, indent=2), "utf-8")
    elif suffix == ".xlsx":
        _safe_cells(frame).write_excel(path, worksheet="problems", autofit=True)
    else:
        _safe_cells(frame).write_csv(path)


def report_dict(job: ImportJob) -> dict[str, object]:
    return {
        "import": job.pk,
        "file": job.upload.filename,
        "sha256": job.upload.sha256,
        "status": job.status,
        "rows": job.rows_total,
        "valid_rows": job.rows_valid,
        "rows_with_errors": job.rows_with_errors,
        "errors": job.errors,
        "warnings": job.warnings,
        "notes": job.notes,
        "mapping": job.mapping,
        "message": job.message,
        "issues": issues_frame(job).to_dicts(),
    }


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Control characters from a file (ESC, BEL ...) shown, not sent to the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def report_text(job: ImportJob, *, limit: int = 50) -> str:
    lines = [
        f"{job.upload.filename}: {job.rows_total} rows, {job.rows_valid} valid, "
        f"{job.rows_with_errors} with errors ({job.errors} errors, {job.warnings} warnings)",
    ]
    lines += [f"note: {note}" for note in job.notes]
    if job.message:
        lines.append(job.message)
    for issue in ImportIssue.objects.filter(job=job)[:limit]:
        text = f"row {issue.row}, {issue.column}: {issue.message}"
        if issue.value:
            text += f" (value “{issue.value}”)"
        if issue.expected:
            text += f"; expected {issue.expected}"
        if issue.suggestion:
            text += f"; did you mean {issue.suggestion}?"
        lines.append(f"  {issue.severity.upper():7} {_printable(text)}")
    more = ImportIssue.objects.filter(job=job).count() - limit
    if more > 0:
        lines.append(f"  ... and {more} more (write them all with --report PATH)")
    return "\n".join(lines)
