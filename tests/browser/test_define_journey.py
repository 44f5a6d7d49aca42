"""The office brings in a family no dataflow holds, in a real browser: an
analyst uploads a file on the define page, reads what saving would define,
renames a new code, saves, and imports the file on the page it is sent to;
the explorer then shows its numbers, and says the office compiled them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import observatory.statistics
from observatory.accounts.models import Role
from observatory.statistics import selectors
from observatory.statistics.models import Dataflow, Observation
from tests import factories
from tests.browser.test_seizure_journey import log_in

pytestmark = pytest.mark.browser

FAMILY = (
    Path(observatory.statistics.__file__).parent
    / "samples"
    / "families"
    / "data_iafq_firearms_trafficking.csv"
)
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_the_office_defines_a_dataflow_and_imports_its_file(
    page: Any, live_server: Any, reference_data: None, tmp_path: Path
) -> None:
    from django.core.management import call_command

    call_command("load_definitions", verbosity=0)
    base = live_server.url
    analyst = factories.member(Role.ANALYST, factories.office(), email="analyst@office.test")
    # A family of its own: the firearms layout under a new indicator
    header, *rows = csv.reader(io.StringIO(FAMILY.read_text("cp1252")))
    rows = [[*r[:4], "Arms brokered", *r[5:]] for r in rows if r[4] == "Arms seized"][:3]
    path = tmp_path / "brokering.csv"
    with path.open("w", newline="", encoding="cp1252") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])

    log_in(page, base, analyst.email)
    page.goto(f"{base}/statistics/")
    page.click("a[href='/statistics/dataflows/define/']")
    page.fill("input[name=dataflow]", "DF_ARMS_BROKERING")
    page.fill("input[name=name]", "Arms brokering")
    page.set_input_files("input[type=file]", str(path))
    page.click("#define-form button[type=submit]")

    summary = page.locator("#draft-summary")
    expect(summary).to_contain_text("new dataflow DF_ARMS_BROKERING")
    name = page.locator("input[name='name:INDICATOR:ARMS_BROKERED']")
    expect(name).to_have_value("Arms brokered")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "define-draft.png"), full_page=True)
    name.fill("Arms brokered (transfers)")
    page.click("button[name=step][value=save]")

    # Saved, final, and the upload page for the file it was drafted from
    expect(page.locator("h1")).to_contain_text("Upload")
    assert page.locator("input[name=label]").input_value() == "DF_ARMS_BROKERING"
    flow = Dataflow.objects.get(code="DF_ARMS_BROKERING")
    assert flow.is_final
    indicator = selectors.Structure(flow.structure).codes("INDICATOR")["ARMS_BROKERED"]
    assert (indicator.name, indicator.aliases) == ("Arms brokered (transfers)", ["Arms brokered"])
    page.set_input_files("input[type=file]", str(path))
    page.click("#upload-form button[type=submit]")
    page.select_option("select[name=decimal_mark]", ".")
    page.click("#check-file")
    page.screenshot(path=str(SHOTS / "define-import.png"), full_page=True)
    expect(page.locator("body")).to_contain_text("adds 3")
    page.click("#commit")
    expect(page.locator("#committed")).to_contain_text("3 rows were committed")
    # the file's label, read through the name it had, is what the export writes
    assert {o.written and o.written.get("4") for o in Observation.objects.all()} == {
        "Arms brokered"
    }
