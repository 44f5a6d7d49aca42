"""The seizure journey in a real browser: a focal point uploads a messy Spanish
workbook, confirms the mapping, reads the report, accepts the valid rows and
submits; an analyst accepts and publishes; the new routes appear on the flows page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import observatory.seizures
from observatory.accounts.models import Organisation, Role
from tests import factories

pytestmark = pytest.mark.browser

SAMPLE = Path(observatory.seizures.__file__).parent / "samples" / "incautaciones_colombia_2024.xlsx"


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit]")
    page.fill("input[name=code]", factories.totp_code())
    page.click("form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def log_out(page: Any) -> None:
    page.click("header form[action='/accounts/logout/'] button")


def test_upload_review_publish_and_see_the_routes(
    page: Any, live_server: Any, reference_data: None
) -> None:
    base = live_server.url
    col_police = factories.agency("COL", Organisation.Kind.POLICE)
    focal = factories.member(Role.FOCAL_POINT, col_police, email="focal@col.test")
    analyst = factories.member(Role.ANALYST, factories.office(), email="analyst@office.test")

    # The focal point uploads the workbook.
    log_in(page, base, focal.email)
    page.goto(f"{base}/imports/new/seizures/")
    page.fill("input[name=label]", "2024")
    page.set_input_files("input[type=file]", str(SAMPLE))
    page.click("#upload-form button[type=submit]")

    # The proposed mapping recognises the Spanish headers; they confirm it.
    expect(page.locator("h1")).to_have_text("Confirm the columns")
    expect(page.locator("select[name=col_0]")).to_have_value("seizure_date")  # "Fecha"
    page.click("#check-file")

    # The report names the deliberately wrong rows.
    expect(page.locator("#error-count")).to_have_text("9")
    issues = page.locator("#issues")
    expect(issues).to_contain_text("xyz")
    expect(issues).to_contain_text("31/02/2024")
    page.select_option("select[name=severity]", "warning")
    expect(issues).to_contain_text("unusually large")
    expect(issues).not_to_contain_text("xyz")

    # They accept the valid rows; the bad ones go to quarantine.
    page.click("#accept-valid")
    expect(page.locator("#committed")).to_contain_text("291 rows were committed")
    page.click("#committed a")
    expect(page.locator("#version-status")).to_have_text("draft")
    page.click("#submit-version")
    expect(page.locator("#version-status")).to_have_text("submitted")
    version_url = page.url
    log_out(page)

    # The analyst accepts and publishes.
    log_in(page, base, analyst.email)
    page.goto(version_url)
    page.click("#accept-version")
    expect(page.locator("#version-status")).to_have_text("accepted")
    page.click("#publish-version")
    expect(page.locator("#version-status")).to_have_text("published")

    # The new routes are on the flows page, map included.
    page.goto(f"{base}/analytics/flows/?area=COL")
    expect(page.locator("#top-routes")).to_contain_text("COL>")
    expect(page.locator("#flow-map svg")).to_be_visible()
    page.goto(f"{base}/seizures/?area=col")
    expect(page.locator("table")).to_contain_text("published")
