"""Issue 12 §5: what a dry run or a refused file leaves (the upload, the
import's record, its problems and working files) is kept for a retention
period, then purged; committed imports and their originals never are."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.accounts.models import Organisation
from observatory.core.models import AuditEvent
from observatory.intake import services
from observatory.intake.models import ImportIssue, ImportJob, Upload
from tests import factories
from tests.submissions import seizure_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def places(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"


def _checked(organisation: Organisation, text: str, label: str) -> ImportJob:
    upload, _created = services.upload_store(
        stream=io.BytesIO(text.encode()),
        filename=f"{label}.csv",
        organisation=organisation,
        dataset="seizures",
        actor=None,
    )
    job = services.job_create(upload=upload, label=label, actor=None)
    return services.job_validate(job=job)


def test_old_uncommitted_imports_are_purged_and_committed_ones_kept(tmp_path: Path) -> None:
    police = factories.agency("COL", Organisation.Kind.POLICE)
    dry = _checked(police, seizure_csv("C-1,2024-01-15,cocaine,100,kg,COL,,,Cali"), "dry")
    refused = _checked(police, seizure_csv("C-2,2024-01-15,xyz,-1,kg,,,,Cali"), "bad")
    kept = _checked(police, seizure_csv("C-3,2024-01-15,heroin,2,kg,,,,Cali"), "kept")
    kept = services.job_commit(job=kept, actor=None)
    recent = _checked(police, seizure_csv("C-4,2024-01-15,heroin,3,kg,,,,Cali"), "recent")
    assert refused.status == ImportJob.Status.BLOCKED
    assert kept.status == ImportJob.Status.COMMITTED
    old = timezone.now() - timedelta(days=31)
    ImportJob.objects.exclude(pk=recent.pk).update(created_at=old)
    originals = {job.pk: Path(job.upload.file.path) for job in (dry, refused, kept, recent)}
    assert all(path.exists() for path in originals.values())
    assert ImportIssue.objects.filter(job=refused).exists()

    out = io.StringIO()
    call_command("purge_uncommitted", "--dry-run", stdout=out)
    assert "Would remove 2 import(s) never committed, older than 30 days" in out.getvalue()
    assert ImportJob.objects.count() == 4

    out = io.StringIO()
    call_command("purge_uncommitted", stdout=out)

    assert "Removed 2 import(s)" in out.getvalue()
    assert set(ImportJob.objects.values_list("pk", flat=True)) == {kept.pk, recent.pk}
    assert not ImportIssue.objects.filter(job_id=refused.pk).exists()
    assert Upload.objects.count() == 2
    assert not originals[dry.pk].exists()
    assert not originals[refused.pk].exists()
    assert originals[kept.pk].exists()
    assert originals[recent.pk].exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()


def test_an_upload_another_import_uses_is_kept(tmp_path: Any) -> None:
    police = factories.agency("COL", Organisation.Kind.POLICE)
    text = seizure_csv("C-1,2024-01-15,cocaine,100,kg,COL,,,Cali")
    first = _checked(police, text, "2024")
    second = services.job_validate(
        job=services.job_create(upload=first.upload, label="2024", actor=None)
    )
    ImportJob.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=40))

    services.jobs_purge()

    assert not ImportJob.objects.filter(pk=first.pk).exists()
    assert ImportJob.objects.filter(pk=second.pk).exists()
    assert Path(second.upload.file.path).exists()


def test_the_dry_run_says_what_is_kept(tmp_path: Path) -> None:
    police = factories.agency("COL", Organisation.Kind.POLICE)
    path = tmp_path / "s.csv"
    path.write_text(seizure_csv("C-1,2024-01-15,cocaine,100,kg,COL,,,Cali"), encoding="utf-8")
    out = io.StringIO()
    call_command("import", "seizures", str(path), org=police.code, dry_run=True, stdout=out)
    assert "Kept for 30 days, then removed unless committed: the upload and this check" in (
        out.getvalue()
    )
