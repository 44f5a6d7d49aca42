"""The /api/v1 root: mounts each app's router. OpenAPI at /api/v1/openapi.json,
interactive documentation at /api/v1/docs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from observatory.accounts.api import router as accounts_router
from observatory.core.errors import NotFound, PermissionDenied, ValidationFailed
from observatory.intake.api import router as imports_router
from observatory.reference.api import router as reference_router
from observatory.seizures.api import router as seizures_router
from observatory.smuggling.api import router as smuggling_router
from observatory.statistics.api import router as statistics_router
from observatory.submissions.api import router as submissions_router

api = NinjaAPI(
    title="Observatory API",
    version="1",
    description=(
        "Drug and crime statistics: reference data, submissions, seizures and statistics. "
        "Authenticate with `Authorization: Bearer <token>` (create one on the API tokens "
        "page or with `observatory create-token`)."
    ),
    urls_namespace="api-1",
)
api.add_router("", accounts_router)
api.add_router("/reference", reference_router)
api.add_router("/seizures", seizures_router)
api.add_router("/imports", imports_router)
api.add_router("/submissions", submissions_router)
api.add_router("/smuggling", smuggling_router)
api.add_router("/statistics", statistics_router)


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=403)


@api.exception_handler(ValidationFailed)
def _invalid(request: HttpRequest, error: ValidationFailed) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=422)


@api.exception_handler(ValidationError)
def _schema_invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    # A file over the limit is dropped while it is received (core/uploads.py);
    # say so, rather than that the file is missing.
    if getattr(request, "upload_too_large", False):
        limit = settings.OBSERVATORY_MAX_UPLOAD_BYTES
        return api.create_response(
            request,
            {"detail": f"the file is larger than the upload limit of {limit:,} bytes"},
            status=413,
        )
    return api.create_response(request, {"detail": error.errors}, status=422)
