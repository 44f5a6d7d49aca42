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
    if version.submission.dataset != "seizures":
        return
    if version.area_id is not None:
        refresh_area_partition.enqueue(version.area_id)
        return
    # The office's compilation: every country it holds rows for.
    from observatory.seizures.models import Seizure

    areas = Seizure.objects.filter(version=version).values_list("area_id", flat=True)
    for area in sorted(set(areas.distinct().order_by())):
        refresh_area_partition.enqueue(area)
