"""Require TOTP for the roles that can see or change many countries' data."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from observatory.accounts.selectors import user_needs_mfa_setup

# Pages a user without MFA must still reach: to set it up, to log out, to
# switch language, and static files. The API authenticates with tokens instead.
ALLOWED_PREFIXES = (
    "/accounts/",
    "/i18n/",
    "/static/",
    "/api/",
    "/favicon",
)  # allauth lives under /accounts/


class RequireMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.OBSERVATORY_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and user_needs_mfa_setup(request.user)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
