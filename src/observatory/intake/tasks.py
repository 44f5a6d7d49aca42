"""Background work of the intake engine (django-tasks): a task fetches the job by
id and calls one service; callers enqueue after their transaction commits."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from observatory.accounts.models import User
from observatory.core.context import Origin, origin
from observatory.intake import services
from observatory.intake.models import ImportJob


@task()
def validate_import(job_id: int) -> str:
    try:
        with origin(Origin(via="task")):
            job = services.job_validate(
                job=ImportJob.objects.select_related("upload").get(pk=job_id)
            )
    except Exception:
        services.job_check_stopped(job_id=job_id)
        raise
    return job.status


@task()
def commit_import(job_id: int, accept_valid: bool, actor_id: int | None) -> str:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    with origin(Origin(via="task")):
        job = services.job_commit(
            job=ImportJob.objects.select_related("upload").get(pk=job_id),
            accept_valid=accept_valid,
            actor=actor,
        )
    return job.status


def enqueue_validation(job: ImportJob) -> None:
    transaction.on_commit(lambda: validate_import.enqueue(job.pk))


def enqueue_commit(job: ImportJob, *, accept_valid: bool, actor_id: int | None) -> bool:
    """Mark a checked job (validated or blocked) committing and queue its commit.
    The mark is one conditional UPDATE, so of two requests racing to commit the
    same job one queues it; False for the other (or for a job not checked)."""
    claimed = services.job_claim_commit(job=job)
    if claimed:
        transaction.on_commit(lambda: commit_import.enqueue(job.pk, accept_valid, actor_id))
    return bool(claimed)
