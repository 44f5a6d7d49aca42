"""/api/v1/submissions: versions and their workflow."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from observatory.accounts.api_auth import API_AUTH, request_actor
from observatory.core.errors import NotFound
from observatory.core.pagination import Pages
from observatory.submissions import selectors, services
from observatory.submissions.models import Version

router = Router(tags=["submissions"], auth=API_AUTH)


class VersionOut(Schema):
    id: int
    dataset: str
    label: str
    number: int
    status: str
    organisation: str
    area: str
    row_count: int
    created_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None

    @staticmethod
    def resolve_dataset(obj: Version) -> str:
        return obj.submission.dataset

    @staticmethod
    def resolve_label(obj: Version) -> str:
        return obj.submission.label

    @staticmethod
    def resolve_organisation(obj: Version) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_area(obj: Version) -> str:
        return obj.area_id or ""  # "": a compilation by the office


class ActionIn(Schema):
    comment: str = ""


@router.get("/versions", response=list[VersionOut])
@paginate(Pages)
def version_list(request: HttpRequest, status: str = "", dataset: str = "") -> list[Version]:
    return selectors.version_list(
        actor=request_actor(request),
        status=status,  # type: ignore[return-value]
        dataset=dataset,
    )


@router.get("/versions/{version_id}", response=VersionOut)
def version_detail(request: HttpRequest, version_id: int) -> Version:
    return selectors.version_get(actor=request_actor(request), pk=version_id)


ACTIONS = {"submit", "accept", "return", "publish"}


@router.post(
    "/versions/{version_id}/{action}",
    response=VersionOut,
    summary="submit (focal point), accept / return / publish (office analyst)",
)
def version_action(
    request: HttpRequest, version_id: int, action: str, payload: ActionIn
) -> Version:
    if action not in ACTIONS:
        raise NotFound(f"no action {action!r}; one of {', '.join(sorted(ACTIONS))}")
    actor = request_actor(request)
    version = selectors.version_get(actor=actor, pk=version_id)
    if action == "submit":
        return services.version_submit(version=version, actor=actor)
    if action == "accept":
        return services.version_accept(version=version, actor=actor, comment=payload.comment)
    if action == "return":
        return services.version_return(version=version, actor=actor, comment=payload.comment)
    return services.version_publish(version=version, actor=actor)
