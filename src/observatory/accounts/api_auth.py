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
        return not _carries_token(request)


def _carries_token(request: HttpRequest) -> bool:
    return bool(request.headers.get("Authorization") or request.headers.get("X-API-Key"))


class SessionOnlyAuth(SessionAuth):
    """The browser session, for requests that carry no token. A request with a
    token is the token's or nobody's: a bad or unknown token is 401, never the
    session's (which may lack the second factor the pages require)."""

    def __call__(self, request: HttpRequest) -> Any:
        if _carries_token(request):
            return None
        return super().__call__(request)


API_AUTH = [TokenAuth(), TokenHeaderAuth(), SessionOnlyAuth()]
OPTIONAL_AUTH = [*API_AUTH, Anonymous()]
