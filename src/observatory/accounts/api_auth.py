"""API authentication: bearer tokens scoped to one organisation, or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from observatory.accounts import access
from observatory.accounts.models import ApiToken
from observatory.accounts.services import token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer obs_<prefix>_<secret>`."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


class TokenHeaderAuth(APIKeyHeader):
    """`X-API-Key: obs_...` for clients that cannot set Authorization."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiToken | None:
        return TokenAuth().authenticate(request, key or "")


def request_actor(request: HttpRequest) -> access.Actor:
    """The acting principal of a web or API request; tokens narrow it to one organisation."""
    token: Any = getattr(request, "api_token", None)
    if token is not None:
        return access.actor_for(token.user, organisation=token.organisation)
    return access.actor_for(request.user)


class Anonymous:
    """Lets an operation run without credentials (as the public); any credentials
    given are still checked by the authenticators before it."""

    def __call__(self, request: HttpRequest) -> bool:
        # A wrong token must fail loudly (401), not quietly become the public.
        return not (request.headers.get("Authorization") or request.headers.get("X-API-Key"))


API_AUTH = [TokenAuth(), TokenHeaderAuth(), SessionAuth()]
OPTIONAL_AUTH = [*API_AUTH, Anonymous()]
