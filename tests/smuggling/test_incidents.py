"""Migrant smuggling: the personal-identifier screen, imports and their report,
the sharing workflow, the browser form, the API and the analysis functions.
(Who sees what, channel by channel, is in test_reciprocity.py.)"""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from django.test import Client

from observatory.accounts import services as account_services
from observatory.accounts.models import (
    Network,
    NetworkAgency,
    NetworkContribution,
    NetworkMember,
    Organisation,
    Role,
    User,
)
from observatory.core.errors import ValidationFailed
from observatory.core.models import AuditEvent
from observatory.intake import services as intake
from observatory.intake.models import ImportIssue, ImportJob, Upload
from observatory.smuggling import analysis, privacy
from observatory.smuggling.handler import fee_in_usd, period_of
from observatory.smuggling.models import Incident
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db

GOOD = "\n".join(
    [
        "Reference,Fecha,Detección,Salida,Tránsito,Destino,Hombres,Mujeres,Niños,Niñas,"
        "Nacionalidades,Tarifa,Moneda,Modus operandi,Nacional solo",
        "ITA-1,2025-02-03,at sea,Libya,,Italy,10,2,1,0,BGD 8; EGY 5,3000,EUR,overcrowded vessel,no",
        "ITA-2,2025-05-20,land border,TUR,GRC,ITA,4,0,0,0,AFG 4,2000,USD,"
        "concealment_vehicle; fraudulent_documents,no",
        "ITA-3,2025-08-11,at sea,TUN,,ITA,3,1,0,0,TUN 4,,,,yes",
        "",
    ]
)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    office = factories.office()
    ita_police = factories.agency("ITA")
    ita_customs = factories.agency("ITA", Organisation.Kind.CUSTOMS)
    grc = factories.agency("GRC", Organisation.Kind.COAST_GUARD)
    network = Network.objects.create(
        code="MED", name="Mediterranean", period_kind=Network.PeriodKind.QUARTER
    )
    people = {
        "analyst": factories.member(Role.ANALYST, office, email="analyst@o.test"),
        "ita_focal": factories.member(Role.FOCAL_POINT, ita_police, email="fp@ita.test"),
        "ita_police": factories.member(Role.CONTRIBUTOR, ita_police, email="c@ita.test"),
        "ita_customs": factories.member(Role.CONTRIBUTOR, ita_customs, email="cu@ita.test"),
        "grc_focal": factories.member(Role.FOCAL_POINT, grc, email="fp@grc.test"),
    }
    for area, focal in (("ITA", "ita_focal"), ("GRC", "grc_focal")):
        member = account_services.network_invite(
            network=network, area=factories.Area.objects.get(code=area), actor=people["analyst"]
        )
        account_services.network_join(member=member, actor=people[focal])
    account_services.network_agency_name(
        member=NetworkMember.objects.get(network=network, area_id="ITA"),
        organisation=ita_police,
        actor=people["ita_focal"],
    )
    return {
        "network": network,
        "org_ita": ita_police,
        "org_ita_customs": ita_customs,
        "org_grc": grc,
        **people,
    }


def upload(
    world: dict[str, Any],
    text: str,
    *,
    who: str = "ita_police",
    organisation: str = "org_ita",
    label: str = "MED 2025",
    dataset: str = "smuggling-incidents",
    name: str = "incidents.csv",
) -> ImportJob:
    stored, _created = intake.upload_store(
        stream=io.BytesIO(text.encode()),
        filename=name,
        organisation=world[organisation],
        dataset=dataset,
        actor=world[who],
    )
    job = intake.job_create(upload=stored, label=label, actor=world[who])
    return intake.job_validate(job=job)


def committed(world: dict[str, Any], text: str = GOOD, **kwargs: Any) -> Version:
    job = upload(world, text, **kwargs)
    assert job.status == ImportJob.Status.VALIDATED, list(job.issues.values_list("message"))
    job = intake.job_commit(job=job, actor=world[kwargs.get("who", "ita_police")])
    assert job.status == ImportJob.Status.COMMITTED, job.message
    assert job.version is not None
    return job.version


# --------------------------------------------------------------------------
# Personal identifiers


@pytest.mark.parametrize(
    "header",
    [
        "Name",
        "Apellidos",
        "Passport No.",
        "N° passeport",
        "Date of birth",
        "DOB",
        "Phone",
        "手机号",
        "E-mail",
        "Home address",
        "номер паспорта",
    ],
)
def test_columns_named_like_personal_identifiers_are_found(header: str) -> None:
    findings = privacy.header_findings(["Date", header, "Men"])
    assert [f.column for f in findings] == [header]


@pytest.mark.parametrize(
    "text",
    [
        "call +39 333 123 4567",
        "0044 20 7946 0958",
        "smuggler@example.com",
        "passport no. X1234567",
        "DOB: 1990-04-01",
        "born 12/03/1988",
    ],
)
def test_cells_holding_identifiers_are_found(text: str) -> None:
    frame = pl.DataFrame({"Notes": ["clean", text], "row": [2, 3]})
    findings = privacy.cell_findings(frame, ["Notes"], "row")
    assert [(f.column, f.row) for f in findings] == [("Notes", 3)]
    assert text not in privacy.explain(findings)  # the message never repeats the value


def test_ordinary_incident_cells_are_not_mistaken_for_identifiers() -> None:
    frame = pl.read_csv(io.StringIO(GOOD), infer_schema=False).with_row_index("row", 2)
    headers = [c for c in frame.columns if c != "row"]
    assert privacy.header_findings(headers) == []
    assert privacy.cell_findings(frame, headers, "row") == []


def test_a_file_with_identifiers_is_refused_and_nothing_of_it_is_kept(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    text = GOOD.replace("Nacional solo", "Passport number").replace(",no\n", ",A1234567\n")
    with pytest.raises(ValidationFailed, match=r"non-nominal data only.*Passport number"):
        upload(world, text)
    cells = "Reference,Date,Detection,Notes\nX-1,2025-01-02,at sea,skipper tel +30 694 123 4567\n"
    with pytest.raises(ValidationFailed, match=r"row 2, column “Notes”.*phone number") as error:
        upload(world, cells)
    assert "694" not in str(error.value)
    assert Upload.objects.count() == 0
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


# --------------------------------------------------------------------------
# Imports


def test_a_spanish_file_is_mapped_validated_and_committed_as_a_draft(world: dict[str, Any]) -> None:
    version = committed(world)
    assert version.status == Version.Status.DRAFT
    rows = {i.reference: i for i in Incident.objects.filter(version=version)}
    first = rows["ITA-1"]
    assert first.route == ["LBY", "ITA"]
    assert (first.migrants_total, first.migrants_men, first.migrants_boys) == (13, 10, 1)
    assert first.migrant_citizenships == {"BGD": 8, "EGY": 5}
    assert first.period == "2025-Q1"
    assert first.fee_usd_per_person == Decimal("3386.00")  # 3000 EUR / 0.886
    assert "EUR 2025" in first.fee_rate_note
    assert rows["ITA-2"].transit_areas == ["GRC"]
    assert rows["ITA-2"].modus_operandi == ["concealment_vehicle", "fraudulent_documents"]
    assert rows["ITA-3"].national_only is True
    assert rows["ITA-3"].fee_amount is None
    # Nothing is shared while it is a draft.
    assert not NetworkContribution.objects.exists()


def test_the_report_names_every_problem_and_nothing_is_written(world: dict[str, Any]) -> None:
    bad = (
        GOOD.replace("BGD 8; EGY 5", "BGD 8; Atlantis 5")
        .replace("concealment_vehicle; fraudulent", "teleportation; fraudulent")
        .replace("TUN 4,,,", "TUN 4,500,,")
        .replace("2025-08-11", "2024-08-11")
    )
    bad = bad.replace(
        "ITA-2,2025-05-20,land border,TUR,GRC,ITA,4,0,0,0",
        "ITA-2,2025-05-20,land border,TUR,GRC,ITA,4,0,0,0",
    )
    job = upload(world, bad)
    assert job.status == ImportJob.Status.BLOCKED
    issues = {(i.row, i.code): i for i in job.issues.all()}
    assert issues[(2, "unknown_area")].value == "Atlantis"
    assert issues[(3, "unknown_tag")].value == "teleportation"
    assert "overcrowded_vessel" in issues[(3, "unknown_tag")].expected
    assert (4, "currency") in issues
    assert issues[(4, "other_year")].expected.startswith("a date in 2025")
    assert Incident.objects.count() == 0
    assert intake.job_commit(job=job, actor=world["ita_police"]).status == ImportJob.Status.BLOCKED
    assert Incident.objects.count() == 0
    assert not Version.objects.exists()


def test_parts_must_add_up_to_the_total(world: dict[str, Any]) -> None:
    text = "Date,Detection,Men,Women,Migrants\n2025-01-05,at sea,3,2,9\n2025-01-06,at sea,3,2,\n"
    job = upload(world, text)
    issue = job.issues.get(code="parts_total")
    assert (issue.row, issue.suggestion) == (2, "5")
    assert "add up to 5, not 9" in issue.message


@pytest.mark.parametrize(
    ("label", "message"),
    [("2025", "must name the network and the year"), ("NOPE 2025", "there is no network 'NOPE'")],
)
def test_the_label_names_the_network_and_year(
    world: dict[str, Any], label: str, message: str
) -> None:
    job = upload(world, GOOD, label=label)
    assert job.status == ImportJob.Status.FAILED
    assert message in job.message


def test_only_named_agencies_of_active_members_import(world: dict[str, Any]) -> None:
    job = upload(world, GOOD, who="ita_customs", organisation="org_ita_customs")
    assert job.status == ImportJob.Status.FAILED
    assert "not a contributing agency of MED" in job.message
    # The focal point reports for any organisation of the country.
    committed(world, who="ita_focal", organisation="org_ita_customs")


# --------------------------------------------------------------------------
# Workflow: sharing follows the versions


def test_submitting_shares_returning_unshares_and_nothing_is_ever_published(
    world: dict[str, Any],
) -> None:
    version = committed(world)
    network = world["network"]
    version = workflow.version_submit(version=version, actor=world["ita_focal"])
    shared = set(
        NetworkContribution.objects.filter(network=network, area_id="ITA").values_list(
            "period", flat=True
        )
    )
    # ITA-3 (2025-Q3) is national only: never shared, so no contribution for Q3.
    assert shared == {"2025-Q1", "2025-Q2"}
    workflow.version_return(version=version, actor=world["analyst"], comment="check fees")
    assert not NetworkContribution.objects.filter(network=network).exists()
    assert (
        AuditEvent.objects.filter(
            object_type="accounts.networkcontribution", action="delete"
        ).count()
        == 2
    )
    version = workflow.version_submit(version=version, actor=world["ita_focal"])
    version = workflow.version_accept(version=version, actor=world["analyst"])
    with pytest.raises(ValidationFailed, match="never published"):
        workflow.version_publish(version=version, actor=world["analyst"])
    # A correction after acceptance: the new version replaces the old when accepted.
    corrected = committed(
        world, GOOD.replace("ITA-3,2025-08-11", "ITA-3,2025-11-11"), name="corrected.csv"
    )
    assert corrected.number == 2
    workflow.version_submit(version=corrected, actor=world["ita_focal"])
    workflow.version_accept(version=corrected, actor=world["analyst"])
    version.refresh_from_db()
    assert version.status == Version.Status.SUPERSEDED
    assert set(
        NetworkContribution.objects.filter(network=network).values_list("period", flat=True)
    ) == {"2025-Q1", "2025-Q2"}


def test_leaving_ends_sharing_and_is_audited(world: dict[str, Any]) -> None:
    member = NetworkMember.objects.get(network=world["network"], area_id="GRC")
    with pytest.raises(Exception, match="focal point"):
        account_services.network_leave(member=member, actor=world["ita_focal"])
    account_services.network_leave(member=member, actor=world["grc_focal"])
    member.refresh_from_db()
    assert member.status == NetworkMember.Status.LEFT
    assert member.left_at is not None
    assert AuditEvent.objects.filter(
        object_type="accounts.networkmember", changes__status=["active", "left"]
    ).exists()


# --------------------------------------------------------------------------
# The browser form and the API


def form_data(**extra: Any) -> dict[str, Any]:
    return {
        "incident_date": "2025-03-14",
        "detection": "at_sea",
        "departure_area": "LBY",
        "destination_area": "ITA",
        "migrants_men": "7",
        "migrants_women": "2",
        "migrant_citizenships": "EGY 9",
        "fee_amount": "2500",
        "fee_currency": "USD",
        "fee_basis": "per_person",
        "modus_operandi": ["overcrowded_vessel"],
        "reference": "F-1",
        **extra,
    }


def test_the_form_saves_into_the_draft_and_refuses_identifiers(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["ita_police"])
    url = "/smuggling/MED/incidents/new/"
    data = form_data(organisation=world["org_ita"].pk)
    refused = client.post(url, {**data, "notes": "captain's phone +216 98 123 456"})
    assert refused.status_code == 200
    assert "phone number" in refused.content.decode()
    assert not Incident.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    incident = Incident.objects.get(reference="F-1")
    assert incident.migrants_total == 9
    assert incident.version.status == Version.Status.DRAFT
    assert response["Location"] == f"/smuggling/MED/incidents/{incident.pk}/"
    # After the draft is submitted, a new incident starts the next version with all rows.
    workflow.version_submit(version=incident.version, actor=world["ita_focal"])
    workflow.version_accept(version=incident.version, actor=world["analyst"])
    client.post(url, form_data(organisation=world["org_ita"].pk, reference="F-2"))
    latest = Version.objects.order_by("-number").first()
    assert latest is not None
    assert latest.number == 2
    assert sorted(Incident.objects.filter(version=latest).values_list("reference", flat=True)) == [
        "F-1",
        "F-2",
    ]
    assert AuditEvent.objects.filter(object_type="smuggling.incident", action="create").count() == 2


def test_an_unnamed_agency_cannot_open_the_form(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["ita_customs"])
    assert client.get("/smuggling/MED/incidents/new/").status_code == 403
    assert client.post("/smuggling/MED/incidents/new/", form_data()).status_code == 403


def test_the_api_creates_an_incident_and_explains_refusals(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["ita_police"])
    payload = {
        "organisation": world["org_ita"].code,
        "incident_date": "2025-04-02",
        "detection": "sea_border",
        "departure_area": "TUN",
        "destination_area": "ITA",
        "migrants_men": 3,
        "migrant_citizenships": {"TUN": 3},
        "modus_operandi": ["guided_crossing"],
        "reference": "API-1",
    }
    response = client.post(
        "/api/v1/smuggling/networks/MED/incidents",
        json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["migrants_total"], body["migrant_citizenships"], body["status"]) == (
        3,
        {"TUN": 3},
        "draft",
    )
    bad = {**payload, "reference": "API-2", "detection": "teleport", "notes": "x@y.org"}
    response = client.post(
        "/api/v1/smuggling/networks/MED/incidents", json.dumps(bad), content_type="application/json"
    )
    assert response.status_code == 422
    assert "detection" in response.json()["detail"]
    assert Incident.objects.count() == 1


# --------------------------------------------------------------------------
# Analysis (pure functions)


def frame() -> pl.DataFrame:
    def row(
        pk: int,
        area: str,
        dep: str,
        transit: list[str],
        dest: str,
        migrants: int,
        fee: float | None,
        month: int,
        mo: list[str],
    ) -> dict[str, Any]:
        return {
            "id": pk,
            "area_id": area,
            "period": "2025",
            "incident_date": date(2025, month, 1),
            "departure_area": dep,
            "transit_areas": transit,
            "destination_area": dest,
            "migrants_total": migrants,
            "deaths": 1 if pk == 1 else 0,
            "fee_usd_per_person": fee,
            "modus_operandi": mo,
            "document_type": "",
            "document_fraud": "",
        }

    return analysis.incident_frame(
        [
            row(1, "ITA", "LBY", [], "ITA", 50, 3000.0, 1, ["overcrowded_vessel"]),
            row(2, "ITA", "LBY", [], "ITA", 20, 5000.0, 2, ["overcrowded_vessel"]),
            row(3, "GRC", "TUR", ["GRC"], "ITA", 5, None, 7, []),
            row(4, "GRC", "", [], "GRC", 4, 1000.0, 8, ["guided_crossing"]),
        ]
    )


def test_routes_legs_and_fees() -> None:
    data = frame()
    routes = analysis.top_routes(data).to_dicts()
    assert routes[0] == {
        "route": "LBY → ITA",
        "incidents": 2,
        "migrants": 70,
        "deaths": 1,
        "reporting_states": 1,
    }
    assert {r["route"] for r in routes} == {"LBY → ITA", "TUR → GRC → ITA", "? → GRC"}
    legs = {(r["source"], r["target"]): r["migrants"] for r in analysis.legs(data).to_dicts()}
    assert legs == {("LBY", "ITA"): 70, ("TUR", "GRC"): 5, ("GRC", "ITA"): 5}
    fees = analysis.fees_by_route(data).to_dicts()
    assert {
        (f["route"], f["quarter"], f["median_usd"], f["min_usd"], f["max_usd"]) for f in fees
    } == {
        ("LBY → ITA", "2025-Q1", 4000.0, 3000.0, 5000.0),
        ("? → GRC", "2025-Q3", 1000.0, 1000.0, 1000.0),
    }
    trends = analysis.tag_trends(data).to_dicts()
    assert {"quarter": "2025-Q1", "tag": "overcrowded_vessel", "incidents": 2} in trends


def test_fees_convert_per_person_with_the_documented_rate() -> None:
    assert fee_in_usd(Decimal("1000"), "EUR", "per_group", 4, 2025)[0] == Decimal("282.17")
    assert fee_in_usd(Decimal("1000"), "EUR", "per_person", 4, 1999) == (
        None,
        "no EUR rate for 1999: not converted",
    )
    assert period_of(date(2025, 11, 3), "quarter") == "2025-Q4"
    assert period_of(date(2025, 11, 3), "month") == "2025-11"


# --------------------------------------------------------------------------
# Demo


def test_the_demo_network_has_eight_states_and_one_that_shares_nothing(db: Any) -> None:
    from observatory.demo.smuggling import NETWORK_CODE, load_demo_smuggling
    from observatory.demo.world import build_demo_world

    build_demo_world()
    assert load_demo_smuggling(say=lambda line: None) == 450
    network = Network.objects.get(code=NETWORK_CODE)
    assert network.members.filter(status="active").count() == 8
    shared = dict.fromkeys(network.members.values_list("area_id", flat=True), 0)
    for area in NetworkContribution.objects.filter(network=network).values_list(
        "area_id", flat=True
    ):
        shared[area] += 1
    assert (shared["MYS"], shared["TUR"], shared["ITA"]) == (0, 2, 4)
    assert load_demo_smuggling(say=lambda line: None) == 0
    assert Incident.objects.count() == 450
    assert NetworkAgency.objects.filter(member__network=network).count() == 8
    assert not ImportIssue.objects.filter(severity="error").exists()
    assert User.objects.filter(email="imm.mys@observatory.demo").exists()


def test_monthly_counts_are_entered_into_the_draft_and_replace_earlier_ones(
    world: dict[str, Any],
) -> None:
    from observatory.smuggling.models import Aggregate

    client = Client()
    client.force_login(world["ita_police"])
    url = "/smuggling/MED/aggregates/new/"
    data = {
        "organisation": world["org_ita"].pk,
        "month": "2025-03",
        "measure": "detections",
        "counts": "AFG 120; SYR 45\nPAK 3",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "counts": "SYR 50"}).status_code == 302
    rows = dict(Aggregate.objects.values_list("citizenship", "value"))
    assert rows == {"AFG": 120, "SYR": 50, "PAK": 3}
    assert set(Aggregate.objects.values_list("period", flat=True)) == {"2025-Q1"}
    refused = client.post(url, {**data, "counts": "Atlantis 4"})
    assert "write a country code and a count" in refused.content.decode()
    client.force_login(world["ita_customs"])
    assert client.post(url, data).status_code == 403


def test_the_office_creates_a_network_and_others_cannot(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["analyst"])
    response = client.post(
        "/smuggling/",
        {
            "code": "bali-process",
            "name": "Bali Process",
            "period_kind": "year",
            "suppression_threshold": 3,
        },
    )
    assert response.status_code == 302
    network = Network.objects.get(code="BALI-PROCESS")
    assert network.suppression_threshold == 3
    assert AuditEvent.objects.filter(object_type="accounts.network", action="create").exists()
    client.force_login(world["ita_focal"])
    assert (
        client.post(
            "/smuggling/",
            {"code": "X", "name": "X", "period_kind": "year", "suppression_threshold": 5},
        ).status_code
        == 403
    )
