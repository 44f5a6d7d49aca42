"""Writes of the smuggling system: incidents entered in the browser, and the
record of which periods each state contributed (reciprocity)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from observatory.accounts import access
from observatory.accounts.access import ActorLike, Status
from observatory.accounts.models import Network, NetworkContribution, Organisation
from observatory.core.audit import audit_record
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.smuggling import privacy
from observatory.smuggling.handler import build_incident, period_of
from observatory.smuggling.models import Aggregate, Incident
from observatory.smuggling.schema import AGGREGATES, INCIDENTS
from observatory.submissions.models import Version
from observatory.submissions.services import version_draft

DATASETS = (INCIDENTS.code, AGGREGATES.code)


def shared_versions(area_id: str) -> list[int]:
    """Each smuggling submission of the area through its latest shared version."""
    latest: dict[int, tuple[int, int]] = {}
    for pk, submission, number in Version.objects.filter(
        area_id=area_id, submission__dataset__in=DATASETS, status__in=sorted(Status.SHARED)
    ).values_list("pk", "submission_id", "number"):
        if submission not in latest or number > latest[submission][1]:
            latest[submission] = (pk, number)
    return [pk for pk, _number in latest.values()]


def contributions_refresh(*, network: Network, area_id: str, actor: ActorLike = None) -> set[str]:
    """Make the record of the area's contributions match the data it shares now:
    a period counts while the state shares at least one row for it (a version
    returned by the office stops counting until it is submitted again)."""
    versions = shared_versions(area_id)
    # Rows marked national only are never shared, so they are no contribution.
    periods = set(
        Incident.objects.filter(
            version__in=versions, network=network, national_only=False
        ).values_list("period", flat=True)
    ) | set(
        Aggregate.objects.filter(
            version__in=versions, network=network, national_only=False
        ).values_list("period", flat=True)
    )
    recorded = NetworkContribution.objects.filter(network=network, area_id=area_id)
    for contribution in recorded.exclude(period__in=sorted(periods)):
        audit_record(
            actor=actor,
            action=AuditEvent.Action.DELETE,
            obj=contribution,
            changes={"network": network.code, "area": area_id, "period": contribution.period},
        )
        contribution.delete()
    have = set(recorded.values_list("period", flat=True))
    for period in sorted(periods - have):
        contribution = NetworkContribution.objects.create(
            network=network, area_id=area_id, period=period
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=contribution,
            changes={"network": network.code, "area": area_id, "period": period},
        )
    return periods


def on_version_status(version: Version) -> None:
    """Submissions listener (inside the transaction of the status change)."""
    if version.submission.dataset not in DATASETS or version.area_id is None:
        return
    networks = set(
        Incident.objects.filter(version=version).values_list("network_id", flat=True)
    ) | set(Aggregate.objects.filter(version=version).values_list("network_id", flat=True))
    for network in Network.objects.filter(pk__in=sorted(networks)):
        contributions_refresh(network=network, area_id=version.area_id, actor=None)


def aggregates_enter(
    *,
    network: Network,
    organisation: Organisation,
    month: date,
    measure: str,
    counts: dict[str, int],
    national_only: bool = False,
    actor: ActorLike,
) -> Version:
    """Monthly counts by citizenship from the browser, into the year's draft; a
    count entered again for the same month, measure and citizenship replaces it."""
    if not access.can_report_to_network(actor, network, organisation):
        raise PermissionDenied(f"you do not report to {network.code} for {organisation.code}")
    if measure not in Aggregate.Measure.values:
        raise ValidationFailed(f"unknown measure {measure!r}")
    if not counts:
        raise ValidationFailed("give at least one citizenship and its count")
    month = month.replace(day=1)
    label = f"{network.code} {month.year}"
    with transaction.atomic():
        version = version_draft(
            organisation=organisation,
            dataset=AGGREGATES.code,
            label=label,
            rows=Aggregate,
            actor=actor,
        )
        Aggregate.objects.filter(
            version=version, month=month, measure=measure, citizenship__in=sorted(counts)
        ).delete()
        Aggregate.objects.bulk_create(
            Aggregate(
                version=version,
                network=network,
                organisation_id=organisation.pk,
                area_id=str(organisation.area_id),
                month=month,
                period=period_of(month, network.period_kind),
                measure=measure,
                citizenship=code,
                value=value,
                national_only=national_only,
            )
            for code, value in sorted(counts.items())
        )
        version.row_count = Aggregate.objects.filter(version=version).count()
        version.save(update_fields=["row_count"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=version,
            organisation=organisation.code,
            changes={
                "network": network.code,
                "month": f"{month:%Y-%m}",
                "measure": measure,
                "counts": counts,
            },
        )
    return version


def incident_create(
    *, network: Network, organisation: Organisation, data: dict[str, Any], actor: ActorLike
) -> Incident:
    """One incident from the browser form, into the organisation's draft for the
    network and year. A draft takes it as it is; a version already with the office
    or accepted is carried into a new draft version with the new incident."""
    if not access.can_report_to_network(actor, network, organisation):
        raise PermissionDenied(
            f"you do not report to {network.code} for {organisation.code} (the focal point "
            "of an active member state names its contributing agencies)"
        )
    findings = privacy.text_findings(
        {
            "place": data.get("place", ""),
            "notes": data.get("notes", ""),
            "reference": data.get("reference", ""),
        }
    )
    if findings:
        raise ValidationFailed(privacy.explain(findings))
    label = f"{network.code} {data['incident_date'].year}"
    with transaction.atomic():
        version = version_draft(
            organisation=organisation,
            dataset=INCIDENTS.code,
            label=label,
            rows=Incident,
            actor=actor,
        )
        reference = data.get("reference") or ""
        if reference and Incident.objects.filter(version=version, reference=reference).exists():
            raise ValidationFailed(f"the reference {reference!r} is already in this submission")
        incident = build_incident(data, version=version, network=network)
        incident.source_row = Incident.objects.filter(version=version).count() + 1
        incident.save()
        version.row_count = Incident.objects.filter(version=version).count()
        version.save(update_fields=["row_count"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=incident,
            organisation=organisation.code,
            changes={"network": network.code, "version": version.pk},
        )
    return incident


def view_record(
    *, actor: ActorLike, network: Network, areas: set[str], what: str, query: str = ""
) -> None:
    """Audit a view (page, API call or export) that showed other states' data,
    the office's included. Nothing is recorded when only own data was shown."""
    others = sorted(areas - access.network_areas(actor, network))
    if others:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.VIEW,
            obj=network,
            changes={"what": what, "areas": others, "query": query[:200]},
        )


def export_record(
    *, actor: ActorLike, network: Network, what: str, period: str, areas: set[str]
) -> None:
    """Audit every export of network data, whoever's it is."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        obj=network,
        changes={"dataset": what, "period": period, "areas": sorted(areas)},
    )
