"""The office's view of a reporting cycle: which country has submitted what, on
time or late, and how many rule violations remain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.statistics.models import ReportingCycle
from observatory.statistics.questionnaires import checks
from observatory.submissions.models import StatusChange, Version

SHOWN = access.Status.SEEN_BY_OFFICE


@dataclass
class Row:
    area: str
    area_name: str
    status: str  # not_submitted | submitted | returned | accepted | published
    version: Version | None
    first_submitted: date | None
    on_time: bool | None  # None: not submitted and the deadline has not passed
    cells: int
    errors: int
    warnings: int


def cycle_rows(cycle: ReportingCycle, *, actor: ActorLike) -> list[Row]:
    """One row per country with a reporting organisation; drafts are the country's
    own: the office sees them as “not submitted”."""
    label = f"{cycle.questionnaire.code} {cycle.year}"
    today = timezone.localdate()
    visible = access.country_data_for(actor, Version.objects.all()).filter(
        submission__dataset="observations", submission__label=label, status__in=sorted(SHOWN)
    )
    latest: dict[str, Version] = {}
    for candidate in visible.select_related("area", "submission").order_by("number"):
        if candidate.area_id:
            latest[candidate.area_id] = candidate
    first = {
        area: at.date()
        for area, at in StatusChange.objects.filter(
            version__submission__label=label,
            version__submission__dataset="observations",
            to_status="submitted",
        )
        .order_by("-at")
        .values_list("version__area_id", "at")
    }
    rows = []
    areas = (
        Organisation.objects.exclude(area=None)
        .filter(is_active=True)
        .values_list("area_id", "area__name_en")
        .distinct()
        .order_by("area_id")
    )
    for area, name in areas:
        version = latest.get(area)
        submitted = first.get(area) if version else None
        errors = warnings = 0
        if version is not None:
            found = checks.check_version(version, cycle.questionnaire, actor=actor)
            if found.height:
                errors = found.filter(found["importance"] == "error").height
                warnings = found.height - errors
        on_time: bool | None
        if submitted is not None:
            on_time = submitted <= cycle.deadline
        else:
            on_time = False if today > cycle.deadline else None
        rows.append(
            Row(
                area=area,
                area_name=name,
                status=version.status if version else "not_submitted",
                version=version,
                first_submitted=submitted,
                on_time=on_time,
                cells=version.row_count if version else 0,
                errors=errors,
                warnings=warnings,
            )
        )
    return rows
