"""Reads of seizures, always through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Min, OuterRef, QuerySet, Subquery, Sum

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.core.errors import NotFound
from observatory.seizures.models import Seizure
from observatory.submissions.models import Version
from observatory.submissions.registry import VersionDiff

COMPARED = [
    "seizure_date",
    "drug_id",
    "quantity",
    "unit_id",
    "place",
    "place_type",
    "origin_area",
    "departure_area",
    "transit_areas",
    "destination_area",
    "transport_mode",
    "concealment",
    "seizing_agency",
    "persons_arrested",
    "arrested_nationalities",
    "arrested_sex",
    "purity_percent",
    "notes",
]


def seizure_list(*, actor: ActorLike) -> QuerySet[Seizure]:
    """Seizures the actor may see: published ones for everybody, more by role."""
    return access.country_data_for(
        actor,
        Seizure.objects.all(),
        organisation_field="organisation",
        area_field="area",
        status_field="version__status",
    ).select_related("drug", "unit", "version", "area")


def current_seizures(*, actor: ActorLike) -> QuerySet[Seizure]:
    """Each submission's latest version that the actor may see, so a case shows
    once even while its correction is drafted or reviewed."""
    visible = access.country_data_for(actor, Version.objects.all())
    latest = visible.filter(submission=OuterRef("version__submission")).order_by("-number")
    return seizure_list(actor=actor).filter(version=Subquery(latest.values("pk")[:1]))


def seizure_get(*, actor: ActorLike, pk: int) -> Seizure:
    seizure = seizure_list(actor=actor).filter(pk=pk).first()
    if seizure is None:
        raise NotFound("no such seizure, or it is not visible to you")
    return seizure


def version_summary(version: Version) -> dict[str, Any]:
    stats = Seizure.objects.filter(version=version).aggregate(
        first=Min("seizure_date"),
        last=Max("seizure_date"),
        kilograms=Sum("kilograms"),
        drugs=Count("drug", distinct=True),
    )
    return {
        "first date": stats["first"],
        "last date": stats["last"],
        "kg-equivalent": round(stats["kilograms"] or 0, 1),
        "drugs": stats["drugs"],
    }


def version_diff(old: Version, new: Version) -> VersionDiff:
    """Rows matched by case reference (or, without one, by their source row)."""

    def keyed(version: Version) -> dict[str, dict[str, Any]]:
        rows = Seizure.objects.filter(version=version).values(
            "case_reference", "source_row", *COMPARED
        )
        return {r["case_reference"] or f"row {r['source_row']}": r for r in rows}

    before, after = keyed(old), keyed(new)
    diff = VersionDiff(
        added=sorted(set(after) - set(before)), removed=sorted(set(before) - set(after))
    )
    for key in sorted(set(before) & set(after)):
        fields = [f for f in COMPARED if before[key][f] != after[key][f]]
        if fields:
            diff.changed.append((key, key, fields))
    return diff
