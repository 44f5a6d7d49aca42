"""A focal point logs in, switches to Chinese and sees the home page; then looks
up reference data in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from observatory.accounts.models import Role
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def focal_point(reference_data: None) -> Any:
    organisation = factories.agency("COL")
    return factories.member(Role.FOCAL_POINT, organisation, email="focal.col@example.org")


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit]")


def test_focal_point_logs_in_and_switches_to_chinese(
    page: Any, live_server: Any, focal_point: Any
) -> None:
    # Given a focal point with two-factor authentication set up
    # When they log in with email and password
    log_in(page, live_server.url, focal_point.email)
    # MFA is required for focal points: allauth asks for the TOTP code.
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    page.fill("input[name=code]", factories.totp_code())
    page.click("form button[type=submit]")
    # Then they see their home page with the focal point section
    expect(page.locator("#role-focal-point")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Welcome")
    # When they switch the language to Chinese
    page.select_option("select[name=language]", "zh-hans")
    # Then the home page is in Chinese
    expect(page.locator("h1")).to_contain_text("欢迎")
    expect(page.locator("#role-focal-point h3")).to_have_text("国家联络人")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_reference_search_in_both_languages(
    page: Any, live_server: Any, reference_data: None
) -> None:
    page.goto(f"{live_server.url}/reference/search/?q=heroine")
    expect(page.locator("#match-drug")).to_contain_text("Heroin")
    page.goto(f"{live_server.url}/reference/search/?q=Holland")
    expect(page.locator("#match-area")).to_contain_text("NLD")
    page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{live_server.url}/reference/search/?q=冰毒")
    expect(page.locator("#match-drug")).to_contain_text("甲基苯丙胺")


def test_pages_load_no_external_assets_and_break_no_csp(
    page: Any, live_server: Any, reference_data: None
) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    for path in ["/", "/reference/", "/reference/iccs/", "/api/v1/docs", "/accounts/login/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert [url for url in requests if not url.startswith(live_server.url)] == []
    assert errors == []


def test_focal_point_without_mfa_must_set_it_up_first(
    page: Any, live_server: Any, reference_data: None
) -> None:
    organisation = factories.agency("ECU")
    user = factories.member(
        Role.FOCAL_POINT, organisation, email="focal.ecu@example.org", mfa=False
    )
    log_in(page, live_server.url, user.email)
    # Any page sends them to the TOTP set-up; allauth asks for the password again
    # before a second factor is added, then shows a QR code and the secret.
    page.goto(f"{live_server.url}/organisations/")
    expect(page.locator("h1")).to_have_text("Confirm Access")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", factories.totp_code(secret))
    page.click("main form button[type=submit]")
    # Then they may use the site.
    page.goto(f"{live_server.url}/organisations/")
    expect(page.locator("h1")).to_have_text("Organisations")
    expect(page.locator("body")).to_contain_text("ECU-POLICE")
