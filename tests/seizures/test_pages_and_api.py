"""Seizure pages and the seizures and imports API: who sees which rows, the
filters, pagination, authentication, and uploading and committing a file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.accounts import services as account_services
from observatory.accounts.models import Organisation, Role, User
from observatory.intake.models import ImportJob
from observatory.seizures.models import Seizure
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories
from tests.submissions import import_csv, seizure_csv

pytestmark = pytest.mark.django_db

COL_PUBLISHED = seizure_csv(
    "P-1,2023-03-01,cocaine,120,kg,COL,PAN,USA,Cartagena",
    "P-2,2023-07-15,heroin,3,kg,,,,Cali",
)
COL_DRAFT = seizure_csv("D-1,2024-02-01,cocaine,10,kg,COL,,ESP,Bogotá")
ESP_PUBLISHED = seizure_csv(
    "E-1,2024-04-04,cannabis-resin,500,kg,MAR,,ESP,Algeciras",
    "E-2,2024-05-05,cocaine,80,kg,COL,PAN;PRT,ESP,Vigo",
)
PUBLIC = ["E-1", "E-2", "P-1", "P-2"]
UPLOAD = seizure_csv(
    "X-1,2024-09-01,cocaine,5,kg,COL,,ESP,Tumaco",
    "X-2,2024-09-02,xyz,5,kg,,,,Tumaco",
    "X-3,2024-09-03,heroin,-1,kg,,,,Pasto",
)


@pytest.fixture(autouse=True)
def _storage(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"


@dataclass(frozen=True)
class World:
    users: dict[str, User]  # the actors of the `users` fixture of tests/conftest.py
    organisations: dict[str, Organisation]  # by code
    versions: dict[str, Version]  # "col" and "esp" published, "draft" COL's draft


def publish(version: Version, focal_point: User, analyst: User) -> Version:
    workflow.version_submit(version=version, actor=focal_point)
    workflow.version_accept(version=version, actor=analyst)
    return workflow.version_publish(version=version, actor=analyst)


def build_world() -> World:
    """COL: a published 2023 submission and a 2024 draft; ESP: a published 2024 one."""
    office = factories.office()
    col_police = factories.agency("COL", Organisation.Kind.POLICE)
    esp_customs = factories.agency("ESP", Organisation.Kind.CUSTOMS)
    users: dict[str, User] = {
        "contributor": factories.member(Role.CONTRIBUTOR, col_police, email="contributor@col.test"),
        "focal_point": factories.member(Role.FOCAL_POINT, col_police, email="focal@col.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@office.test"),
        "admin": factories.member(Role.ADMIN, office, email="admin@office.test"),
        "other_contributor": factories.member(
            Role.CONTRIBUTOR, esp_customs, email="contributor@esp.test"
        ),
        "other_focal_point": factories.member(
            Role.FOCAL_POINT, esp_customs, email="focal@esp.test"
        ),
        "no_role": cast(User, factories.UserFactory(email="nobody@example.test")),
    }
    analyst = users["analyst"]
    versions = {
        "col": publish(
            import_csv(col_police, users["contributor"], COL_PUBLISHED, label="2023"),
            users["focal_point"],
            analyst,
        ),
        "draft": import_csv(col_police, users["contributor"], COL_DRAFT, label="2024"),
        "esp": publish(
            import_csv(esp_customs, users["other_contributor"], ESP_PUBLISHED, label="2024"),
            users["other_focal_point"],
            analyst,
        ),
    }
    organisations = {o.code: o for o in [office, col_police, esp_customs]}
    return World(users=users, organisations=organisations, versions=versions)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module in a transaction rolled back after its last test;
    each test runs in a savepoint of its own, so its writes never leak."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def data(world: World) -> dict[str, Version]:
    return world.versions


@pytest.fixture
def users(world: World) -> dict[str, User]:
    return world.users


@pytest.fixture
def office(world: World) -> Organisation:
    return world.organisations["OFFICE"]


@pytest.fixture
def col_police(world: World) -> Organisation:
    return world.organisations["COL-POLICE"]


@pytest.fixture
def esp_customs(world: World) -> Organisation:
    return world.organisations["ESP-CUSTOMS"]


def seizure(reference: str) -> Seizure:
    return Seizure.objects.get(case_reference=reference)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def browsers(users: dict[str, User]) -> dict[str, Client]:
    """A web client per actor of `users`, and one for the anonymous public."""
    return {"anonymous": Client(), **{who: logged_in(user) for who, user in users.items()}}


def listed(response: Any) -> list[str]:
    assert response.status_code == 200
    return sorted(s.case_reference for s in response.context["page"].object_list)


# --------------------------------------------------------------------------
# Pages.


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", PUBLIC),
        ("contributor", ["D-1", *PUBLIC]),
        ("focal_point", ["D-1", *PUBLIC]),
        ("analyst", PUBLIC),
        ("other_focal_point", PUBLIC),
        ("no_role", PUBLIC),
    ],
)
def test_the_list_shows_published_seizures_and_drafts_only_to_their_country(
    data: dict[str, Version], browsers: dict[str, Client], who: str, expected: list[str]
) -> None:
    assert listed(browsers[who].get("/seizures/")) == expected


FILTERS = [
    ({"area": "col"}, ["P-1", "P-2"]),
    ({"area": " ESP "}, ["E-1", "E-2"]),
    ({"drug": "heroin"}, ["P-2"]),
    ({"group": "cocaine"}, ["E-2", "P-1"]),
    ({"year": "2023"}, ["P-1", "P-2"]),
    ({"via": "PAN"}, ["E-2", "P-1"]),  # a transit country
    ({"via": "prt"}, ["E-2"]),  # the second transit country, in lower case
    ({"via": "MAR"}, ["E-1"]),  # the origin
    ({"via": "USA"}, ["P-1"]),  # the destination
    ({"via": "DEU"}, []),
    ({"origin": "col"}, ["E-2", "P-1"]),
    ({"q": "alge"}, ["E-1"]),
    ({"q": "P-"}, ["P-1", "P-2"]),
    ({"group": "cocaine", "year": "2024"}, ["E-2"]),
    ({"year": "abc"}, []),
]


@pytest.mark.parametrize(("parameters", "expected"), FILTERS)
def test_the_list_filters(
    data: dict[str, Version], client: Client, parameters: dict[str, str], expected: list[str]
) -> None:
    assert listed(client.get("/seizures/", parameters)) == expected


def test_the_country_finds_its_draft_with_the_filters(
    data: dict[str, Version], users: dict[str, User]
) -> None:
    client = logged_in(users["contributor"])
    assert listed(client.get("/seizures/", {"area": "col", "year": "2024"})) == ["D-1"]
    assert listed(client.get("/seizures/", {"status": "draft"})) == ["D-1"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("analyst", 404),
        ("other_focal_point", 404),
        ("other_contributor", 404),
        ("contributor", 200),
        ("focal_point", 200),
    ],
)
def test_a_draft_seizure_is_found_only_by_its_country(
    data: dict[str, Version], browsers: dict[str, Client], who: str, status: int
) -> None:
    response = browsers[who].get(f"/seizures/{seizure('D-1').pk}/")
    assert response.status_code == status


def test_a_published_seizure_is_public(data: dict[str, Version], client: Client) -> None:
    response = client.get(f"/seizures/{seizure('P-1').pk}/")
    assert response.status_code == 200
    assert response.context["s"] == seizure("P-1")
    assert "Cartagena" in response.content.decode()


def test_an_unknown_seizure_is_not_found(data: dict[str, Version], client: Client) -> None:
    assert client.get("/seizures/999999999/").status_code == 404


# --------------------------------------------------------------------------
# The seizures API.


def token(user: User, organisation: Organisation) -> str:
    return account_services.token_create(user=user, organisation=organisation)[1]


def api(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def references(response: Any) -> list[str]:
    assert response.status_code == 200
    return sorted(item["case_reference"] for item in response.json()["items"])


@pytest.mark.parametrize(("parameters", "expected"), FILTERS)
def test_the_api_filters_like_the_page(
    data: dict[str, Version], client: Client, parameters: dict[str, str], expected: list[str]
) -> None:
    assert references(client.get("/api/v1/seizures", parameters)) == expected


def test_the_api_pages_with_limit_and_offset(data: dict[str, Version], client: Client) -> None:
    first = client.get("/api/v1/seizures", {"limit": 2, "offset": 0}).json()
    second = client.get("/api/v1/seizures", {"limit": 2, "offset": 2}).json()
    assert (first["count"], second["count"]) == (4, 4)
    assert [i["case_reference"] for i in first["items"]] == ["E-2", "E-1"]  # newest first
    assert [i["case_reference"] for i in second["items"]] == ["P-2", "P-1"]
    assert client.get("/api/v1/seizures", {"limit": 2, "offset": 4}).json()["items"] == []


def test_the_api_describes_a_seizure(data: dict[str, Version], client: Client) -> None:
    response = client.get(f"/api/v1/seizures/{seizure('E-2').pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["case_reference"], body["area"], body["organisation"]) == (
        "E-2",
        "ESP",
        "ESP-CUSTOMS",
    )
    assert (body["drug"], body["unit"], body["seizure_date"]) == ("cocaine", "kg", "2024-05-05")
    assert (body["origin_area"], body["transit_areas"], body["destination_area"]) == (
        "COL",
        ["PAN", "PRT"],
        "ESP",
    )
    assert float(body["kilograms"]) == 80.0
    assert (body["version"], body["status"]) == (data["esp"].pk, "published")


def test_the_api_shows_drafts_only_to_their_country(
    data: dict[str, Version],
    users: dict[str, User],
    client: Client,
    col_police: Organisation,
    esp_customs: Organisation,
) -> None:
    draft = f"/api/v1/seizures/{seizure('D-1').pk}"
    col = api(token(users["contributor"], col_police))
    esp = api(token(users["other_focal_point"], esp_customs))
    assert client.get(draft).status_code == 404
    assert esp.get(draft).status_code == 404
    assert col.get(draft).status_code == 200
    assert references(col.get("/api/v1/seizures", {"area": "COL"})) == ["D-1", "P-1", "P-2"]
    assert references(esp.get("/api/v1/seizures", {"area": "COL"})) == ["P-1", "P-2"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer obs_deadbeef_not-a-secret"},
        {"Authorization": "Bearer nonsense"},
        {"X-API-Key": "obs_deadbeef_not-a-secret"},
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/seizures", "/api/v1/seizures/{pk}"])
def test_a_bad_token_is_refused_even_on_public_endpoints(
    data: dict[str, Version], headers: dict[str, str], path: str
) -> None:
    response = Client(headers=headers).get(path.format(pk=seizure("P-1").pk))
    assert response.status_code == 401


# --------------------------------------------------------------------------
# The imports API.


def upload(client: Client, organisation: str, text: str = UPLOAD, label: str = "extra") -> Any:
    return client.post(
        "/api/v1/imports",
        {
            "organisation": organisation,
            "label": label,
            "file": SimpleUploadedFile("upload.csv", text.encode(), content_type="text/csv"),
        },
    )


def commit(client: Client, job: int, *, accept_valid: bool = False) -> Any:
    return client.post(
        f"/api/v1/imports/{job}/commit",
        {"accept_valid": accept_valid},
        content_type="application/json",
    )


@pytest.fixture
def col_api(users: dict[str, User], col_police: Organisation) -> Client:
    return api(token(users["contributor"], col_police))


def test_an_upload_returns_the_dry_run_report(col_api: Client) -> None:
    response = upload(col_api, "col-police")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "blocked"
    assert (report["rows"], report["valid_rows"], report["rows_with_errors"]) == (3, 1, 2)
    assert (report["errors"], report["warnings"], report["version"]) == (2, 0, None)
    assert report["file"] == "upload.csv"
    assert [(i["row"], i["field"], i["code"], i["severity"]) for i in report["issues"]] == [
        (3, "drug", "unknown_drug", "error"),
        (4, "quantity", "not_positive", "error"),
    ]
    assert not Seizure.objects.filter(case_reference__startswith="X-").exists()


def test_a_blocked_import_commits_only_with_accept_valid(col_api: Client) -> None:
    job = upload(col_api, "COL-POLICE").json()["import"]

    blocked = commit(col_api, job)
    assert (blocked.status_code, blocked.json()["status"]) == (200, "blocked")
    assert not Seizure.objects.filter(case_reference__startswith="X-").exists()

    committed = commit(col_api, job, accept_valid=True)
    assert committed.status_code == 200
    report = committed.json()
    version = Version.objects.get(pk=report["version"])
    assert (report["status"], version.status, version.row_count) == ("committed", "draft", 1)
    assert version.organisation.code == "COL-POLICE"
    assert list(
        Seizure.objects.filter(version=version).values_list("case_reference", flat=True)
    ) == ["X-1"]

    again = commit(col_api, job, accept_valid=True)
    assert (again.status_code, again.json()["status"], again.json()["version"]) == (
        200,
        "committed",
        version.pk,
    )
    assert Seizure.objects.filter(case_reference__startswith="X-").count() == 1


def test_the_same_file_imported_twice_is_a_duplicate(col_api: Client) -> None:
    valid = seizure_csv("X-9,2024-09-09,cocaine,5,kg,,,,Tumaco")
    first = upload(col_api, "COL-POLICE", valid).json()
    version = commit(col_api, first["import"]).json()["version"]

    second = upload(col_api, "COL-POLICE", valid).json()
    assert second["import"] != first["import"]
    assert second["sha256"] == first["sha256"]
    report = commit(col_api, second["import"]).json()
    assert (report["status"], report["version"]) == ("duplicate", version)
    assert "already imported" in report["message"]
    assert Seizure.objects.filter(case_reference="X-9").count() == 1


@pytest.mark.parametrize(
    ("who", "organisation", "upload_for"),
    [
        ("contributor", "COL-POLICE", "ESP-CUSTOMS"),
        ("other_focal_point", "ESP-CUSTOMS", "COL-POLICE"),
        ("analyst", "OFFICE", "COL-POLICE"),
    ],
)
def test_uploading_for_an_organisation_one_does_not_report_for_is_forbidden(
    world: World, who: str, organisation: str, upload_for: str
) -> None:
    raw = token(world.users[who], world.organisations[organisation])
    jobs = ImportJob.objects.count()
    response = upload(api(raw), upload_for)
    assert response.status_code == 403
    assert upload_for in response.json()["detail"]
    assert ImportJob.objects.count() == jobs


def test_the_office_uploads_its_own_multi_country_compilation(world: World) -> None:
    raw = token(world.users["analyst"], world.organisations["OFFICE"])
    text = (
        "country,date,drug,quantity,unit\n"
        "COL,2024-01-02,cocaine,5,kg\n"
        "PER,2024-01-03,cocaine,2,kg\n"
    )
    job = upload(api(raw), "OFFICE", text).json()
    assert job["status"] == "validated", job
    assert commit(api(raw), job["import"]).json()["status"] == "committed"
    assert sorted(
        Seizure.objects.filter(organisation__code="OFFICE").values_list("area_id", flat=True)
    ) == ["COL", "PER"]


def test_an_import_of_another_country_is_not_found(
    col_api: Client,
    users: dict[str, User],
    office: Organisation,
    col_police: Organisation,
    esp_customs: Organisation,
) -> None:
    job = upload(col_api, "COL-POLICE").json()["import"]
    esp = api(token(users["other_focal_point"], esp_customs))
    analyst = api(token(users["analyst"], office))
    focal = api(token(users["focal_point"], col_police))

    assert esp.get(f"/api/v1/imports/{job}").status_code == 404
    assert commit(esp, job, accept_valid=True).status_code == 404
    assert analyst.get(f"/api/v1/imports/{job}").status_code == 404
    assert focal.get(f"/api/v1/imports/{job}").json()["import"] == job
    assert ImportJob.objects.get(pk=job).status == ImportJob.Status.BLOCKED


def test_an_import_refused_while_the_submission_is_with_the_office_can_be_retried(
    data: dict[str, Version], col_api: Client, users: dict[str, User]
) -> None:
    """A commit refused because the label's version is submitted must leave the
    import committable once the office has returned that version."""
    workflow.version_submit(version=data["draft"], actor=users["focal_point"])
    correction = seizure_csv("D-1,2024-02-01,cocaine,12,kg,COL,,ESP,Bogotá")
    job = upload(col_api, "COL-POLICE", correction, label="2024").json()["import"]

    refused = commit(col_api, job)
    assert refused.status_code == 422
    assert "is with the office" in refused.json()["detail"]
    assert Version.objects.filter(submission=data["draft"].submission).count() == 1
    assert ImportJob.objects.get(pk=job).status != ImportJob.Status.COMMITTING

    workflow.version_return(version=data["draft"], actor=users["analyst"], comment="12 kg")
    retried = commit(col_api, job)
    assert retried.status_code == 200, retried.json()
    assert retried.json()["status"] == "committed"
    assert Version.objects.get(pk=retried.json()["version"]).number == 2


def test_a_token_acts_for_its_organisation_not_its_whole_country(world: World) -> None:
    # Issue 12 §5: focal.col's token for COL-POLICE must not upload for COL-LAB
    lab = factories.OrganisationFactory(
        code="COL-LAB-T", area=world.organisations["COL-POLICE"].area
    )
    focal = world.users["focal_point"]
    raw = token(focal, world.organisations["COL-POLICE"])
    jobs = ImportJob.objects.count()

    refused = upload(api(raw), lab.code)

    assert refused.status_code == 403
    assert ImportJob.objects.count() == jobs
    # its own organisation, yes
    assert upload(api(raw), "COL-POLICE").status_code == 200


def test_api_pages_are_bounded(world: World) -> None:
    client = Client()
    assert client.get("/api/v1/seizures?limit=1000").status_code == 200
    assert client.get("/api/v1/seizures?limit=1001").status_code == 422
    assert client.get(f"/api/v1/seizures?offset={2**63}").status_code == 422
    assert client.get(f"/api/v1/seizures?limit={2**63}").status_code == 422


def test_a_token_submits_for_its_organisation_only(world: World) -> None:
    # focal.col holds the focal-point role for the whole country; its token for
    # COL-POLICE does not submit COL-LAB's data.
    lab = factories.OrganisationFactory(
        code="COL-LAB-S", area=world.organisations["COL-POLICE"].area
    )
    focal = world.users["focal_point"]
    version = import_csv(lab, focal, seizure_csv("L-1,2024-03-01,cocaine,1,kg,,,,Cali"))
    police = api(token(focal, world.organisations["COL-POLICE"]))

    url = f"/api/v1/submissions/versions/{version.pk}/submit"
    refused = police.post(url, {}, content_type="application/json")

    assert refused.status_code == 403
    version.refresh_from_db()
    assert version.status == "draft"
    # the focal point, acting as such (not through that token), submits it
    assert workflow.version_submit(version=version, actor=focal).status == "submitted"
