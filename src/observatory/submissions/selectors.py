"""Reads of submissions, always through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from observatory.accounts import access
from observatory.core.errors import NotFound
from observatory.submissions.models import Version


def version_list(*, actor: Any, status: str = "", dataset: str = "") -> QuerySet[Version]:
    versions = access.country_data_for(actor, Version.objects.all()).select_related(
        "submission", "organisation", "area"
    )
    if status:
        versions = versions.filter(status=status)
    if dataset:
        versions = versions.filter(submission__dataset=dataset)
    return versions.order_by("-created_at")


def version_get(*, actor: Any, pk: int) -> Version:
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
