"""Pages of the migrant smuggling system. Every read goes through
smuggling.selectors (and so the network access policy); every page that shows
another state's data records that view in the audit log."""

from __future__ import annotations

import csv
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from observatory.accounts import access
from observatory.accounts import services as account_services
from observatory.accounts.models import Network, NetworkMember
from observatory.core.charts import flow_map
from observatory.core.errors import NotFound, ObservatoryError
from observatory.intake import services as intake_services
from observatory.reference import geography
from observatory.smuggling import analysis, selectors, services
from observatory.smuggling.forms import (
    AgencyForm,
    AggregateForm,
    IncidentForm,
    InviteForm,
    NetworkForm,
    NetworkUploadForm,
)
from observatory.smuggling.summary import aggregate_table, network_summary

REASONS = {
    "office": gettext_lazy("You see every state's shared data as the office."),
    "contributor": gettext_lazy(
        "You see the data other members shared for the periods your state contributed to."
    ),
    "not_contributed": gettext_lazy(
        "Other members' data is shown only for the periods your state has shared data for "
        "(reciprocity), and your state has shared none for this selection. You see your own "
        "data."
    ),
    "invited": gettext_lazy(
        "Your state is invited but has not joined: its focal point accepts the "
        "invitation on the members page."
    ),
    "left": gettext_lazy("Your state has left this network: you see only your own data."),
    "not_named": gettext_lazy(
        "Your agency has not been named a contributing agency of this network by "
        "your country's focal point."
    ),
    "not_a_member": gettext_lazy("Your state is not a member of this network."),
    "not_logged_in": gettext_lazy("Log in to see network data."),
}


def _network(request: HttpRequest, code: str) -> Network:
    try:
        return selectors.network_get(actor=request.user, code=code)
    except NotFound as error:
        raise Http404(str(error)) from error


def _audit_view(request: HttpRequest, network: Network, areas: set[str], what: str) -> None:
    services.view_record(
        actor=request.user, network=network, areas=areas, what=what, query=request.GET.urlencode()
    )


PERIOD = re.compile(r"^\d{4}(-Q[1-4]|-\d{2})?$")


def _period(request: HttpRequest) -> str:
    """The period asked for (2025, 2025-Q1, 2025-03), or "" for any other text."""
    text = (request.GET.get("period") or "").strip()
    return text if PERIOD.match(text) else ""


@login_required
def network_list(request: HttpRequest) -> HttpResponse:
    """The networks of the user's country; the office also creates networks here."""
    can_manage = access.can_manage_network(request.user)
    form = NetworkForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                network = account_services.network_create(actor=request.user, **form.cleaned_data)
            except ObservatoryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Network created: invite its states."))
                return redirect("smuggling:members", code=network.code)
    rows = [
        {"network": n, "reason": access.network_visibility_reason(request.user, n)}
        for n in selectors.networks_for(actor=request.user)
    ]
    return render(request, "smuggling/network_list.html", {"rows": rows, "form": form})


@login_required
def overview(request: HttpRequest, code: str) -> HttpResponse:
    network = _network(request, code)
    period = _period(request)
    summary = network_summary(actor=request.user, network=network, period=period)
    _audit_view(request, network, summary.areas_shown, "overview")
    context: dict[str, Any] = {
        "network": network,
        "period": period,
        "periods": selectors.periods(actor=request.user, network=network),
        "reason": summary.reason,
        "reason_text": REASONS.get(summary.reason, ""),
        "others_shown": summary.others_shown,
        "aggregates": summary.aggregates.to_dicts(),
        "totals": summary.totals,
    }
    if summary.incidents.height:
        frame = summary.incidents
        fees = summary.fees()
        context.update(
            routes=summary.top_routes().to_dicts(),
            map_spec=flow_map(
                summary.legs(),
                analysis.area_totals(frame),
                geography.centroids(),
                title=_("Smuggling routes reported"),
                count="incidents",
                weight="migrants",
                weight_title=_("migrants"),
            ),
            fee_spec=analysis.fee_chart(fees),
            fees=fees.to_dicts(),
            citizenship_spec=analysis.bar_chart(
                summary.citizenships.head(15),
                category="citizenship",
                measure="migrants",
                title=_("Smuggled migrants by citizenship"),
            ),
            mo_spec=analysis.stacked_chart(
                summary.modus_operandi(), stack="tag", title=_("Modus operandi by quarter")
            ),
            documents_spec=analysis.stacked_chart(
                summary.documents(),
                stack="document_type",
                title=_("Fraudulent documents by quarter"),
            ),
        )
    return render(request, "smuggling/overview.html", context)


@login_required
def incident_list(request: HttpRequest, code: str) -> HttpResponse:
    network = _network(request, code)
    period = _period(request)
    area = (request.GET.get("area") or "").strip()[:10]
    rows = selectors.incident_list(actor=request.user, network=network, period=period, area=area)
    page = Paginator(rows.order_by("-incident_date", "id"), 50).get_page(request.GET.get("page"))
    _audit_view(request, network, {i.area_id for i in page}, "incident list")
    return render(
        request,
        "smuggling/incident_list.html",
        {
            "network": network,
            "page": page,
            "period": period,
            "area": area,
            "periods": selectors.periods(actor=request.user, network=network),
            "reason_text": REASONS.get(
                access.network_visibility_reason(request.user, network, period=period or None), ""
            ),
        },
    )


@login_required
def incident_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    network = _network(request, code)
    try:
        incident = selectors.incident_get(actor=request.user, network=network, pk=pk)
    except NotFound as error:
        raise Http404(str(error)) from error
    _audit_view(request, network, {incident.area_id}, f"incident {incident.pk}")
    return render(
        request, "smuggling/incident_detail.html", {"network": network, "incident": incident}
    )


def _reporting(request: HttpRequest, network: Network) -> Any:
    organisations = access.organisations_reporting_for(request.user)
    return organisations.filter(
        pk__in=[
            o.pk for o in organisations if access.can_report_to_network(request.user, network, o)
        ]
    )


@login_required
def incident_new(request: HttpRequest, code: str) -> HttpResponse:
    network = _network(request, code)
    organisations = _reporting(request, network)
    if not organisations.exists():
        return render(request, "403.html", status=403)
    form = IncidentForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.incident_data()
        if form.is_valid():  # incident_data may add errors (unknown codes)
            try:
                incident = services.incident_create(
                    network=network,
                    organisation=form.cleaned_data["organisation"],
                    data=data,
                    actor=request.user,
                )
            except ObservatoryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Incident saved in the draft of %(label)s. Your focal point shares it "
                        "by submitting the draft."
                    )
                    % {"label": incident.version.submission.label},
                )
                return redirect("smuggling:incident", code=network.code, pk=incident.pk)
    return render(request, "smuggling/incident_form.html", {"network": network, "form": form})


@login_required
def aggregates_new(request: HttpRequest, code: str) -> HttpResponse:
    network = _network(request, code)
    organisations = _reporting(request, network)
    if not organisations.exists():
        return render(request, "403.html", status=403)
    form = AggregateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.aggregates_enter(
                network=network,
                organisation=form.cleaned_data["organisation"],
                month=form.cleaned_data["month"],
                measure=form.cleaned_data["measure"],
                counts=form.cleaned_data["counts"],
                national_only=form.cleaned_data["national_only"],
                actor=request.user,
            )
        except ObservatoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Counts saved in the draft of %(label)s (%(rows)s rows).")
                % {"label": version.submission.label, "rows": version.row_count},
            )
            return redirect("smuggling:aggregates-new", code=network.code)
    return render(request, "smuggling/aggregate_form.html", {"network": network, "form": form})


@login_required
def upload(request: HttpRequest, code: str) -> HttpResponse:
    network = _network(request, code)
    organisations = _reporting(request, network)
    if not organisations.exists():
        return render(request, "403.html", status=403)
    form = NetworkUploadForm(
        request.POST or None, request.FILES or None, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            stored, _created = intake_services.upload_store(
                stream=uploaded,
                filename=uploaded.name,
                organisation=form.cleaned_data["organisation"],
                dataset=form.cleaned_data["dataset"],
                actor=request.user,
            )
            job = intake_services.job_create(
                upload=stored,
                label=f"{network.code} {form.cleaned_data['year']}",
                actor=request.user,
            )
        except ObservatoryError as error:
            form.add_error("file", str(error))
        else:
            return redirect("intake:mapping", pk=job.pk)
    return render(request, "smuggling/upload.html", {"network": network, "form": form})


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_FIELDS = (
    "area_id",
    "reference",
    "incident_date",
    "period",
    "national_only",
    "place",
    "place_type",
    "detection",
    "departure_area",
    "transit_areas",
    "destination_area",
    "transport_mode",
    "vessel",
    "migrants_men",
    "migrants_women",
    "migrants_boys",
    "migrants_girls",
    "migrants_unknown",
    "migrants_total",
    "migrant_citizenships",
    "deaths",
    "injuries",
    "smugglers_apprehended",
    "smuggler_citizenships",
    "smuggler_roles",
    "fee_amount",
    "fee_currency",
    "fee_basis",
    "fee_usd_per_person",
    "fee_covers",
    "modus_operandi",
    "document_type",
    "document_issuer",
    "document_fraud",
    "related_conduct",
)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{k} {v}" for k, v in value.items())
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@login_required
def export(request: HttpRequest, code: str) -> HttpResponse | StreamingHttpResponse:
    """The incidents (or aggregates) the user may see, as CSV; audited."""
    network = _network(request, code)
    period = _period(request)
    what = request.GET.get("dataset") or "incidents"
    if what not in {"incidents", "aggregates"} or (request.GET.get("period") and not period):
        return HttpResponseBadRequest(
            _("Export “incidents” or “aggregates”, for a period such as 2025, 2025-Q1 or 2025-03.")
        )
    if what == "aggregates":
        table = aggregate_table(request.user, network, period)
        header = ["area", "measure", "citizenship", "value"]
        body = (
            [r["area_id"], r["measure"], r["citizenship"], r["shown"]]
            for r in table.iter_rows(named=True)
        )
        areas = set(table["area_id"].to_list())
    else:
        rows = selectors.incident_list(actor=request.user, network=network, period=period)
        areas = set(rows.values_list("area_id", flat=True).distinct())
        header = list(EXPORT_FIELDS)
        body = ([_cell(v) for v in r] for r in rows.values_list(*EXPORT_FIELDS).iterator())
    services.export_record(
        actor=request.user, network=network, what=what, period=period, areas=areas
    )
    writer = csv.writer(_Echo())
    stream = (writer.writerow(line) for part in ([header], body) for line in part)
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    name = f"{network.code}-{what}{'-' + period if period else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def member_list(request: HttpRequest, code: str) -> HttpResponse:
    network = _network(request, code)
    mine = selectors.my_membership(actor=request.user, network=network)
    return render(
        request,
        "smuggling/members.html",
        {
            "network": network,
            "members": selectors.members(network),
            "mine": mine,
            "can_manage": access.can_manage_network(request.user),
            "invite_form": InviteForm(network=network),
            "agency_form": AgencyForm(area_code=mine.area_id) if mine else None,
        },
    )


def _member(network: Network, pk: int) -> NetworkMember:
    member = network.members.filter(pk=pk).first()
    if member is None:
        raise Http404("no such member")
    return member


def _act(request: HttpRequest, network: Network, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ObservatoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("smuggling:members", code=network.code)


@login_required
@require_POST
def member_invite(request: HttpRequest, code: str) -> HttpResponse:
    network = _network(request, code)
    form = InviteForm(request.POST, network=network)
    if not access.can_manage_network(request.user):
        return render(request, "403.html", status=403)
    if not form.is_valid():
        messages.error(request, _("Choose a state that is not a member yet."))
        return redirect("smuggling:members", code=network.code)
    area = form.cleaned_data["area"]
    return _act(
        request,
        network,
        lambda: account_services.network_invite(network=network, area=area, actor=request.user),
        _("Invitation sent."),
    )


@login_required
@require_POST
def member_join(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    network = _network(request, code)
    member = _member(network, pk)
    if not access.can_answer_invitation(request.user, member):
        return render(request, "403.html", status=403)
    return _act(
        request,
        network,
        lambda: account_services.network_join(member=member, actor=request.user),
        _("Your state has joined the network."),
    )


@login_required
@require_POST
def member_leave(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    network = _network(request, code)
    member = _member(network, pk)
    if not (
        access.can_answer_invitation(request.user, member)
        or access.can_manage_network(request.user)
    ):
        return render(request, "403.html", status=403)
    return _act(
        request,
        network,
        lambda: account_services.network_leave(member=member, actor=request.user),
        _("The membership has ended."),
    )


@login_required
@require_POST
def agency_add(request: HttpRequest, code: str) -> HttpResponse:
    network = _network(request, code)
    mine = selectors.my_membership(actor=request.user, network=network)
    if mine is None:
        return render(request, "403.html", status=403)
    form = AgencyForm(request.POST, area_code=mine.area_id)
    if not form.is_valid():
        messages.error(request, _("Choose one of your country's organisations."))
        return redirect("smuggling:members", code=network.code)
    organisation = form.cleaned_data["organisation"]
    return _act(
        request,
        network,
        lambda: account_services.network_agency_name(
            member=mine, organisation=organisation, actor=request.user
        ),
        _("%(org)s now contributes to this network.") % {"org": organisation.code},
    )


@login_required
@require_POST
def agency_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    network = _network(request, code)
    try:
        agency = selectors.agency_get(pk=pk)
    except NotFound as error:
        raise Http404(str(error)) from error
    if agency.member.network_id != network.pk:
        raise Http404("no such agency")  # as for an id that does not exist
    if not access.can_answer_invitation(request.user, agency.member):
        return render(request, "403.html", status=403)
    return _act(
        request,
        network,
        lambda: account_services.network_agency_remove(agency=agency, actor=request.user),
        _("The agency no longer contributes."),
    )
