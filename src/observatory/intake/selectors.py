"""Reads of the intake engine, through the access policy."""

from __future__ import annotations

from django.db.models import QuerySet

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.core.errors import NotFound
from observatory.intake.models import ImportIssue, ImportJob


def job_list(*, actor: ActorLike) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(access.workspace_q(actor)).select_related(
        "upload", "organisation", "version"
    )


def job_get(*, actor: ActorLike, pk: int) -> ImportJob:
    job = job_list(actor=actor).filter(pk=pk).first()
    if job is None:
        raise NotFound("no such import, or it is not visible to you")
    return job


def job_issues(
    *, job: ImportJob, severity: str = "", column: str = "", query: str = ""
) -> QuerySet[ImportIssue]:
    issues = job.issues.all()
    if severity:
        issues = issues.filter(severity=severity)
    if column:
        issues = issues.filter(column=column)
    if query:
        issues = issues.filter(value__icontains=query) | issues.filter(message__icontains=query)
    return issues.order_by("row", "column")
