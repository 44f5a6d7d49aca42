"""Require TOTP for the roles that can see or change many countries' data."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from observatory.accounts.selectors import user_needs_mfa_setup

# Pages a user without MFA must still reach: to set it up (allauth lives under
# /accounts/), to log out, to switch language, and static files.
ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/favicon")
PUBLIC_API_PREFIXES = ("/api/v1/reference/", "/api/v1/openapi.json", "/api/v1/docs")


def _token_request(request: HttpRequest) -> bool:
    """API calls with a token: the API's own authentication checks those, and
    tokens are issued to users who logged in."""
    return request.path.startswith("/api/") and bool(
        request.headers.get("Authorization") or request.headers.get("X-API-Key")
    )


class RequireMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.OBSERVATORY_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not request.path.startswith(PUBLIC_API_PREFIXES)
            and not _token_request(request)
            and user_needs_mfa_setup(request.user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "set up two-factor authentication first, or use an API token"},
                    status=403,
                )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
