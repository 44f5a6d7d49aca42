"""Writes of the intake engine: store an upload, check it (dry run), commit it.

A commit runs in one transaction: either every row (or, with "accept valid
rows", every valid row plus the quarantine of the rest) lands, or nothing does.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.core import lease
from observatory.core.audit import acting_user, audit_record
from observatory.core.errors import ObservatoryError, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.intake import mapping as mapping_module
from observatory.intake.models import (
    ImportIssue,
    ImportJob,
    QuarantinedRow,
    SavedMapping,
    SavedValue,
    Upload,
)
from observatory.intake.reading import ROW_NUMBER, RawTable, UnreadableFile, read_table
from observatory.intake.registry import handler_for
from observatory.intake.report import all_issues_path
from observatory.intake.validation import ERROR, WARNING, Normalisers, ValidationResult, validate
from observatory.reference.matching import fold
from observatory.reference.normalise import normaliser

CHUNK = 1024 * 1024
ISSUE_BATCH = 5000
MAX_STORED_ISSUES = 100_000

logger = logging.getLogger(__name__)


class UploadTooLarge(ValidationFailed):
    pass


def _hash_and_spool(stream: IO[bytes], limit: int) -> tuple[str, int, Path]:
    digest = hashlib.sha256()
    size = 0
    spool = tempfile.NamedTemporaryFile(delete=False, prefix="observatory-upload-")  # noqa: SIM115
    with spool:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                Path(spool.name).unlink(missing_ok=True)
                raise UploadTooLarge(
                    f"the file is larger than the limit of {limit // (1024 * 1024)} MB"
                )
            digest.update(chunk)
            spool.write(chunk)
    return digest.hexdigest(), size, Path(spool.name)


def upload_store(
    *, stream: IO[bytes], filename: str, organisation: Organisation, dataset: str, actor: ActorLike
) -> tuple[Upload, bool]:
    """Keep the original; the same file for the same organisation is stored once.

    Returns (upload, created)."""
    handler = handler_for(dataset)
    limit = settings.OBSERVATORY_MAX_UPLOAD_BYTES
    sha256, size, spooled = _hash_and_spool(stream, limit)
    try:
        if size == 0:
            raise UnreadableFile("the file is empty")
        # A dataset may refuse a file before anything of it is kept (personal
        # identifiers in migrant smuggling data).
        screen = getattr(handler, "screen_upload", None)
        if screen is not None:
            screen(spooled, filename)
        existing = Upload.objects.filter(
            organisation=organisation, dataset=dataset, sha256=sha256
        ).first()
        if existing:
            return existing, False
        with transaction.atomic(), spooled.open("rb") as handle:
            upload = Upload(
                organisation=organisation,
                dataset=dataset,
                filename=Path(filename).name[:255],
                size=size,
                sha256=sha256,
                uploaded_by=acting_user(actor),
            )
            upload.file.save(Path(filename).name, File(handle), save=False)
            upload.save()
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=upload,
                organisation=organisation.code,
                changes={"filename": upload.filename, "sha256": sha256, "size": size},
            )
        return upload, True
    finally:
        spooled.unlink(missing_ok=True)


@contextmanager
def _local_copy(upload: Upload) -> Iterator[Path]:
    """A path to the original (storage backends other than the file system copy it)."""
    try:
        yield Path(upload.file.path)
    except NotImplementedError:
        with tempfile.NamedTemporaryFile(suffix=Path(upload.filename).suffix) as copy:
            with upload.file.open("rb") as source:
                while chunk := source.read(CHUNK):
                    copy.write(chunk)
            copy.flush()
            yield Path(copy.name)


def reference_normalisers() -> Normalisers:
    return Normalisers(
        area=normaliser("area").match_many,
        drug=normaliser("drug").match_many,
        unit=normaliser("unit").match_many,
    )


# Rows a job's creation looks at (header, proposed mapping); the check reads all.
PREVIEW_ROWS = 1000


def read_upload(
    upload: Upload, *, sheet: str | None = None, preview: int | None = None
) -> RawTable:
    """The original as a table of texts. A dataset whose files are not tables
    (SDMX-ML messages) reads them itself (`read_upload` on its handler). With
    `preview`, a large CSV may be read only that far (`row_count` still counts
    its records)."""
    reader = getattr(handler_for(upload.dataset), "read_upload", None)
    with _local_copy(upload) as path:
        if reader is not None:
            table: RawTable = reader(path, upload.filename)
            return table
        return read_table(path, filename=upload.filename, sheet=sheet, preview=preview)


def remembered_mapping(
    organisation: Organisation, dataset: str, headers: list[str]
) -> dict[str, str]:
    saved = SavedMapping.objects.filter(
        organisation=organisation,
        dataset=dataset,
        signature=mapping_module.layout_signature(headers),
    ).first()
    return dict(saved.mapping) if saved else {}


def job_create(
    *,
    upload: Upload,
    label: str = "",
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    actor: ActorLike,
) -> ImportJob:
    """A new import of `upload`: reads the header and proposes a mapping (or takes
    the one given)."""
    handler = handler_for(upload.dataset)
    raw = read_upload(upload, preview=PREVIEW_ROWS)
    proposal = mapping_module.propose_mapping(
        raw.headers,
        handler.schema,
        remembered_mapping(upload.organisation, upload.dataset, raw.headers),
    )
    proposed = {p.header: p.field for p in proposal if p.field}
    if mapping:
        unknown = set(mapping) - set(raw.headers)
        if unknown:
            raise ValidationFailed(
                f"--map names columns the file does not have: {', '.join(sorted(unknown))}; "
                f"its columns are: {', '.join(raw.headers)}"
            )
        proposed = {h: f for h, f in proposed.items() if f not in mapping.values()}
        proposed.update(mapping)
    with transaction.atomic():
        job = ImportJob.objects.create(
            upload=upload,
            organisation=upload.organisation,
            dataset=upload.dataset,
            label=(label or Path(upload.filename).stem)[:100],
            mapping=proposed,
            options=options or {},
            headers=raw.headers,
            notes=raw.notes,
            rows_total=raw.row_count,
            created_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=job,
            organisation=upload.organisation.code,
            changes={"upload": upload.sha256[:12], "label": job.label},
        )
    return job


def mapping_confirm(
    *,
    job: ImportJob,
    mapping: dict[str, str],
    actor: ActorLike,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Set the mapping the user confirmed (and the reading options chosen with it,
    such as `day_first`) and remember the mapping for this layout."""
    handler = handler_for(job.dataset)
    ignored = [h for h, f in mapping.items() if not f]
    mapping = {h: f for h, f in mapping.items() if f}
    unknown = set(mapping.values()) - set(handler.schema.names)
    if unknown:
        raise ValidationFailed(f"unknown fields: {', '.join(sorted(unknown))}")
    targets = list(mapping.values())
    doubled = {f for f in targets if targets.count(f) > 1}
    if doubled:
        raise ValidationFailed(
            f"each field can take one column; more than one feeds: {', '.join(sorted(doubled))}"
        )
    with transaction.atomic():
        job.mapping = mapping
        job.status = ImportJob.Status.PENDING
        if options:
            job.options = {**job.options, **options}
        job.save(update_fields=["mapping", "status", "options"])
        SavedMapping.objects.update_or_create(
            organisation=job.organisation,
            dataset=job.dataset,
            signature=mapping_module.layout_signature(job.headers),
            # Columns left out are remembered too (as ""), so they stay out.
            defaults={"mapping": {**dict.fromkeys(ignored, ""), **mapping}},
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=job,
            organisation=job.organisation.code,
            changes={"mapping": mapping, **({"options": options} if options else {})},
        )
    return job


def _progress(job: ImportJob, percent: int, message: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(progress=percent, message=message)
    job.progress, job.message = percent, message


def _checked_paths(job: ImportJob) -> tuple[Path, Path]:
    """Where the dry run keeps its typed rows, so the commit need not redo it; the
    name changes with the file, the mapping and the options."""
    key = hashlib.sha256(
        json.dumps([job.upload.sha256, job.mapping, job.options], sort_keys=True).encode()
    ).hexdigest()[:24]
    folder = Path(settings.VAR_DIR) / "intake" / "checked"
    return folder / f"{job.pk}-{key}.rows.parquet", folder / f"{job.pk}-{key}.issues.parquet"


def _run_validation(job: ImportJob, *, reuse: bool = False) -> ValidationResult:
    """Read, map, type and check the file. With `reuse`, the typed rows of this
    job's dry run are taken as they are; the dataset's own checks (which look at
    stored data) always run again."""
    handler = handler_for(job.dataset)
    rows_path, issues_path = _checked_paths(job)
    if reuse and rows_path.exists() and issues_path.exists():
        result = ValidationResult(
            clean=pl.read_parquet(rows_path),
            issues=pl.read_parquet(issues_path),
            notes=list(job.notes),
        )
    else:
        raw = read_upload(job.upload)
        _progress(job, 20, "columns mapped")
        day_first = job.options.get("day_first")
        notes = raw.notes
        # The cells as read are not needed once typed: let them go.
        frame = raw.frame
        del raw
        result = validate(
            frame,
            job.mapping,
            handler.schema,
            reference_normalisers(),
            day_first=day_first,
            decimal_mark=job.options.get("decimal_mark"),
            confirmed=confirmed_values(job),
            accept_suggestions=bool(job.options.get("accept_suggestions")),
        )
        del frame
        rows_path.parent.mkdir(parents=True, exist_ok=True)
        # A working copy, read back once by the commit: fast compression over small.
        result.clean.write_parquet(rows_path, compression="lz4")
        result.issues.write_parquet(issues_path, compression="lz4")
        result.notes = notes + result.notes
    _progress(job, 60, "values checked")
    extra = handler.check(result, job)
    if not extra.is_empty():
        result.issues = pl.concat([result.issues, extra]).sort(["row", "column"])
    return result


ISSUE_TEXTS = ("column", "field", "value", "severity", "code", "message", "expected", "suggestion")


def _store_issues(job: ImportJob, issues: pl.DataFrame) -> None:
    """The first MAX_STORED_ISSUES issues as ImportIssue rows, in the caller's
    transaction: COPY on PostgreSQL, batched executemany elsewhere (the ORM took
    seconds for a hundred thousand)."""
    rows = issues.head(MAX_STORED_ISSUES).select(
        pl.lit(job.pk, dtype=pl.Int64).alias("job_id"),
        pl.col("row"),
        *[pl.col(name).fill_null("") for name in ISSUE_TEXTS],
    )
    if rows.is_empty():
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in ["job_id", "row", *ISSUE_TEXTS])
    table = quote(ImportIssue._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
                for start in range(0, rows.height, ISSUE_BATCH * 4):
                    buffer = io.BytesIO()
                    rows.slice(start, ISSUE_BATCH * 4).write_csv(buffer, include_header=False)
                    copy.write(buffer.getvalue())
            return
        placeholders = ", ".join(["%s"] * len(rows.columns))
        insert = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        for start in range(0, rows.height, ISSUE_BATCH):
            cursor.executemany(insert, rows.slice(start, ISSUE_BATCH).rows())


def job_validate(*, job: ImportJob) -> ImportJob:
    """The dry run: every problem stored with the job; nothing else changes."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.VALIDATING, progress=5, worker=lease.me(), claimed_at=timezone.now()
    )
    try:
        result = _run_validation(job)
    except (ValidationFailed, ValueError) as error:
        return _fail(job, str(error))
    issues = result.issues
    # Every problem, for the report (--report, the downloads); the database and
    # the pages keep the first MAX_STORED_ISSUES.
    report = all_issues_path(job)
    report.parent.mkdir(parents=True, exist_ok=True)
    issues.write_parquet(report.with_suffix(".tmp"), compression="lz4")
    report.with_suffix(".tmp").replace(report)
    with transaction.atomic():
        ImportIssue.objects.filter(job=job).delete()
        _store_issues(job, issues)
        error_rows = issues.filter(pl.col("severity") == ERROR)["row"].n_unique()
        job.rows_total = result.clean.height
        job.rows_with_errors = error_rows
        job.rows_valid = result.clean.height - error_rows
        job.errors = issues.filter(pl.col("severity") == ERROR).height
        job.warnings = issues.filter(pl.col("severity") == WARNING).height
        job.notes = result.notes
        job.status = ImportJob.Status.BLOCKED if job.errors else ImportJob.Status.VALIDATED
        job.progress = 100
        job.message = ""
        job.save()
    return job


def _store_quarantine(job: ImportJob, cells: pl.DataFrame) -> None:
    """The rows left out, each with its cells as read (a JSON object, header ->
    text), in the caller's transaction: COPY on PostgreSQL, executemany elsewhere
    (model objects for a hundred thousand rows took seconds and a lot of memory)."""
    headers = [name for name in cells.columns if name != ROW_NUMBER]
    rows = cells.select(
        pl.lit(job.pk, dtype=pl.Int64).alias("job_id"),
        pl.col(ROW_NUMBER).alias("row"),
        pl.struct(headers).struct.json_encode().alias("cells"),
    )
    if rows.is_empty():
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in rows.columns)
    table = quote(QuarantinedRow._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
                for start in range(0, rows.height, ISSUE_BATCH * 4):
                    buffer = io.BytesIO()
                    rows.slice(start, ISSUE_BATCH * 4).write_csv(buffer, include_header=False)
                    copy.write(buffer.getvalue())
            return
        insert = f"INSERT INTO {table} ({names}) VALUES (%s, %s, %s)"  # noqa: S608
        for start in range(0, rows.height, ISSUE_BATCH):
            cursor.executemany(insert, rows.slice(start, ISSUE_BATCH).rows())


def _fail(job: ImportJob, message: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, message=message, progress=100, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def job_commit(
    *, job: ImportJob, accept_valid: bool = False, actor: ActorLike, confirmed: bool = False
) -> ImportJob:
    """Write the rows as a new submission version, all or nothing.

    With `accept_valid`, rows with errors are kept in quarantine with their
    cells instead of blocking the import. `confirmed`: the user confirmed what
    the check said the import does (a dataset that removes data on an update
    asks for it). Committing an upload whose content is already committed with
    the same action changes nothing."""
    if job.status == ImportJob.Status.COMMITTED:
        return job
    if confirmed:
        job_confirm(job=job, actor=actor)
    action = job.options.get("action") or "merge"
    previous = next(
        (
            other
            for other in ImportJob.objects.filter(
                upload=job.upload, status=ImportJob.Status.COMMITTED
            ).exclude(pk=job.pk)
            if (other.options.get("action") or "merge") == action
        ),
        None,
    )
    if previous is not None:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DUPLICATE,
            version=previous.version,
            message=f"this file was already imported (import #{previous.pk})",
        )
        job.refresh_from_db()
        return job
    handler = handler_for(job.dataset)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.COMMITTING, progress=5, worker=lease.me(), claimed_at=timezone.now()
    )
    try:
        result = _run_validation(job, reuse=True)
    except (ValidationFailed, ValueError) as error:
        return _fail(job, str(error))
    has_errors = not result.issues.filter(pl.col("severity") == ERROR).is_empty()
    if has_errors and not accept_valid:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.BLOCKED, progress=100)
        job.refresh_from_db()
        return job
    valid = result.valid()
    if valid.is_empty():
        return _fail(job, "no row is valid: nothing to import")
    # The rows to quarantine by number; the checked rows themselves are let go
    # (with errors, `valid` is a copy of the good ones).
    bad = result.invalid()[ROW_NUMBER] if accept_valid and has_errors else None
    del result
    _progress(job, 70, "writing rows")
    try:
        return _commit_rows(job, handler, valid, bad, accept_valid=accept_valid, actor=actor)
    except ObservatoryError as error:
        # Refused (e.g. the submission is with the office): nothing was written and
        # the checked file can be committed later, once the refusal no longer holds.
        back = ImportJob.Status.BLOCKED if has_errors else ImportJob.Status.VALIDATED
        ImportJob.objects.filter(pk=job.pk).update(status=back, progress=100, message=str(error))
        job.refresh_from_db()
        raise
    except Exception:
        # The transaction rolled back: say so.
        _fail(job, "the import failed while writing; nothing was written")
        raise


def confirmed_values(job: ImportJob) -> dict[str, dict[str, str]]:
    """The readings of texts as codes the user confirmed, kind -> folded text ->
    code: the organisation's earlier ones, then this import's (which win)."""
    values: dict[str, dict[str, str]] = {}
    for kind, text, code in SavedValue.objects.filter(organisation=job.organisation).values_list(
        "kind", "text", "code"
    ):
        values.setdefault(kind, {})[text] = code
    for kind, chosen in (job.options.get("values") or {}).items():
        values.setdefault(kind, {}).update({fold(text): code for text, code in chosen.items()})
    return values


def _remember_values(job: ImportJob, actor: ActorLike) -> None:
    """This import's confirmed readings, kept for the organisation's next imports."""
    for kind, chosen in (job.options.get("values") or {}).items():
        for text, code in chosen.items():
            # A reading given for any kind (the command line's TEXT=CODE) is
            # remembered for the kinds whose code it is.
            kinds = [kind] if kind != "*" else ["area", "drug", "unit", "code"]
            for each in kinds:
                if each == "code":
                    # A dimension's code (the portal's and the annex's labels):
                    # the import checked it against the dataflow's list, and a
                    # later import uses it only where the list holds it.
                    SavedValue.objects.update_or_create(
                        organisation=job.organisation,
                        kind="code",
                        text=fold(text),
                        defaults={"code": code[:60], "confirmed_by": acting_user(actor)},
                    )
                    continue
                match = normaliser(each).match(code)
                if match.confidence < 1.0 or match.code is None:
                    continue
                SavedValue.objects.update_or_create(
                    organisation=job.organisation,
                    kind=each,
                    text=fold(text),
                    defaults={"code": match.code, "confirmed_by": acting_user(actor)},
                )


def job_map_values(
    *,
    job: ImportJob,
    values: dict[str, dict[str, str]],
    accept_suggestions: bool = False,
    actor: ActorLike,
) -> ImportJob:
    """The user confirms how texts read as codes (kind -> text -> code; an empty
    code drops a reading) or accepts every suggestion: the job is checked again
    with them. Nothing is remembered until the import is committed."""
    if job.status not in {ImportJob.Status.VALIDATED, ImportJob.Status.BLOCKED}:
        raise ValidationFailed(f"the import is {job.status}: its values cannot change now")
    kinds = {"area", "drug", "unit", "code", "*"}
    unknown = set(values) - kinds
    if unknown:
        raise ValidationFailed(
            f"values are read for area, drug, unit or a dimension's code, not {sorted(unknown)}"
        )
    current = {k: dict(v) for k, v in (job.options.get("values") or {}).items()}
    for kind, chosen in values.items():
        for text, code in chosen.items():
            if code.strip():
                current.setdefault(kind, {})[text] = code.strip()
            else:
                current.get(kind, {}).pop(text, None)
    job.options = {
        **job.options,
        "values": current,
        "accept_suggestions": accept_suggestions or bool(job.options.get("accept_suggestions")),
    }
    job.status = ImportJob.Status.PENDING
    job.save(update_fields=["options", "status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=job,
        organisation=job.organisation.code,
        changes={"values": values, "accept_suggestions": accept_suggestions},
    )
    return job


def _commit_rows(
    job: ImportJob,
    handler: Any,
    valid: pl.DataFrame,
    bad: pl.Series | None,
    *,
    accept_valid: bool,
    actor: ActorLike,
) -> ImportJob:
    with transaction.atomic():
        quarantined = 0
        if bad is not None:
            cells = read_upload(job.upload).cells.filter(pl.col(ROW_NUMBER).is_in(bad.implode()))
            _store_quarantine(job, cells)
            quarantined = cells.height
            del cells
        # The rows last: little happens between their write and the end of the
        # transaction (a new partition locks the default one until then).
        version = handler.commit(valid, job, actor)
        _remember_values(job, actor)
        job.version = version
        job.mode = ImportJob.Mode.ACCEPT_VALID if accept_valid else ImportJob.Mode.ALL_OR_NOTHING
        job.status = ImportJob.Status.COMMITTED
        job.progress = 100
        job.message = ""
        job.rows_valid = valid.height
        job.finished_at = timezone.now()
        job.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=job,
            organisation=job.organisation.code,
            changes={
                "committed_rows": valid.height,
                "quarantined_rows": quarantined,
                "version": str(version),
            },
        )
    return job


def job_confirm(*, job: ImportJob, actor: ActorLike) -> ImportJob:
    """The user confirms what the check said the import does (an update that
    removes data asks for it before its commit)."""
    if job.options.get("confirmed"):
        return job
    job.options = {**job.options, "confirmed": True}
    job.save(update_fields=["options"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=job,
        organisation=job.organisation.code,
        changes={"confirmed": True, "action": job.options.get("action") or "merge"},
    )
    return job


# A check that stopped before its end left its job in one of these.
UNFINISHED = [ImportJob.Status.PENDING, ImportJob.Status.VALIDATING]


def job_check_stopped(*, job_id: int) -> None:
    """A check that raised: its job is not left "checking" for ever, so whoever
    polls it learns that it stopped."""
    ImportJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(
        status=ImportJob.Status.FAILED,
        progress=100,
        message="the check stopped unexpectedly; nothing was written",
        finished_at=timezone.now(),
    )


STOPPED = {
    ImportJob.Status.COMMITTING: (
        "the commit stopped: the process writing it ended (%s) before it finished. "
        "Nothing was written; commit again."
    ),
    ImportJob.Status.VALIDATING: (
        "the check stopped: the process checking it ended (%s) before it finished. "
        "Nothing was written; check again."
    ),
}


def job_stopped(job: ImportJob) -> ImportJob:
    """A job whose worker died (killed, out of memory, the machine restarted) is
    said so and can be done again: a commit goes back to checked (its
    transaction was rolled back: nothing of it is stored), a check back to
    waiting. A job still being worked on, or not started, is left as it is."""
    if job.status not in STOPPED or not job.worker or lease.alive(job.worker, job.claimed_at):
        return job
    back = (
        ImportJob.Status.VALIDATED
        if job.status == ImportJob.Status.COMMITTING
        else ImportJob.Status.PENDING
    )
    if job.status == ImportJob.Status.COMMITTING and job.errors:
        back = ImportJob.Status.BLOCKED
    message = STOPPED[ImportJob.Status(job.status)] % job.worker
    changed = ImportJob.objects.filter(pk=job.pk, status=job.status, worker=job.worker).update(
        status=back, progress=0, message=message, worker=""
    )
    if changed:
        logger.warning("import #%s: %s", job.pk, message)
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            obj=job,
            organisation=job.organisation.code,
            changes={"status": [job.status, back], "stopped": job.worker},
        )
    job.refresh_from_db()
    return job


def jobs_stopped() -> list[ImportJob]:
    """Every job whose worker died, made ready to be done again (a worker does
    this when it starts)."""
    busy = ImportJob.objects.filter(status__in=list(STOPPED)).exclude(worker="")
    return [job for job in (job_stopped(j) for j in busy) if job.status not in STOPPED]


def job_claim_commit(*, job: ImportJob) -> bool:
    """Mark a checked job (validated or blocked) committing. One conditional
    UPDATE, so of two requests racing to commit the same job one claims it."""
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.VALIDATED, ImportJob.Status.BLOCKED]
    ).update(status=ImportJob.Status.COMMITTING, progress=1)
    return bool(claimed)


# --------------------------------------------------------------------------
# Retention of what was never committed

KEPT_STATUSES = {
    ImportJob.Status.COMMITTED,
    ImportJob.Status.DUPLICATE,
    ImportJob.Status.COMMITTING,
    ImportJob.Status.VALIDATING,
}


def jobs_purge(*, days: int | None = None, dry_run: bool = False) -> dict[str, int]:
    """Imports never committed (dry runs, refused files, abandoned checks) older
    than `days` (OBSERVATORY_UNCOMMITTED_DAYS): their records, problems and
    working files; and their uploads (the original file too) when no other
    import uses them. What was committed, and its original, is never touched.
    Returns what was (or, with `dry_run`, would be) removed."""
    days = settings.OBSERVATORY_UNCOMMITTED_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    jobs = ImportJob.objects.filter(created_at__lt=cutoff, version__isnull=True).exclude(
        status__in=sorted(KEPT_STATUSES)
    )
    jobs = jobs.exclude(pk__in=QuarantinedRow.objects.values("job"))
    ids = list(jobs.values_list("pk", flat=True))
    uploads = (
        Upload.objects.filter(jobs__pk__in=ids)
        .exclude(jobs__in=ImportJob.objects.exclude(pk__in=ids))
        .distinct()
    )
    found = {
        "imports": len(ids),
        "problems": ImportIssue.objects.filter(job_id__in=ids).count(),
        "uploads": uploads.count(),
    }
    if dry_run or not ids:
        return found
    files = [(u.pk, u.file.name) for u in uploads]
    with transaction.atomic():
        ImportIssue.objects.filter(job_id__in=ids).delete()
        ImportJob.objects.filter(pk__in=ids).delete()
        Upload.objects.filter(pk__in=[pk for pk, _name in files]).delete()
        audit_record(
            actor=None,
            action=AuditEvent.Action.DELETE,
            object_type="intake.importjob",
            object_repr=f"imports never committed, older than {days} days",
            changes={**found, "imports_ids": ids[:200]},
        )
    folder = Path(settings.VAR_DIR) / "intake"
    for job_id in ids:  # working copies and reports, once the records are gone
        for path in [
            *(folder / "checked").glob(f"{job_id}-*.parquet"),
            folder / "reports" / f"{job_id}.issues.parquet",
        ]:
            path.unlink(missing_ok=True)
    storage = Upload._meta.get_field("file").storage
    for _pk, name in files:
        if name and not Upload.objects.filter(file=name).exists():
            storage.delete(name)
    return found
