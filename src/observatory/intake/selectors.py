"""Reads of the intake engine, through the access policy."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.core.errors import NotFound
from observatory.intake.models import ImportIssue, ImportJob
from observatory.reference.matching import Suggestion
from observatory.reference.normalise import normaliser


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


def removal_to_confirm(*, job: ImportJob) -> str:
    """What the check said the import removes, when that still waits for the
    user's confirmation ("" otherwise)."""
    if job.options.get("confirmed"):
        return ""
    issue = job.issues.filter(code="removes_observations").first()
    return issue.message if issue else ""


KINDS = ("area", "drug", "unit")


@dataclass(frozen=True)
class ValueToConfirm:
    """A text of the file that only resembles a reference name: what the user is
    asked to confirm (or correct) before it is read as a code."""

    kind: str  # area | drug | unit
    text: str
    rows: int
    suggestions: list[Suggestion]


def values_to_confirm(*, job: ImportJob, limit: int = 200) -> list[ValueToConfirm]:
    """The distinct texts the check could not read as a code (unknown, or only
    resembling a name), with the closest codes."""
    codes = [f"{prefix}_{kind}" for prefix in ("unconfirmed", "unknown") for kind in KINDS]
    rows = (
        job.issues.filter(code__in=[*codes, "unknown_code"])
        .values("code", "value", "field", "suggestion")
        .annotate(n=Count("id"))
        .order_by("value", "code")[:limit]
    )
    out = []
    for row in rows:
        kind = row["code"].split("_", 1)[1]
        if kind == "code":  # a dimension's label (the portal's, the annex's)
            hint = row["suggestion"]
            out.append(
                ValueToConfirm(
                    kind=kind,
                    text=row["value"],
                    rows=row["n"],
                    suggestions=[Suggestion(code=hint, label=hint, score=0.7)] if hint else [],
                )
            )
            continue
        match = normaliser(kind).match(row["value"])
        out.append(
            ValueToConfirm(
                kind=kind, text=row["value"], rows=row["n"], suggestions=list(match.suggestions)
            )
        )
    return out
