"""/api/v1/me: who the caller is and what roles they hold."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from observatory.accounts.api_auth import API_AUTH, request_actor

router = Router(tags=["accounts"])


class GrantOut(Schema):
    organisation: str
    area: str | None
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    via_token: bool
    token_organisation: str | None
    token_last_used_at: datetime | None
    roles: list[GrantOut]


@router.get("/me", response=MeOut, auth=API_AUTH, summary="The authenticated user and their roles")
def me(request: HttpRequest) -> MeOut:
    actor = request_actor(request)
    token = getattr(request, "api_token", None)
    user = request.user
    return MeOut(
        email=user.email,  # type: ignore[union-attr]
        full_name=user.full_name,  # type: ignore[union-attr]
        via_token=token is not None,
        token_organisation=actor.token_organisation,
        token_last_used_at=token.last_used_at if token else None,
        roles=[
            GrantOut(organisation=g.organisation_code, area=g.area_code, role=g.role)
            for g in actor.grants
        ],
    )
