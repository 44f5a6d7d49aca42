"""Trafficking routes in a real browser: a focal point adds countries to a route
section of the ARQ (any country, one new row at a time with the script), is
refused a country chosen twice with nothing saved, corrects it, saves, and
moves between the rows with the keyboard."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from observatory.accounts.models import Organisation, Role
from observatory.statistics.cube.loader import load_definitions
from observatory.statistics.models import Observation
from tests import factories
from tests.browser.test_seizure_journey import log_in

pytestmark = pytest.mark.browser

ORIGIN = "ROUTE_RANK.HEROIN._Z._Z._Z.ORIGIN.{}.RANK"


def test_choose_countries_on_a_route(page: Any, live_server: Any, reference_data: None) -> None:
    load_definitions()
    base = live_server.url
    esp = factories.agency("ESP", Organisation.Kind.STATISTICS)
    focal = factories.member(Role.FOCAL_POINT, esp, email="focal@esp.test")
    log_in(page, base, focal.email)
    page.goto(f"{base}/statistics/questionnaires/ARQ-SUPPLY/{esp.code}/2025/")
    section = page.locator("#section-routes-heroin")
    new_rows = section.locator("tr[data-new-row]")
    add = section.locator("button[data-add-row]")
    # The script shows one empty row at a time (the server sent five).
    expect(new_rows).to_have_count(5)
    expect(new_rows.nth(0)).to_be_visible()
    expect(new_rows.nth(1)).to_be_hidden()
    expect(add).to_be_visible()

    page.select_option("select[name='n.routes-heroin.0']", "NZL")
    page.fill("input[name='nv.routes-heroin.0.0']", "1")
    add.click()
    expect(new_rows.nth(1)).to_be_visible()
    expect(page.locator("select[name='n.routes-heroin.1']")).to_be_focused()
    page.keyboard.type("New Z")  # a list of every country, found by typing
    expect(page.locator("select[name='n.routes-heroin.1']")).to_have_value("NZL")
    page.fill("input[name='nv.routes-heroin.1.1']", "2")
    page.click("#save-draft")
    expect(page.locator("main")).to_contain_text(
        "New Zealand is chosen twice in “Trafficking routes: heroin”: choose each country once."
    )
    assert not Observation.objects.exists()
    # What was typed is still there, both rows shown, to be corrected.
    expect(new_rows.nth(1)).to_be_visible()
    expect(page.locator("input[name='nv.routes-heroin.1.1']")).to_have_value("2")
    page.select_option("select[name='n.routes-heroin.1']", "MMR")
    page.click("#save-draft")
    expect(page.locator("main")).to_contain_text("Draft saved")
    assert dict(Observation.objects.values_list("key", "value")) == {
        ORIGIN.format("NZL"): 1,
        "ROUTE_RANK.HEROIN._Z._Z._Z.TRANSIT.MMR.RANK": 2,
    }

    # The countries are rows of their own, by name; the arrows move down the column.
    heads = section.locator("tbody th[scope=row]")
    expect(heads.nth(0)).to_have_text("Myanmar")
    expect(heads.nth(1)).to_have_text("New Zealand")
    page.focus(f"input[name='v.{ORIGIN.format('MMR')}']")
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"input[name='v.{ORIGIN.format('NZL')}']")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name='nv.routes-heroin.0.0']")).to_be_focused()
    page.keyboard.press("ArrowDown")  # the hidden rows are skipped
    expect(page.locator("input[name='nv.routes-heroin.0.0']")).to_be_focused()
    folder = os.environ.get("OBSERVATORY_SCREENSHOTS")
    if folder:
        section.screenshot(path=str(Path(folder) / "routes-heroin.png"))
