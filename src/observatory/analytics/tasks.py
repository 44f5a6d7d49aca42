"""Publication -> the area's partition of the analytics store is rewritten in the
background (seconds, not a nightly rebuild)."""

from __future__ import annotations

from django_tasks import task

from observatory.analytics import lake
from observatory.submissions.models import Version


@task()
def refresh_area_partition(area: str) -> int:
    return lake.refresh_area(area)


def refresh_after_publication(version: Version) -> None:
    if version.submission.dataset == "seizures" and version.area_id is not None:
        refresh_area_partition.enqueue(version.area_id)
