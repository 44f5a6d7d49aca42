"""A questionnaire in a real browser: a focal point fills the crime trends survey
grid, reads a rule message, fixes it, submits; the analyst returns it with a
comment on a cell; the focal point corrects and resubmits; the analyst accepts
and publishes; the series reaches the public explorer as a rate per 100,000."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from observatory.accounts.models import Organisation, Role
from observatory.statistics.cube.loader import load_definitions
from tests import factories
from tests.browser.test_seizure_journey import log_in, log_out

pytestmark = pytest.mark.browser

HOMICIDE = "v.OFFENCES.ICCS0101._T._T._T._T._T.COUNT"
SEXUAL = "v.OFFENCES.ICCS0301._T._T._T._T._T.COUNT"
RAPE = "v.OFFENCES.ICCS03011._T._T._T._T._T.COUNT"
THEFT_STATUS = "s.OFFENCES.ICCS0502._T._T._T._T._T.COUNT"


def test_fill_check_submit_return_fix_publish(
    page: Any, browser: Any, live_server: Any, reference_data: None
) -> None:
    load_definitions()
    base = live_server.url
    col = factories.agency("COL", Organisation.Kind.STATISTICS)
    focal = factories.member(Role.FOCAL_POINT, col, email="focal@col.test")
    factories.member(Role.ANALYST, factories.office(), email="analyst@office.test")
    grid = f"{base}/statistics/questionnaires/UN-CTS/{col.code}/2025/"

    log_in(page, base, focal.email)
    page.goto(f"{base}/statistics/")
    page.click(f"a[href='/statistics/questionnaires/UN-CTS/{col.code}/2025/']")
    page.fill(f"input[name='{HOMICIDE}']", "12500")
    page.fill(f"input[name='{SEXUAL}']", "100")
    page.fill(f"input[name='{RAPE}']", "130")
    page.select_option(f"select[name='{THEFT_STATUS}']", "L")
    page.click("#save-draft")
    expect(page.locator("#violations")).to_contain_text("Rape (130)")
    expect(page.locator("#violations")).to_contain_text("Sexual violence (100)")
    page.fill(f"input[name='{RAPE}']", "60")
    page.click("#save-draft")
    expect(page.locator("#no-violations")).to_be_visible()
    expect(page.locator(f"select[name='{THEFT_STATUS}']")).to_have_value("L")
    page.click("#version-status")
    page.click("#submit-version")
    expect(page.locator("#version-status")).to_have_text("submitted")

    # The analyst works in a browser of their own (a TOTP code is good for one login).
    office = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    analyst = office.new_page()
    log_in(analyst, base, "analyst@office.test")
    analyst.goto(grid)
    analyst.fill(f"input[name='r.{HOMICIDE[2:]}']", "12,500 homicides: ten times last year?")
    analyst.click("#return-version")
    expect(analyst.locator("#version-status")).to_have_text("returned with comments")

    page.goto(grid)
    expect(page.locator("main")).to_contain_text("ten times last year?")
    page.fill(f"input[name='{HOMICIDE}']", "1250")
    page.click("#save-draft")
    expect(page.locator("#version-status")).to_have_text("draft")
    page.click("#version-status")
    page.click("#submit-version")
    expect(page.locator("#version-status")).to_have_text("submitted")
    log_out(page)

    analyst.goto(grid)
    analyst.click("#version-status")
    analyst.click("#accept-version")
    analyst.click("#publish-version")
    expect(analyst.locator("#version-status")).to_have_text("published")
    office.close()

    # The public sees the published number, as a count and as a rate per 100,000.
    page.goto(
        f"{base}/statistics/explorer/?dataflow=DF_UN_CTS&INDICATOR=OFFENCES"
        "&CATEGORY=ICCS0101&areas=COL&measure=rate"
    )
    expect(page.locator("main")).to_contain_text("COL")


def test_the_grid_moves_like_a_spreadsheet(
    page: Any, live_server: Any, reference_data: None
) -> None:
    load_definitions()
    col = factories.agency("COL", Organisation.Kind.STATISTICS)
    focal = factories.member(Role.FOCAL_POINT, col, email="focal@col.test")
    log_in(page, live_server.url, focal.email)
    page.goto(f"{live_server.url}/statistics/questionnaires/UN-CTS/{col.code}/2025/")
    first = page.locator(f"input[name='{HOMICIDE}']")
    first.click()
    first.type("12")
    page.keyboard.press("Enter")  # moves down, does not submit
    expect(page.locator("input[name='v.OFFENCES.ICCS0102._T._T._T._T._T.COUNT']")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(first).to_be_focused()
    expect(page.locator("#violations")).to_have_count(0)  # nothing was saved
