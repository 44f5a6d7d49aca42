"""An upload over the limit is refused while it is being received, with a clear error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from observatory.accounts.models import Organisation, Role
from observatory.intake.models import Upload
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_oversized_upload_is_refused_and_nothing_is_stored(
    client: Client, settings: object
) -> None:
    settings.OBSERVATORY_MAX_UPLOAD_BYTES = 10_000  # type: ignore[attr-defined]
    organisation = factories.agency("COL", Organisation.Kind.POLICE)
    user = factories.member(Role.CONTRIBUTOR, organisation)
    client.force_login(user)
    big = SimpleUploadedFile(
        "big.csv", b"Fecha,Droga\n" + b"2024-01-01,heroin\n" * 5000, content_type="text/csv"
    )
    response = client.post(
        "/imports/new/seizures/", {"organisation": organisation.pk, "label": "x", "file": big}
    )
    assert response.status_code == 200
    assert "larger than the limit" in response.content.decode()
    assert not Upload.objects.exists()


def test_the_handler_stops_reading_past_the_limit(settings: object) -> None:
    from django.core.files.uploadhandler import SkipFile
    from django.test import RequestFactory

    from observatory.core.uploads import LimitedUploadHandler

    settings.OBSERVATORY_MAX_UPLOAD_BYTES = 1000  # type: ignore[attr-defined]
    request = RequestFactory().post("/")
    handler = LimitedUploadHandler(request)
    handler.new_file("file", "big.csv", "text/csv", 5000)
    handler.receive_data_chunk(b"x" * 800, 0)
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 800, 800)
    assert request.upload_too_large is True  # type: ignore[attr-defined]


def test_an_oversized_upload_to_the_api_is_413_with_the_limit(settings: object) -> None:
    # Issue 12 §5: not 422 "file: Field required"
    from observatory.accounts import services as account_services

    settings.OBSERVATORY_MAX_UPLOAD_BYTES = 10_000  # type: ignore[attr-defined]
    organisation = factories.agency("COL", Organisation.Kind.POLICE)
    user = factories.member(Role.CONTRIBUTOR, organisation)
    raw = account_services.token_create(user=user, organisation=organisation)[1]
    big = SimpleUploadedFile(
        "big.csv", b"Fecha,Droga\n" + b"2024-01-01,heroin\n" * 5000, content_type="text/csv"
    )
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        "/api/v1/imports", {"organisation": organisation.code, "label": "x", "file": big}
    )
    assert response.status_code == 413
    assert "10,000 bytes" in response.json()["detail"]
    assert not Upload.objects.exists()
