"""/api/v1/imports: upload a file, read its report, commit it."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from observatory.accounts import access
from observatory.accounts.api_auth import API_AUTH, request_actor
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.intake import selectors, services
from observatory.intake.models import ImportJob
from observatory.intake.report import report_dict

router = Router(tags=["imports"], auth=API_AUTH)


class ImportIn(Schema):
    dataset: str = "seizures"
    organisation: str
    label: str = ""


class CommitIn(Schema):
    accept_valid: bool = False


def _report(job: ImportJob) -> dict[str, Any]:
    data = report_dict(job)
    data["version"] = job.version_id
    return data


@router.post("", summary="Upload a file and check it (dry run); nothing is written yet")
def import_create(
    request: HttpRequest, payload: Form[ImportIn], file: File[UploadedFile]
) -> dict[str, Any]:
    actor = request_actor(request)
    organisation = (
        access.organisations_reporting_for(actor).filter(code__iexact=payload.organisation).first()
    )
    if organisation is None:
        raise PermissionDenied(f"you may not upload data for {payload.organisation!r}")
    user = request.user
    upload, _created = services.upload_store(
        stream=file,
        filename=file.name or "upload",
        organisation=organisation,
        dataset=payload.dataset,
        actor=user,
    )
    job = services.job_create(upload=upload, label=payload.label, actor=user)
    return _report(services.job_validate(job=job))


@router.get("/{job_id}", summary="An import's status and every problem found")
def import_detail(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return _report(selectors.job_get(actor=request_actor(request), pk=job_id))


@router.post("/{job_id}/commit", summary="Write the rows as a new submission version")
def import_commit(request: HttpRequest, job_id: int, payload: CommitIn) -> dict[str, Any]:
    job = selectors.job_get(actor=request_actor(request), pk=job_id)
    if job.status not in {
        ImportJob.Status.VALIDATED,
        ImportJob.Status.BLOCKED,
        ImportJob.Status.COMMITTED,
        ImportJob.Status.DUPLICATE,
    }:
        raise ValidationFailed(f"the import is {job.status}; it cannot be committed")
    return _report(
        services.job_commit(job=job, accept_valid=payload.accept_valid, actor=request.user)
    )
