"""The migrant smuggling network in a real browser: a member state's focal point
uploads a year of incidents, submits them (which shares them) and sees the other
members' routes and fees; a member that shared nothing sees only its own data and
is told why; a file with personal identifiers is refused on the page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from playwright.sync_api import expect

from observatory.accounts import services as account_services
from observatory.accounts.models import Network, Organisation, Role
from observatory.intake import services as intake
from observatory.reference.models import Area
from observatory.submissions import services as workflow
from tests import factories
from tests.browser.test_seizure_journey import log_in, log_out

pytestmark = pytest.mark.browser

GRC_FILE = """Reference,Date,Detection,Departure,Destination,Men,Women,Citizenship,Fee,Currency
GRC-1,2025-02-10,sea border,TUR,GRC,20,5,AFG 15; SYR 10,1500,EUR
GRC-2,2025-03-02,sea border,TUR,GRC,12,3,SYR 15,1800,EUR
MYS-X,2025-03-20,land border,TUR,GRC,4,0,PAK 4,,
"""
ITA_FILE = """Referencia,Fecha,Detección,Salida,Destino,Hombres,Mujeres,Nacionalidades,Tarifa,Moneda
ITA-1,2025-01-15,at sea,LBY,ITA,30,4,BGD 20; EGY 14,3500,USD
ITA-2,2025-02-21,at sea,TUN,ITA,9,1,TUN 10,2000,EUR
"""


def test_members_see_shared_routes_by_reciprocity(
    page: Any, live_server: Any, reference_data: None, tmp_path: Any
) -> None:
    base = live_server.url
    analyst = factories.member(Role.ANALYST, factories.office(), email="analyst@office.test")
    focal = {
        area: factories.member(
            Role.FOCAL_POINT, factories.agency(area), email=f"fp@{area.lower()}.test"
        )
        for area in ("ITA", "GRC", "MYS")
    }
    network = Network.objects.create(
        code="MED", name="Mediterranean network", period_kind=Network.PeriodKind.QUARTER
    )
    for area, user in focal.items():
        member = account_services.network_invite(
            network=network, area=Area.objects.get(code=area), actor=analyst
        )
        account_services.network_join(member=member, actor=user)
    # Greece has shared its first quarter.
    grc = Organisation.objects.get(area_id="GRC")
    stored, _ = intake.upload_store(
        stream=io.BytesIO(GRC_FILE.encode()),
        filename="grc.csv",
        organisation=grc,
        dataset="smuggling-incidents",
        actor=focal["GRC"],
    )
    job = intake.job_validate(
        job=intake.job_create(upload=stored, label="MED 2025", actor=focal["GRC"])
    )
    job = intake.job_commit(job=job, actor=focal["GRC"])
    workflow.version_submit(version=job.version, actor=focal["GRC"])

    # Italy's focal point first tries a file with passport numbers: refused, kept nowhere.
    log_in(page, base, focal["ITA"].email)
    page.goto(f"{base}/smuggling/MED/")
    expect(page.locator("#visibility")).to_contain_text("has shared none")
    expect(page.locator("#top-routes")).to_have_count(0)
    bad = tmp_path / "con_pasaportes.csv"
    bad.write_text(ITA_FILE.replace("Moneda", "Pasaporte").replace(",USD\n", ",YA1234567\n"))
    page.goto(f"{base}/smuggling/MED/upload/")
    page.fill("input[name=year]", "2025")
    page.set_input_files("input[type=file]", str(bad))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#file-error")).to_contain_text("non-nominal data only")
    expect(page.locator("#file-error")).to_contain_text("Pasaporte")

    # The clean file: mapping proposed from Spanish headers, report, commit, submit.
    good = tmp_path / "incidentes_italia.csv"
    good.write_text(ITA_FILE)
    page.set_input_files("input[type=file]", str(good))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Confirm the columns")
    expect(page.locator("select[name=col_1]")).to_have_value("incident_date")
    page.click("#check-file")
    expect(page.locator("#error-count")).to_have_text("0")
    page.click("#commit")
    expect(page.locator("#committed")).to_contain_text("2 rows were committed")
    page.click("#committed a")
    expect(page.locator("#shared-only")).to_contain_text("never published")
    page.click("#submit-version")
    expect(page.locator("#version-status")).to_have_text("submitted")

    # Now Italy shares Q1, so it sees Greece's Q1 routes and fees.
    page.goto(f"{base}/smuggling/MED/")
    expect(page.locator("#visibility")).to_contain_text("Other states shown: GRC")
    routes = page.locator("#top-routes")
    expect(routes).to_contain_text("TUR → GRC")
    expect(routes).to_contain_text("LBY → ITA")
    expect(page.locator("#fees")).to_contain_text("TUR → GRC")
    expect(page.locator("#route-map svg")).to_have_count(1)
    log_out(page)

    # Malaysia shared nothing: its own (empty) data and the reason, no routes of others.
    log_in(page, base, focal["MYS"].email)
    page.goto(f"{base}/smuggling/MED/")
    expect(page.locator("#visibility")).to_contain_text("reciprocity")
    expect(page.locator("#totals")).to_contain_text("0")
    expect(page.locator("body")).not_to_contain_text("TUR → GRC")
    page.goto(f"{base}/smuggling/MED/incidents/")
    expect(page.locator("#incidents")).to_contain_text("No incidents to show.")
