"""The imports API in and out of the request: a small file is checked and committed
within it (200 with the report, as before); a large one, or `wait=false`, goes to
the task worker (202, Location, Retry-After) and is polled; `wait=true` keeps the
work in the request up to a cap. Tasks run when the test's transaction callbacks
are executed (ImmediateBackend in the test settings)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.accounts import services as account_services
from observatory.accounts.models import Organisation, User
from observatory.core.models import AuditEvent
from observatory.intake import services, tasks
from observatory.intake.models import ImportIssue, ImportJob, Upload
from observatory.seizures.models import Seizure
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests.submissions import import_csv, seizure_csv

pytestmark = pytest.mark.django_db

Callbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

# One good row, one unknown drug, one quantity below zero: blocked, 2 errors.
MIXED = seizure_csv(
    "Q-1,2024-09-01,cocaine,5,kg,COL,,ESP,Tumaco",
    "Q-2,2024-09-02,xyz,5,kg,,,,Tumaco",
    "Q-3,2024-09-03,heroin,-1,kg,,,,Pasto",
)
CLEAN = seizure_csv(
    "C-1,2024-10-01,cocaine,7,kg,COL,,ESP,Tumaco",
    "C-2,2024-10-02,heroin,2,kg,COL,,USA,Cali",
)
REPORT_FIELDS = ("rows", "valid_rows", "rows_with_errors", "errors", "warnings", "issues")


@pytest.fixture(autouse=True)
def _storage(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def small_sync(settings: SettingsWrapper) -> None:
    """Every test file counts as large: only 100 bytes are checked in the request."""
    settings.OBSERVATORY_API_SYNC_BYTES = 100


def api(user: User, organisation: Organisation) -> Client:
    raw = account_services.token_create(user=user, organisation=organisation)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def col(users: dict[str, User], col_police: Organisation) -> Client:
    return api(users["contributor"], col_police)


def upload(client: Client, text: str = MIXED, *, query: str = "", **fields: str) -> Any:
    return client.post(
        f"/api/v1/imports{query}",
        {
            "organisation": "COL-POLICE",
            "label": "2024",
            "file": SimpleUploadedFile("seizures.csv", text.encode(), content_type="text/csv"),
            **fields,
        },
    )


def commit(client: Client, job: int, *, query: str = "", accept_valid: bool = False) -> Any:
    return client.post(
        f"/api/v1/imports/{job}/commit{query}",
        {"accept_valid": accept_valid},
        content_type="application/json",
    )


def assert_queued(response: Any, status: str) -> dict[str, Any]:
    assert response.status_code == 202, response.content[:300]
    body: dict[str, Any] = response.json()
    assert response["Location"] == f"/api/v1/imports/{body['import']}"
    assert 2 <= int(response["Retry-After"]) <= 30
    assert (body["status"], body["version"]) == (status, None)
    return body


# --------------------------------------------------------------------------
# Upload


def test_a_small_upload_is_checked_in_the_request_as_before(col: Client) -> None:
    response = upload(col)
    assert response.status_code == 200
    assert not response.has_header("Location")
    report = response.json()
    assert (report["status"], report["progress"]) == ("blocked", 100)
    assert (report["rows"], report["valid_rows"], report["rows_with_errors"]) == (3, 1, 2)
    assert [(i["row"], i["code"]) for i in report["issues"]] == [
        (3, "unknown_drug"),
        (4, "not_positive"),
    ]


@pytest.mark.usefixtures("small_sync")
def test_a_large_upload_is_queued_then_polled_to_its_report(
    col: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(col)
    body = assert_queued(response, "pending")
    assert body["file"] == "seizures.csv"
    # Not checked yet: no counts or problems, not zeros that look like a clean file.
    assert {field: body[field] for field in REPORT_FIELDS} == dict.fromkeys(REPORT_FIELDS)
    job = ImportJob.objects.get(pk=body["import"])
    assert job.status == ImportJob.Status.PENDING
    assert not ImportIssue.objects.filter(job=job).exists()
    assert len(callbacks) == 1

    waiting = col.get(response["Location"])
    assert (waiting.status_code, waiting.json()["status"], waiting.json()["issues"]) == (
        200,
        "pending",
        None,
    )
    assert waiting.has_header("Retry-After")

    for callback in callbacks:  # the worker runs the queued check
        callback()
    done = col.get(response["Location"])
    report = done.json()
    assert done.status_code == 200
    assert not done.has_header("Retry-After")
    assert (report["status"], report["progress"], report["errors"]) == ("blocked", 100, 2)
    assert (report["rows"], report["valid_rows"], report["rows_with_errors"]) == (3, 1, 2)
    assert [(i["row"], i["code"]) for i in report["issues"]] == [
        (3, "unknown_drug"),
        (4, "not_positive"),
    ]


@pytest.mark.parametrize(
    ("query", "fields"), [("?wait=false", {}), ("", {"wait": "false"}), ("?wait=0", {})]
)
def test_wait_false_queues_even_a_small_file(
    col: Client,
    django_capture_on_commit_callbacks: Callbacks,
    query: str,
    fields: dict[str, str],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(col, query=query, **fields)
        assert_queued(response, "pending")
    job = ImportJob.objects.get(pk=response.json()["import"])
    assert job.status == ImportJob.Status.BLOCKED


@pytest.mark.usefixtures("small_sync")
@pytest.mark.parametrize(("query", "fields"), [("?wait=true", {}), ("", {"wait": "true"})])
def test_wait_true_checks_a_large_file_in_the_request(
    col: Client, query: str, fields: dict[str, str]
) -> None:
    response = upload(col, query=query, **fields)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["errors"]) == ("blocked", 2)


def test_wait_true_over_the_cap_is_refused_and_nothing_is_kept(
    col: Client, settings: SettingsWrapper
) -> None:
    settings.OBSERVATORY_API_WAIT_MAX_BYTES = 100
    audit_rows = AuditEvent.objects.count()
    response = upload(col, query="?wait=true")
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "wait=false" in detail
    assert "larger than" in detail
    assert not Upload.objects.exists()
    assert not ImportJob.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


def test_a_wait_that_is_not_a_boolean_is_refused(col: Client) -> None:
    assert upload(col, query="?wait=maybe").status_code == 422
    assert upload(col, wait="maybe").status_code == 422
    assert not ImportJob.objects.exists()


@pytest.mark.usefixtures("small_sync")
def test_the_same_file_queued_again_is_stored_once(
    col: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = assert_queued(upload(col), "pending")
        second = assert_queued(upload(col), "pending")
    assert second["import"] != first["import"]
    assert second["sha256"] == first["sha256"]
    assert Upload.objects.count() == 1
    assert set(ImportJob.objects.values_list("status", flat=True)) == {"blocked"}
    creations = AuditEvent.objects.filter(action="create")
    assert creations.filter(object_type="intake.upload").count() == 1
    assert creations.filter(object_type="intake.importjob").count() == 2


@pytest.mark.usefixtures("small_sync")
def test_a_queued_import_is_not_found_by_another_organisation(
    col: Client,
    users: dict[str, User],
    esp_customs: Organisation,
    office: Organisation,
    django_capture_on_commit_callbacks: Callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        job = assert_queued(upload(col), "pending")["import"]
    esp = api(users["other_focal_point"], esp_customs)
    analyst = api(users["analyst"], office)
    for client in (esp, analyst):
        assert client.get(f"/api/v1/imports/{job}").status_code == 404
        assert commit(client, job, query="?wait=false").status_code == 404
    assert Client().get(f"/api/v1/imports/{job}").status_code == 401
    assert ImportJob.objects.get(pk=job).status == ImportJob.Status.PENDING


def test_a_check_that_crashes_in_the_worker_reports_failed(
    col: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callbacks,
) -> None:
    def crash(**_kwargs: Any) -> ImportJob:
        ImportJob.objects.update(status=ImportJob.Status.VALIDATING)
        raise RuntimeError("out of memory")

    monkeypatch.setattr(services, "job_validate", crash)
    with django_capture_on_commit_callbacks(execute=True):
        job = assert_queued(upload(col, query="?wait=false"), "pending")["import"]
    report = col.get(f"/api/v1/imports/{job}").json()
    assert (report["status"], report["progress"]) == ("failed", 100)
    assert "stopped unexpectedly" in report["message"]


# --------------------------------------------------------------------------
# Commit


def checked_job(col: Client, text: str = CLEAN) -> int:
    """An import checked in the request (the file is small)."""
    response = upload(col, text, query="?wait=true")
    assert response.status_code == 200
    job: int = response.json()["import"]
    return job


def test_a_small_commit_runs_in_the_request_as_before(col: Client) -> None:
    job = checked_job(col)
    response = commit(col, job)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["errors"]) == ("committed", 0)
    assert Seizure.objects.filter(case_reference__startswith="C-").count() == 2


@pytest.mark.usefixtures("small_sync")
def test_a_large_commit_is_queued_then_polled_to_its_version(
    col: Client, users: dict[str, User], django_capture_on_commit_callbacks: Callbacks
) -> None:
    job = checked_job(col, MIXED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = commit(col, job, accept_valid=True)
    body = assert_queued(response, "committing")
    # The check's report stands while the rows are written.
    assert (body["errors"], body["valid_rows"], len(body["issues"])) == (2, 1, 2)
    assert not Seizure.objects.filter(case_reference__startswith="Q-").exists()
    # A second commit while this one is queued is refused, not queued twice.
    again = commit(col, job, accept_valid=True)
    assert (again.status_code, again.json()["detail"]) == (
        422,
        "the import is committing; it cannot be committed",
    )
    assert len(callbacks) == 1

    for callback in callbacks:
        callback()
    report = col.get(f"/api/v1/imports/{job}").json()
    version = Version.objects.get(pk=report["version"])
    assert (report["status"], report["valid_rows"], version.row_count) == ("committed", 1, 1)
    assert list(
        Seizure.objects.filter(version=version).values_list("case_reference", flat=True)
    ) == ["Q-1"]
    audit = AuditEvent.objects.get(
        object_type="intake.importjob", object_id=str(job), changes__has_key="committed_rows"
    )
    assert (audit.via, audit.actor_email) == ("task", users["contributor"].email)
    assert (audit.changes["committed_rows"], audit.changes["quarantined_rows"]) == (1, 2)

    # Committing what is committed changes nothing and is answered at once.
    repeat = commit(col, job, query="?wait=false", accept_valid=True)
    assert (repeat.status_code, repeat.json()["version"]) == (200, version.pk)
    assert Seizure.objects.filter(case_reference__startswith="Q-").count() == 1


def test_wait_false_queues_a_small_commit(
    col: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    job = checked_job(col)
    with django_capture_on_commit_callbacks(execute=True):
        assert_queued(commit(col, job, query="?wait=false"), "committing")
    assert col.get(f"/api/v1/imports/{job}").json()["status"] == "committed"


@pytest.mark.usefixtures("small_sync")
def test_wait_true_commits_a_large_file_in_the_request(col: Client) -> None:
    job = checked_job(col)
    response = commit(col, job, query="?wait=true")
    assert (response.status_code, response.json()["status"]) == (200, "committed")


def test_wait_true_commit_over_the_cap_is_refused_and_nothing_changes(
    col: Client, settings: SettingsWrapper, django_capture_on_commit_callbacks: Callbacks
) -> None:
    job = checked_job(col)
    settings.OBSERVATORY_API_WAIT_MAX_BYTES = 100
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = commit(col, job, query="?wait=true")
    assert response.status_code == 422
    assert "wait=false" in response.json()["detail"]
    assert callbacks == []
    assert ImportJob.objects.get(pk=job).status == ImportJob.Status.VALIDATED
    assert not Seizure.objects.filter(case_reference__startswith="C-").exists()


def test_a_queued_commit_of_an_unchecked_import_is_refused(
    col: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        job = assert_queued(upload(col, query="?wait=false"), "pending")["import"]
        response = commit(col, job, query="?wait=false")
    assert (response.status_code, response.json()["detail"]) == (
        422,
        "the import is pending; it cannot be committed",
    )


def test_enqueue_commit_claims_a_checked_job_once(
    col: Client, users: dict[str, User], django_capture_on_commit_callbacks: Callbacks
) -> None:
    job = ImportJob.objects.get(pk=checked_job(col))
    actor = users["contributor"].pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.enqueue_commit(job, accept_valid=False, actor_id=actor) is True
        assert tasks.enqueue_commit(job, accept_valid=False, actor_id=actor) is False
    assert len(callbacks) == 1


def test_a_queued_commit_the_workflow_refuses_goes_back_with_the_reason(
    col: Client,
    users: dict[str, User],
    col_police: Organisation,
    django_capture_on_commit_callbacks: Callbacks,
) -> None:
    """The label's version is with the office: the worker's commit is refused, the
    import is committable again and says why."""
    draft = import_csv(
        col_police, users["contributor"], seizure_csv("S-1,2024-01-05,cocaine,3,kg,COL,,ESP,Cali")
    )
    workflow.version_submit(version=draft, actor=users["focal_point"])
    job = checked_job(col)
    with django_capture_on_commit_callbacks(execute=True):
        assert_queued(commit(col, job, query="?wait=false"), "committing")
    report = col.get(f"/api/v1/imports/{job}").json()
    assert (report["status"], report["version"]) == ("validated", None)
    assert "is with the office" in report["message"]
    assert not Seizure.objects.filter(case_reference__startswith="C-").exists()
