"""The office brings in its own data in a real browser: an analyst uploads a
data-portal file for the office, reads what the import will do to what is
published, and commits; a country's contributor answers the value step for a
drug name that only resembles a known one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import observatory.statistics
from observatory.accounts.models import Organisation, Role
from tests import factories
from tests.browser.test_seizure_journey import log_in, log_out

pytestmark = pytest.mark.browser

SAMPLE = (
    Path(observatory.statistics.__file__).parent
    / "samples"
    / "data_cts_violent_and_sexual_crime.csv"
)
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_the_office_uploads_a_portal_file_and_a_country_confirms_a_drug_name(
    page: Any, live_server: Any, reference_data: None, tmp_path: Path
) -> None:
    from django.core.management import call_command

    call_command("load_definitions", verbosity=0)
    base = live_server.url
    analyst = factories.member(Role.ANALYST, factories.office(), email="analyst@office.test")
    col = factories.agency("COL", Organisation.Kind.POLICE)
    contributor = factories.member(Role.CONTRIBUTOR, col, email="police@col.test")

    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    portal = tmp_path / "portal.csv"
    portal.write_text("\n".join(lines[:3]) + "\n", encoding="cp1252")

    # The analyst finds the office's formats on the imports page
    log_in(page, base, analyst.email)
    page.click("header a[href='/imports/']")
    page.click("#uploads a[href='/imports/new/observations-unodc-portal/']")
    page.fill("input[name=label]", "DF_CTS_VIOLENT_SEXUAL")
    page.set_input_files("input[type=file]", str(portal))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Confirm the columns")
    page.select_option("select[name=decimal_mark]", ".")
    page.click("#check-file")
    # The report says what the import does before anything is written
    expect(page.locator("body")).to_contain_text("What this import does: a new dataset: adds 2")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "office-import.png"), full_page=True)
    page.click("#commit")
    expect(page.locator("#committed")).to_contain_text("2 rows were committed")
    log_out(page)

    # A contributor's file names a drug that only resembles a known one
    seizures = tmp_path / "incautaciones.csv"
    seizures.write_text(
        "fecha,droga,cantidad,unidad\n2024-03-01,Herion,12,kg\n2024-03-02,cocaína,3,kg\n",
        encoding="utf-8",
    )
    log_in(page, base, contributor.email)
    page.goto(f"{base}/imports/new/seizures/")
    page.fill("input[name=label]", "2024")
    page.set_input_files("input[type=file]", str(seizures))
    page.click("#upload-form button[type=submit]")
    page.click("#check-file")
    values = page.locator("#values-to-confirm")
    expect(values).to_contain_text("Herion")
    expect(values).to_contain_text("heroin")
    page.screenshot(path=str(SHOTS / "value-step.png"), full_page=True)
    page.fill("input[name='value:drug:Herion']", "heroin")
    page.click("#confirm-values")
    expect(page.locator("#commit")).to_be_visible()
    expect(page.locator("body")).to_contain_text("“Herion” read as heroin, as confirmed")
    page.click("#commit")
    expect(page.locator("#committed")).to_contain_text("2 rows were committed")
