"""Reads of submissions, always through the access policy."""

from __future__ import annotations

from django.db.models import QuerySet

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.core.errors import NotFound
from observatory.core.workflow import MOVES_FROM
from observatory.submissions import registry
from observatory.submissions.models import Version


def version_list(*, actor: ActorLike, status: str = "", dataset: str = "") -> QuerySet[Version]:
    versions = access.country_data_for(actor, Version.objects.all()).select_related(
        "submission", "organisation", "area"
    )
    if status:
        versions = versions.filter(status=status)
    if dataset:
        versions = versions.filter(submission__dataset=dataset)
    return versions.order_by("-created_at")


def version_get(*, actor: ActorLike, pk: int) -> Version:
    version = version_list(actor=actor).filter(pk=pk).first()
    if version is None:
        raise NotFound("no such version, or it is not visible to you")
    return version


def previous_version(version: Version) -> Version | None:
    return (
        Version.objects.filter(submission=version.submission, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def version_actions(*, version: Version, actor: ActorLike) -> dict[str, bool]:
    """Which workflow steps the actor may take on the version now: its status
    allows the step (core.workflow.MOVES_FROM) and the access policy the actor."""
    status = version.status
    publishes = registry.publishes(version.submission.dataset)
    office = access.can_publish(actor)
    return {
        "can_submit": status in MOVES_FROM["submit"]
        and access.can_submit(
            actor, area_code=version.area_id, organisation_code=version.organisation.code
        ),
        "can_review": status in MOVES_FROM["accept"] and access.can_review(actor),
        "can_return": status in MOVES_FROM["return"] and access.can_review(actor),
        "can_schedule": status in MOVES_FROM["schedule"]
        and access.can_publish(actor)
        and publishes,
        "can_publish": status in MOVES_FROM["publish"] and office and publishes,
    }
