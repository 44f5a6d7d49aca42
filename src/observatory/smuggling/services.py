"""Writes of the smuggling system: incidents entered in the browser, and the
record of which periods each state contributed (reciprocity)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from observatory.accounts import access
from observatory.accounts.access import Status
from observatory.accounts.models import Network, NetworkContribution, Organisation
from observatory.core.audit import audit_record
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.smuggling import privacy
from observatory.smuggling.handler import build_incident
from observatory.smuggling.models import Aggregate, Incident
from observatory.smuggling.schema import AGGREGATES, INCIDENTS
from observatory.submissions.models import Version
from observatory.submissions.services import version_create

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


def contributions_refresh(*, network: Network, area_id: str, actor: Any = None) -> set[str]:
    """Make the record of the area's contributions match the data it shares now:
    a period counts while the state shares at least one row for it (a version
    returned by the office stops counting until it is submitted again)."""
    versions = shared_versions(area_id)
    periods = set(
        Incident.objects.filter(version__in=versions, network=network).values_list(
            "period", flat=True
        )
    ) | set(
        Aggregate.objects.filter(version__in=versions, network=network).values_list(
            "period", flat=True
        )
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
    if version.submission.dataset not in DATASETS:
        return
    networks = set(
        Incident.objects.filter(version=version).values_list("network_id", flat=True)
    ) | set(Aggregate.objects.filter(version=version).values_list("network_id", flat=True))
    for network in Network.objects.filter(pk__in=sorted(networks)):
        contributions_refresh(network=network, area_id=version.area_id, actor=None)


def incident_create(
    *, network: Network, organisation: Organisation, data: dict[str, Any], actor: Any
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
        latest = (
            Version.objects.select_for_update()
            .filter(
                submission__organisation=organisation,
                submission__dataset=INCIDENTS.code,
                submission__label=label,
            )
            .order_by("-number")
            .first()
        )
        if latest is not None and latest.status == Version.Status.DRAFT:
            version = latest
        else:
            version = version_create(
                organisation=organisation,
                dataset=INCIDENTS.code,
                label=label,
                actor=actor,
                note="entered in the browser",
            )
            if latest is not None:
                carried = list(Incident.objects.filter(version=latest))
                for row in carried:
                    row.pk = None
                    row.version = version
                Incident.objects.bulk_create(carried)
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
    *, actor: Any, network: Network, areas: set[str], what: str, query: str = ""
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


def export_record(*, actor: Any, network: Network, what: str, period: str, areas: set[str]) -> None:
    """Audit every export of network data, whoever's it is."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        obj=network,
        changes={"dataset": what, "period": period, "areas": sorted(areas)},
    )
