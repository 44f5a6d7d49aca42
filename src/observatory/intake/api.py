"""/api/v1/imports: upload a file, read its report, commit it.

A small file is checked (and committed) within the request and answered 200 with
the report, as always. A large one, or any with `wait=false`, is handed to the
task worker and answered 202 with the job, its `Location` to poll and a
`Retry-After`; `wait=true` keeps the work in the request up to a hard cap."""

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from observatory.accounts import access
from observatory.accounts.api_auth import API_AUTH, request_actor
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.intake import registry, selectors, services, tasks
from observatory.intake.mapping import parse_fixed
from observatory.intake.models import ImportJob
from observatory.intake.report import report_dict

router = Router(tags=["imports"], auth=API_AUTH)

MB = 1024 * 1024
# Defaults of the settings OBSERVATORY_API_SYNC_BYTES (files up to this size are
# checked and committed within the request unless `wait=false`) and
# OBSERVATORY_API_WAIT_MAX_BYTES (`wait=true` is refused above it).
SYNC_BYTES = 5 * MB
WAIT_MAX_BYTES = 50 * MB

# Statuses of a job the worker has yet to finish, and those a commit cannot change.
ACTIVE = frozenset(
    {ImportJob.Status.PENDING, ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING}
)
UNCHECKED = frozenset({ImportJob.Status.PENDING, ImportJob.Status.VALIDATING})
FINAL = frozenset({ImportJob.Status.COMMITTED, ImportJob.Status.DUPLICATE})
# The counts and problems of the check; null until it has run.
REPORT_FIELDS = ("rows", "valid_rows", "rows_with_errors", "errors", "warnings", "notes", "issues")


class ImportIn(Schema):
    dataset: str = "seizures"
    organisation: str
    label: str = ""
    # The decimal mark of the file's numbers, where a column cannot say (values
    # such as 1,757 alone): "." or ","; empty: decided from each column.
    decimal_mark: Literal["", ".", ","] = ""
    # Into an existing dataset (observations): merge (default), replace or delete.
    action: Literal["", "merge", "replace", "delete"] = ""
    # Tables of any layout (observations-annex): codes for the whole file of the
    # dimensions it does not state, "CURRENCY=USD; UNIT_MEASURE=KG".
    fixed: str = ""


class CommitIn(Schema):
    accept_valid: bool = False
    # Confirms what the check said the import does (required when it removes data).
    confirm: bool = False


class ValuesIn(Schema):
    # How texts that only resemble a reference name read: kind (area, drug,
    # unit) -> text as in the file -> code; an empty code drops a reading.
    values: dict[str, dict[str, str]] = {}
    # Read every other such text as its closest suggestion (each one a warning).
    accept_suggestions: bool = False


class Detail(Schema):
    detail: str


WAIT_HELP = (
    "true: in this request (refused above the size cap); false: by the task worker "
    "(202, poll the Location); absent: in this request for a small file only"
)


def _sync_bytes() -> int:
    return int(getattr(settings, "OBSERVATORY_API_SYNC_BYTES", SYNC_BYTES))


def _wait_max_bytes() -> int:
    return int(getattr(settings, "OBSERVATORY_API_WAIT_MAX_BYTES", WAIT_MAX_BYTES))


def _form_wait(request: HttpRequest) -> bool | None:
    """`wait` sent as a field of the multipart form instead of the query."""
    raw = request.POST.get("wait")
    if raw in (None, ""):
        return None
    try:
        return TypeAdapter(bool).validate_python(raw)
    except PydanticValidationError as error:
        raise ValidationFailed(f"wait must be true or false, not {raw!r}") from error


def _in_request(wait: bool | None, size: int) -> bool:
    """Whether the work on a file of `size` bytes is done within the request."""
    return wait if wait is not None else size <= _sync_bytes()


def _too_large_to_wait(size: int) -> str:
    return (
        f"the file ({size / MB:.1f} MB) is larger than {_wait_max_bytes() / MB:.0f} MB, "
        "the most that is checked or committed within a request; send wait=false "
        "(or leave wait out) and poll the import until it is done"
    )


def _retry_after(size: int) -> int:
    """Seconds before asking again: about one per 10 MB, between 2 and 30."""
    return max(2, min(30, size // (10 * MB)))


def _report(job: ImportJob) -> dict[str, Any]:
    data = report_dict(job)
    data["version"] = job.version_id
    data["progress"] = job.progress
    if job.status in UNCHECKED:
        # Not checked yet: no counts or problems rather than zeros a client could
        # take for a clean file (the mapping proposed is kept).
        data.update(dict.fromkeys(REPORT_FIELDS))
    return data


def _queued(job: ImportJob, response: HttpResponse) -> Status[dict[str, Any]]:
    job.refresh_from_db()
    response["Location"] = reverse("api-1:import_detail", kwargs={"job_id": job.pk})
    response["Retry-After"] = str(_retry_after(job.upload.size))
    return Status(202, _report(job))


@router.post(
    "",
    summary="Upload a file and check it (dry run); nothing is written yet",
    description=(
        "200 with the report when the check ran in the request; 202 with the import "
        "(status `pending`), a `Location` to poll and `Retry-After` when it was queued. "
        "`wait` may also be sent as a form field."
    ),
    response={200: dict[str, Any], 202: dict[str, Any], 413: Detail},
)
def import_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: Form[ImportIn],
    file: File[UploadedFile],
    wait: Query[bool | None] = None,
) -> Status[Any]:
    actor = request_actor(request)
    organisation = (
        access.organisations_reporting_for(actor, office=registry.office_compiles(payload.dataset))
        .filter(code__iexact=payload.organisation)
        .first()
    )
    if organisation is None:
        raise PermissionDenied(f"you may not upload data for {payload.organisation!r}")
    if wait is None:
        wait = _form_wait(request)
    size = file.size or 0
    if wait and size > _wait_max_bytes():
        # Refused before anything of it is kept.
        return Status(413, {"detail": _too_large_to_wait(size)})
    user = request.user
    registry.check_label(payload.dataset, payload.label)  # refused: nothing is kept
    fixed = parse_fixed(payload.fixed)
    if fixed and not registry.takes_fixed(payload.dataset):
        raise ValidationFailed(f"{payload.dataset} imports take no fixed values")
    upload, _created = services.upload_store(
        stream=file,
        filename=file.name or "upload",
        organisation=organisation,
        dataset=payload.dataset,
        actor=user,
    )
    job = services.job_create(
        upload=upload,
        label=payload.label,
        actor=user,
        options={
            **({"decimal_mark": payload.decimal_mark} if payload.decimal_mark else {}),
            **({"action": payload.action} if payload.action else {}),
            **({"fixed": fixed} if fixed else {}),
        },
    )
    if _in_request(wait, upload.size):
        return Status(200, _report(services.job_validate(job=job)))
    tasks.enqueue_validation(job)
    return _queued(job, response)


@router.get(
    "/{job_id}",
    summary="An import's status and every problem found",
    description=(
        "While the import is `pending` or `validating` the counts and problems are null; "
        "while it is `pending`, `validating` or `committing` the answer has `Retry-After`."
    ),
)
def import_detail(request: HttpRequest, response: HttpResponse, job_id: int) -> dict[str, Any]:
    job = services.job_stopped(selectors.job_get(actor=request_actor(request), pk=job_id))
    if job.status in ACTIVE:
        response["Retry-After"] = str(_retry_after(job.upload.size))
    return _report(job)


@router.post(
    "/{job_id}/commit",
    summary="Write the rows as a new submission version",
    description=(
        "200 with the report when the commit ran in the request (always for an import "
        "already committed); 202 with the import (status `committing`), a `Location` to "
        "poll and `Retry-After` when it was queued."
    ),
    response={200: dict[str, Any], 202: dict[str, Any]},
)
def import_commit(
    request: HttpRequest,
    response: HttpResponse,
    job_id: int,
    payload: CommitIn,
    wait: Query[bool | None] = None,
) -> Status[Any]:
    job = services.job_stopped(selectors.job_get(actor=request_actor(request), pk=job_id))
    if job.status not in {ImportJob.Status.VALIDATED, ImportJob.Status.BLOCKED, *FINAL}:
        raise ValidationFailed(f"the import is {job.status}; it cannot be committed")
    size = job.upload.size
    # Committing again what is committed changes nothing: answered at once.
    if job.status not in FINAL and wait and size > _wait_max_bytes():
        raise ValidationFailed(_too_large_to_wait(size))
    if job.status in FINAL or _in_request(wait, size):
        return Status(
            200,
            _report(
                services.job_commit(
                    job=job,
                    accept_valid=payload.accept_valid,
                    actor=request.user,
                    confirmed=payload.confirm,
                )
            ),
        )
    if payload.confirm:
        services.job_confirm(job=job, actor=request.user)
    if not tasks.enqueue_commit(job, accept_valid=payload.accept_valid, actor_id=request.user.pk):
        job.refresh_from_db()
        raise ValidationFailed(f"the import is {job.status}; it cannot be committed")
    return _queued(job, response)


@router.post(
    "/{job_id}/values",
    summary="Confirm how texts that only resemble a reference name read; the file is checked again",
    description=(
        "The report lists such texts as `unconfirmed_area`, `unconfirmed_drug` or "
        "`unconfirmed_unit` with the closest names; nothing is read as a code until "
        "confirmed here. The readings are remembered for the organisation once the "
        "import is committed. 200 with the new report when checked in the request, "
        "202 when queued."
    ),
    response={200: dict[str, Any], 202: dict[str, Any]},
)
def import_values(
    request: HttpRequest,
    response: HttpResponse,
    job_id: int,
    payload: ValuesIn,
    wait: Query[bool | None] = None,
) -> Status[Any]:
    job = services.job_stopped(selectors.job_get(actor=request_actor(request), pk=job_id))
    job = services.job_map_values(
        job=job,
        values=payload.values,
        accept_suggestions=payload.accept_suggestions,
        actor=request.user,
    )
    if _in_request(wait, job.upload.size):
        return Status(200, _report(services.job_validate(job=job)))
    tasks.enqueue_validation(job)
    return _queued(job, response)
