"""Helpers shared by the tests that need committed seizure versions."""

from __future__ import annotations

import io

from observatory.accounts.models import Organisation, User
from observatory.intake import services as intake_services
from observatory.intake.models import ImportJob
from observatory.submissions.models import Version

SEIZURE_HEADER = (
    "case_reference,seizure_date,drug,quantity,unit,origin_area,transit_areas,"
    "destination_area,place\n"
)


def seizure_csv(*rows: str) -> str:
    """A seizure file in the columns of SEIZURE_HEADER, one row per argument."""
    return SEIZURE_HEADER + "".join(f"{row}\n" for row in rows)


def import_csv(
    organisation: Organisation, actor: User, text: str, *, label: str = "2024"
) -> Version:
    """Upload, check and commit a CSV through the intake services: a new draft
    version of the organisation's submission `label`."""
    upload, _created = intake_services.upload_store(
        stream=io.BytesIO(text.encode()),
        filename=f"seizures-{label}.csv",
        organisation=organisation,
        dataset="seizures",
        actor=actor,
    )
    job = intake_services.job_create(upload=upload, label=label, actor=actor)
    job = intake_services.job_validate(job=job)
    job = intake_services.job_commit(job=job, actor=actor)
    assert job.status == ImportJob.Status.COMMITTED, job.message
    assert job.version is not None
    return job.version
